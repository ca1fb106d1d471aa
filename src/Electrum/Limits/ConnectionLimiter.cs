using System.Diagnostics;
using System.Net;

using Coinshard.Electrum.Server;

namespace Coinshard.Electrum.Limits;

/// <summary>What one address (see <see cref="ClientAddress"/>) holds: its sessions and its shared cost budget.</summary>
internal sealed class AddressState(IPAddress key, TokenBucket? bucket)
{
    public IPAddress Key { get; } = key;

    /// <summary>The cost budget shared by the address's sessions; null when per-address throttling is off or the address is exempt.</summary>
    public TokenBucket? Bucket { get; } = bucket;

    /// <summary>Open sessions; guarded by the limiter's lock.</summary>
    public int Sessions { get; set; }
}

/// <summary>
/// Admits new connections against the total and per-address session limits, and keeps the
/// per-address cost budgets. An address's state outlives its last session until its budget has
/// refilled, so that reconnecting does not reset the budget.
/// </summary>
internal sealed class ConnectionLimiter
{
    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, AddressState> _addresses = [];
    private readonly ElectrumLimits _limits;
    private readonly ClientAddress _clientAddress;
    private int _total;

    public ConnectionLimiter(ElectrumLimits limits)
    {
        _limits = limits;
        _clientAddress = new ClientAddress(limits.ExemptLoopback, limits.ExemptSubnets);
    }

    /// <summary>Open sessions.</summary>
    public int Total => Volatile.Read(ref _total);

    /// <summary>Addresses with state (open sessions or a budget still refilling).</summary>
    public int AddressCount
    {
        get
        {
            lock (_gate)
            {
                return _addresses.Count;
            }
        }
    }

    /// <summary>
    /// Admits a session from <paramref name="remote"/>: returns its address state (null for exempt
    /// addresses, which only count towards the total), or false with a one-line reason.
    /// </summary>
    public bool TryAdmit(IPAddress remote, out AddressState? state, out string? refusal)
    {
        state = null;
        refusal = null;
        var exempt = _clientAddress.IsExempt(remote);
        var key = ClientAddress.KeyOf(remote);
        lock (_gate)
        {
            if (_total >= _limits.MaxSessionsTotal)
            {
                refusal = $"the server is at its limit of {_limits.MaxSessionsTotal} sessions";
                return false;
            }
            if (!exempt)
            {
                if (!_addresses.TryGetValue(key, out state))
                {
                    var bucket = _limits.IpCostRefillPerSecond > 0
                        ? new TokenBucket(_limits.IpCostBurst, _limits.IpCostRefillPerSecond, Stopwatch.GetTimestamp())
                        : null;
                    _addresses[key] = state = new AddressState(key, bucket);
                }
                if (state.Sessions >= _limits.MaxSessionsPerIp)
                {
                    refusal = $"{key} already has {state.Sessions} sessions (the limit per address)";
                    state = null;
                    return false;
                }
                state.Sessions++;
            }
            _total++;
            return true;
        }
    }

    /// <summary>Ends a session admitted by <see cref="TryAdmit"/>.</summary>
    public void Release(AddressState? state)
    {
        lock (_gate)
        {
            _total--;
            if (state is not null)
            {
                state.Sessions--;
                if (state.Sessions == 0 && state.Bucket is null)
                {
                    _addresses.Remove(state.Key);
                }
            }
        }
    }

    /// <summary>Forgets addresses with no session whose budget has refilled (called periodically).</summary>
    public void Sweep(long now)
    {
        lock (_gate)
        {
            foreach (var (key, state) in _addresses)
            {
                if (state.Sessions == 0 && (state.Bucket is null || state.Bucket.Balance(now) >= _limits.IpCostBurst))
                {
                    _addresses.Remove(key);
                }
            }
        }
    }
}
