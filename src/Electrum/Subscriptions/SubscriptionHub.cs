using Coinshard.Chain.Encoding;
using Coinshard.Chain.Hashing;
using Coinshard.Electrum.Methods;
using Coinshard.Electrum.Protocol;
using Coinshard.Electrum.Sessions;
using Coinshard.Storage;

namespace Coinshard.Electrum.Subscriptions;

/// <summary>
/// Who is subscribed to what: header subscribers, and per scripthash the sessions and the last
/// status sent. When scripthash keys are touched (a block, a reorg, a mempool change) the statuses
/// of the subscribed scripthashes under those keys are recomputed once, and each session is
/// notified only when the status really changed.
/// </summary>
public sealed class SubscriptionHub
{
    /// <summary>Computes the current status of a scripthash (confirmed + mempool).</summary>
    public delegate Task<string?> StatusSource(Hash256 scripthash, CancellationToken cancellationToken);

    private readonly StatusSource _status;
    private readonly SubscriptionBudget _budget;
    private readonly Lock _gate = new();
    private readonly HashSet<IElectrumSession> _headerSubscribers = [];
    private readonly Dictionary<ulong, Dictionary<Hash256, Subscription>> _byKey = [];
    private readonly Dictionary<IElectrumSession, HashSet<Hash256>> _bySession = [];
    private const int MaxSubscribeAttempts = 5;
    private long _rounds; // notification rounds started (under _gate)

    /// <summary>
    /// Creates a hub computing statuses with <paramref name="status"/>; every new scripthash of a session
    /// is charged to the server's <paramref name="budget"/> (per-session and per-address limits).
    /// </summary>
    public SubscriptionHub(StatusSource status, SubscriptionBudget budget)
    {
        _status = status ?? throw new ArgumentNullException(nameof(status));
        _budget = budget ?? throw new ArgumentNullException(nameof(budget));
    }

    /// <summary>Scripthashes subscribed by anyone.</summary>
    public int ScripthashCount
    {
        get
        {
            lock (_gate)
            {
                return _byKey.Values.Sum(d => d.Count);
            }
        }
    }

    /// <summary>Adds a header subscriber.</summary>
    public void SubscribeHeaders(IElectrumSession session)
    {
        lock (_gate)
        {
            _headerSubscribers.Add(session);
        }
    }

    /// <summary>Sends the new tip to every header subscriber (only the tip, as the protocol says).</summary>
    public void NotifyTip(int height, byte[] header)
    {
        var payload = JsonRpcWriter.Result(w =>
        {
            w.WriteStartArray();
            w.WriteStartObject();
            w.WriteNumber("height", height);
            w.WriteString("hex", Hex.Encode(header));
            w.WriteEndObject();
            w.WriteEndArray();
        });
        foreach (var session in Snapshot(_headerSubscribers))
        {
            session.TryNotify("blockchain.headers.subscribe", payload);
        }
    }

    /// <summary>Subscribes and returns the current status.</summary>
    /// <exception cref="ElectrumRequestException">The session is at its subscription limit.</exception>
    public async Task<string?> SubscribeAsync(IElectrumSession session, Hash256 scripthash, CancellationToken cancellationToken)
    {
        bool isNew;
        lock (_gate)
        {
            isNew = !(_bySession.GetValueOrDefault(session)?.Contains(scripthash) ?? false);
        }
        if (isNew && !_budget.TryAdd(session, out var refusal))
        {
            throw ElectrumRequestException.BadRequest(refusal ?? "too many subscriptions");
        }

        string? status;
        for (var attempt = 1; ; attempt++)
        {
            long round;
            lock (_gate)
            {
                round = _rounds;
            }
            try
            {
                status = await _status(scripthash, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                if (isNew)
                {
                    _budget.Remove(session);
                }
                throw;
            }
            lock (_gate)
            {
                // A notification round that started while the status was computed did not see this subscription
                // yet: its change might be missing from the status and would then never be notified. Compute again.
                if (_rounds != round && attempt < MaxSubscribeAttempts)
                {
                    continue;
                }
                Register(session, scripthash, status, isNew);
                return status;
            }
        }
    }

    // Under _gate.
    private void Register(IElectrumSession session, Hash256 scripthash, string? status, bool isNew)
    {
        if (!_bySession.TryGetValue(session, out var mine))
        {
            _bySession[session] = mine = [];
        }
        if (!mine.Add(scripthash) && isNew)
        {
            _budget.Remove(session); // a concurrent subscribe of the same scripthash already paid
        }
        var key = ScripthashKeys.Of(scripthash);
        if (!_byKey.TryGetValue(key, out var under))
        {
            _byKey[key] = under = [];
        }
        if (!under.TryGetValue(scripthash, out var subscription))
        {
            under[scripthash] = subscription = new Subscription(status);
        }
        subscription.Sessions.Add(session);
    }

    /// <summary>Removes one subscription; false when the session was not subscribed.</summary>
    public bool Unsubscribe(IElectrumSession session, Hash256 scripthash)
    {
        lock (_gate)
        {
            if (!_bySession.TryGetValue(session, out var mine) || !mine.Remove(scripthash))
            {
                return false;
            }
            RemoveFromKey(session, scripthash);
            _budget.Remove(session);
            return true;
        }
    }

    /// <summary>Drops everything a closed session held (the server releases its budget).</summary>
    public void SessionClosed(IElectrumSession session)
    {
        lock (_gate)
        {
            _headerSubscribers.Remove(session);
            if (_bySession.Remove(session, out var mine))
            {
                foreach (var scripthash in mine)
                {
                    RemoveFromKey(session, scripthash);
                }
            }
        }
    }

    /// <summary>Recomputes the statuses under <paramref name="keys"/> (null: all) and notifies changes.</summary>
    public async Task<int> OnKeysTouchedAsync(IReadOnlyCollection<ulong>? keys, CancellationToken cancellationToken)
    {
        List<(Hash256 Scripthash, Subscription Subscription)> affected = [];
        lock (_gate)
        {
            _rounds++;
            IEnumerable<Dictionary<Hash256, Subscription>> groups = keys is null
                ? _byKey.Values
                : keys.Select(k => _byKey.GetValueOrDefault(k)).OfType<Dictionary<Hash256, Subscription>>();
            foreach (var group in groups)
            {
                affected.AddRange(group.Select(p => (p.Key, p.Value)));
            }
        }

        var notified = 0;
        foreach (var (scripthash, subscription) in affected)
        {
            string? status;
            try
            {
                status = await _status(scripthash, cancellationToken).ConfigureAwait(false);
            }
            catch (ElectrumRequestException)
            {
                // Its history grew past the server's limit: it has no status to send any more (its requests get
                // the history-too-large error), and the other subscriptions of this round are still notified.
                continue;
            }
            IElectrumSession[] sessions;
            lock (_gate)
            {
                if (status == subscription.LastStatus)
                {
                    continue;
                }
                subscription.LastStatus = status;
                sessions = [.. subscription.Sessions];
            }
            var payload = JsonRpcWriter.Result(w =>
            {
                w.WriteStartArray();
                w.WriteStringValue(scripthash.ToString());
                if (status is null)
                {
                    w.WriteNullValue();
                }
                else
                {
                    w.WriteStringValue(status);
                }
                w.WriteEndArray();
            });
            foreach (var session in sessions)
            {
                if (session.TryNotify("blockchain.scripthash.subscribe", payload))
                {
                    notified++;
                }
            }
        }
        return notified;
    }

    private void RemoveFromKey(IElectrumSession session, Hash256 scripthash)
    {
        var key = ScripthashKeys.Of(scripthash);
        if (_byKey.TryGetValue(key, out var under) && under.TryGetValue(scripthash, out var subscription))
        {
            subscription.Sessions.Remove(session);
            if (subscription.Sessions.Count == 0)
            {
                under.Remove(scripthash);
                if (under.Count == 0)
                {
                    _byKey.Remove(key);
                }
            }
        }
    }

    private IElectrumSession[] Snapshot(HashSet<IElectrumSession> set)
    {
        lock (_gate)
        {
            return [.. set];
        }
    }

    private sealed class Subscription(string? status)
    {
        public string? LastStatus { get; set; } = status;

        public HashSet<IElectrumSession> Sessions { get; } = [];
    }
}
