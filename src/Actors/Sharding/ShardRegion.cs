using Coinshard.Actors.Internal;

namespace Coinshard.Actors.Sharding;

/// <summary>
/// N actors of one kind, each owning the keys that <see cref="ShardHash"/> maps to it, behind one reference:
/// telling the region routes the message to the shard of its key, so per-key state lives in exactly one actor
/// and per-key order is preserved (one sender, one mailbox, FIFO). N is fixed at creation; changing it moves keys,
/// so deployments record it.
/// </summary>
/// <typeparam name="TMessage">Messages the shards handle.</typeparam>
public sealed class ShardRegion<TMessage> : IActorRef<TMessage>, IMessageTarget<TMessage>
{
    private readonly ActorRef<TMessage>[] _shards;
    private readonly ShardKeySelector<TMessage> _keySelector;
    private readonly TimeProvider _timeProvider;

    /// <summary>Spawns <paramref name="shardCount"/> shard actors named <c>{name}-{index}</c> under <paramref name="spawner"/>.</summary>
    /// <param name="spawner">The system (top-level shards) or an actor's context (shards as its children).</param>
    /// <param name="name">Region name, also the prefix of the shard names.</param>
    /// <param name="shardCount">Number of shards, at least 1.</param>
    /// <param name="shardFactory">Makes a fresh instance for the shard with the given index (called again on restarts).</param>
    /// <param name="keySelector">Extracts a message's routing key.</param>
    /// <param name="options">Settings for every shard; the system's defaults when null.</param>
    public ShardRegion(
        IActorSpawner spawner,
        string name,
        int shardCount,
        Func<int, Actor<TMessage>> shardFactory,
        ShardKeySelector<TMessage> keySelector,
        ActorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(spawner);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        ArgumentNullException.ThrowIfNull(shardFactory);
        ArgumentNullException.ThrowIfNull(keySelector);
        Name = name;
        Path = spawner.Path + "/" + name;
        _keySelector = keySelector;
        _shards = new ActorRef<TMessage>[shardCount];
        for (var i = 0; i < shardCount; i++)
        {
            var index = i;
            _shards[i] = spawner.Spawn($"{name}-{index}", () => shardFactory(index), options);
        }

        _timeProvider = _shards[0].System.TimeProvider;
    }

    /// <summary>The region's name.</summary>
    public string Name { get; }

    /// <summary>Spawner path + "/" + name (the shards themselves are <c>{spawner}/{name}-{index}</c>).</summary>
    public string Path { get; }

    /// <summary>Number of shards, fixed for the region's life.</summary>
    public int ShardCount => _shards.Length;

    /// <summary>The shard actors by index, for metrics and for talking to one shard directly.</summary>
    public IReadOnlyList<ActorRef<TMessage>> Shards => _shards;

    TimeProvider IMessageTarget<TMessage>.TimeProvider => _timeProvider;

    /// <summary>Index of the shard that owns <paramref name="key"/>; lets a producer batch keys per shard.</summary>
    public int ShardIndexOf(ReadOnlySpan<byte> key) => ShardHash.ShardIndex(key, _shards.Length);

    /// <summary>The shard that owns <paramref name="key"/>.</summary>
    public ActorRef<TMessage> ShardFor(ReadOnlySpan<byte> key) => _shards[ShardIndexOf(key)];

    /// <summary>The shard that owns <paramref name="message"/>'s key.</summary>
    public ActorRef<TMessage> ShardFor(TMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return ShardFor(_keySelector(message));
    }

    /// <summary>Routes to the key's shard without waiting; false when that shard's mailbox is full or it stopped.</summary>
    public bool TryTell(TMessage message) => ShardFor(message).TryTell(message);

    /// <summary>Routes to the key's shard, waiting while its mailbox is full.</summary>
    /// <exception cref="ActorStoppedException">That shard has stopped.</exception>
    public ValueTask TellAsync(TMessage message, CancellationToken cancellationToken = default) =>
        ShardFor(message).TellAsync(message, cancellationToken);

    /// <summary>Asks the shard that owns the built message's key.</summary>
    /// <inheritdoc cref="ActorRefExtensions.AskAsync{TMessage, TResponse}"/>
    public Task<TResponse> AskAsync<TResponse>(Func<IActorRef<TResponse>, TMessage> createMessage, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        ActorRefExtensions.AskAsync(this, createMessage, timeout, cancellationToken);

    /// <summary>
    /// Sends the same message to every shard, in index order, waiting for room in each mailbox (for example a
    /// new tip that every shard must see). Stops at the first stopped shard, whose exception it throws.
    /// </summary>
    public async Task BroadcastAsync(TMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        foreach (var shard in _shards)
        {
            await shard.TellAsync(message, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Stops the shards, highest index first, each with its own stop mode and all with one drain deadline
    /// (<paramref name="drainTimeout"/>, or the shards' <see cref="ActorOptions.DrainTimeout"/>).
    /// </summary>
    public async Task StopAsync(TimeSpan? drainTimeout = null)
    {
        var deadline = StopRequest.DeadlineAfter(_timeProvider, drainTimeout ?? _shards[0].Options.DrainTimeout);
        for (var i = _shards.Length - 1; i >= 0; i--)
        {
            await _shards[i].StopCoreAsync(deadline).ConfigureAwait(false);
        }
    }

    ValueTask IMessageTarget<TMessage>.PostAsync(TMessage message, IPromise? promise, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return ((IMessageTarget<TMessage>)ShardFor(message)).PostAsync(message, promise, cancellationToken);
    }
}
