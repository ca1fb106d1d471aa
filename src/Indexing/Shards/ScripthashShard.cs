using Coinshard.Actors;
using Coinshard.Chain.Hashing;
using Coinshard.Storage;

using Microsoft.Extensions.Logging;

namespace Coinshard.Indexing.Shards;

/// <summary>
/// One shard: owns the script hashes whose 8-byte key maps to it. Keeps a bounded LRU cache of their
/// Electrum statuses and their subscriptions; when a block touches a key it drops the cached status and,
/// for subscribed script hashes, recomputes the status from the store and notifies on change. Store
/// failures are answered or retried, never thrown: a restart would lose the subscriptions.
/// </summary>
internal sealed class ScripthashShard(int index, ShardContext context) : Actor<ShardMessage>
{
    private readonly LruCache<ulong, ScripthashStatus> _cache = new(context.CacheEntriesPerShard);
    private readonly Dictionary<Hash256, Subscription> _subscriptions = [];
    private readonly Dictionary<ulong, List<Hash256>> _subscribedByKey = [];

    // Subscriptions whose recomputation failed (store down): retried with the next change.
    private readonly HashSet<Hash256> _stale = [];

    protected override async ValueTask ReceiveAsync(ShardMessage message)
    {
        switch (message)
        {
            case GetStatus get:
                await get.ReplyTo.TellAsync(await TryStatusAsync(get.Scripthash, useCache: true).ConfigureAwait(false), Context.StoppingToken).ConfigureAwait(false);
                break;
            case Subscribe subscribe:
                await SubscribeAsync(subscribe).ConfigureAwait(false);
                break;
            case Unsubscribe unsubscribe:
                await unsubscribe.ReplyTo.TellAsync(new ShardReply<bool>(Remove(unsubscribe.Scripthash, unsubscribe.Subscriber), null), Context.StoppingToken).ConfigureAwait(false);
                break;
            case KeysChanged changed:
                await OnKeysChangedAsync(changed).ConfigureAwait(false);
                break;
            case InvalidateAll all:
                _cache.Clear();
                foreach (var scripthash in _subscriptions.Keys.ToList())
                {
                    await RecheckAsync(scripthash, all.Height).ConfigureAwait(false);
                }
                break;
            case GetShardInfo info:
                await info.ReplyTo.TellAsync(
                    new ShardInfo(index, _cache.Count, _subscriptions.Count, _subscriptions.Values.Sum(s => s.Subscribers.Count), Self.MailboxDepth),
                    Context.StoppingToken).ConfigureAwait(false);
                break;
        }
    }

    private async Task SubscribeAsync(Subscribe subscribe)
    {
        var reply = await TryStatusAsync(subscribe.Scripthash, useCache: true).ConfigureAwait(false);
        if (reply.Value is { } status)
        {
            if (!_subscriptions.TryGetValue(subscribe.Scripthash, out var subscription))
            {
                subscription = new Subscription();
                _subscriptions[subscribe.Scripthash] = subscription;
                var key = ScripthashKeys.Of(subscribe.Scripthash);
                if (!_subscribedByKey.TryGetValue(key, out var list))
                {
                    _subscribedByKey[key] = list = [];
                }
                list.Add(subscribe.Scripthash);
            }
            subscription.Subscribers.Add(subscribe.Subscriber);
            subscription.LastStatus = status.Status;
        }
        await subscribe.ReplyTo.TellAsync(reply, Context.StoppingToken).ConfigureAwait(false);
    }

    private bool Remove(Hash256 scripthash, IActorRef<ScripthashStatusChanged> subscriber)
    {
        if (!_subscriptions.TryGetValue(scripthash, out var subscription) || !subscription.Subscribers.Remove(subscriber))
        {
            return false;
        }
        if (subscription.Subscribers.Count == 0)
        {
            _subscriptions.Remove(scripthash);
            _stale.Remove(scripthash);
            var key = ScripthashKeys.Of(scripthash);
            var list = _subscribedByKey[key];
            list.Remove(scripthash);
            if (list.Count == 0)
            {
                _subscribedByKey.Remove(key);
            }
        }
        return true;
    }

    private async Task OnKeysChangedAsync(KeysChanged changed)
    {
        var recheck = new List<Hash256>();
        foreach (var key in changed.Keys)
        {
            _cache.Remove(key);
            if (_subscribedByKey.TryGetValue(key, out var scripthashes))
            {
                recheck.AddRange(scripthashes);
            }
        }
        recheck.AddRange(_stale.Where(s => !recheck.Contains(s)));
        foreach (var scripthash in recheck)
        {
            await RecheckAsync(scripthash, changed.Height).ConfigureAwait(false);
        }
    }

    private async Task RecheckAsync(Hash256 scripthash, int height)
    {
        if (!_subscriptions.TryGetValue(scripthash, out var subscription))
        {
            return;
        }
        var reply = await TryStatusAsync(scripthash, useCache: false).ConfigureAwait(false);
        if (reply.Value is not { } status)
        {
            _stale.Add(scripthash);
            return;
        }
        _stale.Remove(scripthash);
        if (status.Status == subscription.LastStatus)
        {
            return;
        }
        subscription.LastStatus = status.Status;
        var notification = new ScripthashStatusChanged(scripthash, status.Status, height);
        foreach (var subscriber in subscription.Subscribers.ToList())
        {
            // Never wait for a slow session; a stopped one is forgotten.
            if (!subscriber.TryTell(notification) && subscriber is ActorRef { IsStopped: true })
            {
                Remove(scripthash, subscriber);
            }
        }
    }

    private async Task<ShardReply<ScripthashStatus>> TryStatusAsync(Hash256 scripthash, bool useCache)
    {
        var key = ScripthashKeys.Of(scripthash);
        if (useCache && _cache.TryGet(key, out var cached) && cached.Scripthash == scripthash)
        {
            return new ShardReply<ScripthashStatus>(cached, null);
        }
        try
        {
            var status = await ComputeAsync(scripthash).ConfigureAwait(false);
            _cache.Set(key, status);
            return new ShardReply<ScripthashStatus>(status, null);
        }
        catch (StoreException e)
        {
            ShardLog.StatusFailed(Context.Logger, index, scripthash.ToString(), e.Message);
            return new ShardReply<ScripthashStatus>(null, e);
        }
    }

    private async Task<ScripthashStatus> ComputeAsync(Hash256 scripthash)
    {
        var store = context.Store
            ?? throw new StoreUnavailableException("the store is not open yet; script hash statuses are unavailable until it is", transient: true);
        var ct = Context.StoppingToken;
        var confirmed = await ConfirmedHistory.ReadAsync(store, context.Mode, scripthash, context.MaxHistory, ct).ConfigureAwait(false);
        if (confirmed.TooLarge)
        {
            return new ScripthashStatus(scripthash, null, confirmed.Count, HistoryTooLarge: true);
        }
        var entries = new List<StatusEntry>(confirmed.Entries);
        if (context.Unconfirmed is { } mempool)
        {
            entries.AddRange(await mempool.GetAsync(scripthash, ct).ConfigureAwait(false));
        }
        return new ScripthashStatus(scripthash, ElectrumStatus.Compute(entries), entries.Count);
    }

    private sealed class Subscription
    {
        public HashSet<IActorRef<ScripthashStatusChanged>> Subscribers { get; } = [];

        public string? LastStatus { get; set; }
    }
}

/// <summary>Log lines of the shards.</summary>
internal static partial class ShardLog
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "shard {Shard}: status of {Scripthash} unavailable: {Reason}")]
    public static partial void StatusFailed(ILogger logger, int shard, string scripthash, string reason);
}
