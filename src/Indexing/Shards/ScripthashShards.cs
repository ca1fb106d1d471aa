using System.Buffers.Binary;

using Coinshard.Actors;
using Coinshard.Actors.Sharding;
using Coinshard.Chain.Hashing;
using Coinshard.Storage;

namespace Coinshard.Indexing.Shards;

/// <summary>
/// The scripthash shards of one currency: <see cref="ShardCount"/> actors behind a
/// <see cref="ShardRegion{TMessage}"/>, each owning the script hashes whose 8-byte key
/// (<see cref="ScripthashKeys.Of"/>) maps to it (<see cref="ShardHash"/> of the key's 8 little-endian
/// bytes, so every node of a cluster agrees). They cache Electrum statuses, hold subscriptions, and
/// recompute and notify after every block that touches a subscribed script hash. The chain follower
/// feeds them each block's touched keys, batched per shard; a future mempool feeds them through the
/// same <see cref="PublishAsync"/> and <see cref="Unconfirmed"/>.
/// </summary>
public sealed class ScripthashShards
{
    private readonly ShardRegion<ShardMessage> _region;
    private readonly ShardContext _context;

    internal ScripthashShards(IActorSpawner spawner, string name, int shardCount, ShardContext context, ActorOptions? options = null)
    {
        _context = context;
        _region = new ShardRegion<ShardMessage>(
            spawner,
            name,
            shardCount,
            index => new ScripthashShard(index, context),
            static message => message switch
            {
                GetStatus get => KeyBytes(get.Scripthash),
                Subscribe subscribe => KeyBytes(subscribe.Scripthash),
                Unsubscribe unsubscribe => KeyBytes(unsubscribe.Scripthash),
                _ => [],
            },
            options);
    }

    /// <summary>Number of shards (fixed; recorded in the store).</summary>
    public int ShardCount => _region.ShardCount;

    /// <summary>The shard actors, for metrics (mailbox depth, restarts).</summary>
    public IReadOnlyList<ActorRef> Shards => _region.Shards;

    /// <summary>How long status requests may take before they fail (large histories are read from the store).</summary>
    public TimeSpan AskTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Mempool entries to append to statuses (the seam for the Electrum gateway's mempool); null: confirmed only.</summary>
    public IUnconfirmedHistory? Unconfirmed
    {
        get => _context.Unconfirmed;
        set => _context.Unconfirmed = value;
    }

    /// <summary>The shard that owns an 8-byte scripthash key.</summary>
    public int ShardIndexOf(ulong key)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, key);
        return _region.ShardIndexOf(bytes);
    }

    /// <summary>The shard that owns <paramref name="scripthash"/>.</summary>
    public int ShardIndexOf(Hash256 scripthash) => ShardIndexOf(ScripthashKeys.Of(scripthash));

    /// <summary>The current Electrum status of <paramref name="scripthash"/> (cached until a block touches it).</summary>
    /// <exception cref="StoreException">The store cannot answer (not open yet, unreachable).</exception>
    public async Task<ScripthashStatus> GetStatusAsync(Hash256 scripthash, CancellationToken cancellationToken = default)
    {
        var reply = await _region.AskAsync<ShardReply<ScripthashStatus>>(r => new GetStatus(scripthash, r), AskTimeout, cancellationToken).ConfigureAwait(false);
        return Unwrap(reply);
    }

    /// <summary>
    /// Subscribes <paramref name="subscriber"/> to status changes of <paramref name="scripthash"/> and returns the
    /// current status (Electrum's <c>blockchain.scripthash.subscribe</c>). Subscribing twice is harmless.
    /// Notifications are sent with <c>TryTell</c>: a subscriber with a full mailbox misses one.
    /// </summary>
    /// <exception cref="StoreException">The store cannot answer; nothing was subscribed.</exception>
    public async Task<ScripthashStatus> SubscribeAsync(Hash256 scripthash, IActorRef<ScripthashStatusChanged> subscriber, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        var reply = await _region.AskAsync<ShardReply<ScripthashStatus>>(r => new Subscribe(scripthash, subscriber, r), AskTimeout, cancellationToken).ConfigureAwait(false);
        return Unwrap(reply);
    }

    /// <summary>Ends a subscription; false when there was none.</summary>
    public async Task<bool> UnsubscribeAsync(Hash256 scripthash, IActorRef<ScripthashStatusChanged> subscriber, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        var reply = await _region.AskAsync<ShardReply<bool>>(r => new Unsubscribe(scripthash, subscriber, r), AskTimeout, cancellationToken).ConfigureAwait(false);
        return Unwrap(reply);
    }

    /// <summary>
    /// Tells the owning shards that these keys' coins or history changed at <paramref name="height"/>: one
    /// message per shard, waiting for mailbox room (back-pressure). The follower calls it for every connected
    /// and disconnected block; a mempool may call it for unconfirmed changes.
    /// </summary>
    public async Task PublishAsync(IEnumerable<ulong> touchedKeys, int height, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(touchedKeys);
        var perShard = new List<ulong>?[ShardCount];
        foreach (var key in touchedKeys)
        {
            (perShard[ShardIndexOf(key)] ??= []).Add(key);
        }
        for (var i = 0; i < perShard.Length; i++)
        {
            if (perShard[i] is { } keys)
            {
                await _region.Shards[i].TellAsync(new KeysChanged([.. keys], height), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Everything may have changed (index reset, change feed missed): every shard drops its cache and re-checks its subscriptions.</summary>
    public Task InvalidateAllAsync(int height, CancellationToken cancellationToken = default) =>
        _region.BroadcastAsync(new InvalidateAll(height), cancellationToken);

    /// <summary>Each shard's figures, by index.</summary>
    public async Task<IReadOnlyList<ShardInfo>> GetInfoAsync(CancellationToken cancellationToken = default)
    {
        var asks = _region.Shards.Select(s => s.AskAsync<ShardInfo>(r => new GetShardInfo(r), AskTimeout, cancellationToken));
        return await Task.WhenAll(asks).ConfigureAwait(false);
    }

    /// <summary>Stops the shards (after the follower, so no change is lost in between).</summary>
    internal Task StopAsync(TimeSpan? drainTimeout = null) => _region.StopAsync(drainTimeout);

    private static byte[] KeyBytes(Hash256 scripthash)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, ScripthashKeys.Of(scripthash));
        return bytes;
    }

    private static T Unwrap<T>(ShardReply<T> reply) =>
        reply.Error is { } error ? throw error : reply.Value!;
}
