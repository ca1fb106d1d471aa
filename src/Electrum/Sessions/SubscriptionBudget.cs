using System.Net;

using Coinshard.Electrum.Limits;
using Coinshard.Electrum.Server;

namespace Coinshard.Electrum.Sessions;

/// <summary>
/// Counts scripthash subscriptions per session and per client address against
/// <see cref="ElectrumLimits.MaxSubscriptionsPerSession"/> and <see cref="ElectrumLimits.MaxSubscriptionsPerIp"/>.
/// The method handler owns subscriptions, so it asks here before adding one (<see cref="TryAdd(IElectrumSession, out string?)"/>)
/// and reports each removal (<see cref="Remove"/>); the server releases whatever a session still
/// holds when it closes (<see cref="RemoveAll"/>). Thread-safe; counts only, no scripthashes.
/// </summary>
public sealed class SubscriptionBudget
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, (IPAddress? Key, int Count)> _sessions = [];
    private readonly Dictionary<IPAddress, int> _addresses = [];
    private readonly ClientAddress _clientAddress;
    private long _total;

    /// <summary>A budget with the subscription limits (and exempt addresses) of <paramref name="limits"/>.</summary>
    public SubscriptionBudget(ElectrumLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        MaxPerSession = limits.MaxSubscriptionsPerSession;
        MaxPerAddress = limits.MaxSubscriptionsPerIp;
        _clientAddress = new ClientAddress(limits.ExemptLoopback, limits.ExemptSubnets);
    }

    /// <summary>Most subscriptions one session may hold.</summary>
    public int MaxPerSession { get; }

    /// <summary>Most subscriptions the sessions of one address may hold together (exempt addresses: no limit).</summary>
    public int MaxPerAddress { get; }

    /// <summary>Subscriptions held by all sessions.</summary>
    public long Total => Interlocked.Read(ref _total);

    /// <summary>
    /// Counts one more subscription for <paramref name="session"/>, or refuses (false) when the session
    /// or its address is at its limit; <paramref name="refusal"/> is then one line for the client.
    /// Call it only for a scripthash the session does not follow yet.
    /// </summary>
    public bool TryAdd(IElectrumSession session, out string? refusal)
    {
        ArgumentNullException.ThrowIfNull(session);
        refusal = null;
        lock (_gate)
        {
            if (!_sessions.TryGetValue(session.Id, out var entry))
            {
                entry = (_clientAddress.IsExempt(session.RemoteAddress) ? null : ClientAddress.KeyOf(session.RemoteAddress), 0);
            }
            if (entry.Count >= MaxPerSession)
            {
                refusal = $"too many subscriptions: a session may hold at most {MaxPerSession}";
                return false;
            }
            if (entry.Key is { } key)
            {
                var perAddress = _addresses.GetValueOrDefault(key);
                if (perAddress >= MaxPerAddress)
                {
                    refusal = $"too many subscriptions: the sessions of one address may hold at most {MaxPerAddress}";
                    return false;
                }
                _addresses[key] = perAddress + 1;
            }
            _sessions[session.Id] = (entry.Key, entry.Count + 1);
            _total++;
            return true;
        }
    }

    /// <summary>Counts one more subscription, or refuses; see <see cref="TryAdd(IElectrumSession, out string?)"/>.</summary>
    public bool TryAdd(IElectrumSession session) => TryAdd(session, out _);

    /// <summary>Counts one subscription fewer (an unsubscribe); does nothing when the session holds none.</summary>
    public void Remove(IElectrumSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        lock (_gate)
        {
            if (_sessions.TryGetValue(session.Id, out var entry))
            {
                Release(session.Id, entry, 1);
            }
        }
    }

    /// <summary>Releases everything <paramref name="session"/> holds (it closed).</summary>
    public void RemoveAll(IElectrumSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        lock (_gate)
        {
            if (_sessions.TryGetValue(session.Id, out var entry))
            {
                Release(session.Id, entry, entry.Count);
            }
        }
    }

    /// <summary>Subscriptions held by <paramref name="session"/>.</summary>
    public int CountOf(IElectrumSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        lock (_gate)
        {
            return _sessions.TryGetValue(session.Id, out var entry) ? entry.Count : 0;
        }
    }

    /// <summary>Subscriptions held by the sessions of <paramref name="address"/> (0 for exempt addresses).</summary>
    public int CountOf(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        lock (_gate)
        {
            return _addresses.GetValueOrDefault(ClientAddress.KeyOf(address));
        }
    }

    private void Release(long sessionId, (IPAddress? Key, int Count) entry, int count)
    {
        if (entry.Count - count <= 0)
        {
            _sessions.Remove(sessionId);
        }
        else
        {
            _sessions[sessionId] = (entry.Key, entry.Count - count);
        }
        if (entry.Key is { } key)
        {
            var left = _addresses.GetValueOrDefault(key) - count;
            if (left <= 0)
            {
                _addresses.Remove(key);
            }
            else
            {
                _addresses[key] = left;
            }
        }
        _total -= count;
    }
}
