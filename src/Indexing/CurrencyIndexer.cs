using Coinshard.Actors;
using Coinshard.Actors.Supervision;
using Coinshard.Backends;
using Coinshard.Chain.Networks;
using Coinshard.Indexing.Following;
using Coinshard.Indexing.Shards;
using Coinshard.Storage;

using Microsoft.Extensions.Logging;

namespace Coinshard.Indexing;

/// <summary>
/// One currency's running index: a chain follower actor (writes while it holds the currency's lease,
/// stands by otherwise) plus the scripthash shards, over one store. Start it with <see cref="StartAsync"/>;
/// dispose it for an ordered shutdown (follower stopped, lease released, shards stopped, store closed).
/// </summary>
/// <remarks>
/// Actors are named <c>{network}-follower</c> and <c>{network}-scripthash-{i}</c> in the given system, so one
/// system runs at most one indexer per network. The follower restarts with backoff (1 s to 30 s) after an
/// unexpected failure and resumes from the stored tip; more than 10 failures in 5 minutes stop it, and the
/// system reports unhealthy (the status then shows <see cref="FollowerState.Faulted"/>).
/// </remarks>
public sealed class CurrencyIndexer : ICurrencyIndex
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromHours(1);

    private readonly FollowerShared _shared;
    private readonly ActorSystem _system;
    private readonly ILogger _logger;
    private int _disposed;

    private CurrencyIndexer(FollowerShared shared, ActorSystem system, ActorRef<FollowerMessage> follower, ILogger logger)
    {
        _shared = shared;
        _system = system;
        Follower = follower;
        _logger = logger;
        _ = WatchFollowerAsync();
    }

    /// <summary>
    /// Starts indexing one currency and returns at once, whatever the state of the backend and the store:
    /// the follower opens the store, checks that the backend is on <see cref="IndexerOptions.Network"/>,
    /// takes the lease and catches up in the background. Watch <see cref="Status"/>.
    /// </summary>
    /// <param name="options">The currency's configuration.</param>
    /// <param name="backend">Where blocks come from.</param>
    /// <param name="store">Where the index lives (SQLite file or PostgreSQL).</param>
    /// <param name="system">The actor system to run the follower and shards in.</param>
    /// <param name="logs">Logger factory for the follower's progress and state changes.</param>
    /// <param name="cancellationToken">Cancels the start (nothing is awaited, so rarely useful).</param>
    /// <exception cref="ArgumentException">Invalid options, or this system already runs an indexer for the network.</exception>
    public static Task<CurrencyIndexer> StartAsync(
        IndexerOptions options,
        IBlockSource backend,
        StoreOptions store,
        ActorSystem system,
        ILoggerFactory logs,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(logs);
        ArgumentNullException.ThrowIfNull(options.Network);
        cancellationToken.ThrowIfCancellationRequested();
        Validate(options);

        var logger = logs.CreateLogger<CurrencyIndexer>();
        FollowerShared? shared = null;
        var context = new ShardContext(() => shared?.Store, options.Mode, options.StatusCacheEntries, options.MaxHistory);
        var shards = new ScripthashShards(system, $"{options.Network.Name}-scripthash", options.ShardCount, context, new ActorOptions { MailboxCapacity = 1000 });
        shared = new FollowerShared(options, backend, store, shards, logger, system.TimeProvider);
        var follower = system.Spawn(
            $"{options.Network.Name}-follower",
            () => new ChainFollower(shared),
            new ActorOptions
            {
                MailboxCapacity = 256,
                StopMode = StopMode.Reject,
                DrainTimeout = TimeSpan.FromSeconds(5),
                Supervision = new SupervisionStrategy
                {
                    MinBackoff = TimeSpan.FromSeconds(1),
                    MaxBackoff = TimeSpan.FromSeconds(30),
                    MaxRestarts = 10,
                    Window = TimeSpan.FromMinutes(5),
                },
            });
        return Task.FromResult(new CurrencyIndexer(shared, system, follower, logger));
    }

    /// <inheritdoc />
    public Network Network => _shared.Options.Network;

    /// <summary>The configuration this index runs with.</summary>
    public IndexerOptions Options => _shared.Options;

    /// <inheritdoc />
    /// <exception cref="StoreUnavailableException">The store is not open yet (the status says why: <see cref="FollowerState.WaitingForStore"/>).</exception>
    public ChainStore Store => _shared.Store
        ?? throw new StoreUnavailableException(
            $"the {_shared.CoinName} store is not open yet ({_shared.Status.State}{(_shared.Status.LastError is { } e ? ": " + e : "")})", transient: true);

    /// <inheritdoc />
    public FollowerStatus Status => _shared.Status;

    /// <summary>The scripthash shards: Electrum statuses and subscriptions of this currency.</summary>
    public ScripthashShards Shards => _shared.Shards;

    /// <summary>Blocks this process connected, and the write transactions that carried them (catch-up batches several blocks per transaction).</summary>
    public (long Blocks, long Transactions) WriteCounters => (_shared.BlocksConnected, _shared.WriteTransactions);

    /// <summary>The follower actor (tests and metrics).</summary>
    internal ActorRef<FollowerMessage> Follower { get; }

    /// <inheritdoc />
    /// <exception cref="NotWriterException">Another process holds the lease; send the rewind to the writer.</exception>
    /// <exception cref="StoreException">The store is not open or failed.</exception>
    public async Task<RewindResult> RewindAsync(int height, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        var reply = await Follower.AskAsync<CommandReply<RewindResult>>(r => new RewindRequest(height, r), CommandTimeout, cancellationToken).ConfigureAwait(false);
        return reply.Error is { } error ? throw error : reply.Value!;
    }

    /// <inheritdoc />
    /// <exception cref="NotWriterException">Another process holds the lease; send the reset to the writer.</exception>
    /// <exception cref="StoreException">The store is not open or failed.</exception>
    public async Task ResetAsync(CancellationToken cancellationToken = default)
    {
        var reply = await Follower.AskAsync<CommandReply<bool>>(r => new ResetRequest(r), CommandTimeout, cancellationToken).ConfigureAwait(false);
        if (reply.Error is { } error)
        {
            throw error;
        }
    }

    /// <summary>This process's latest snapshot load (running, complete or failed), or null when none was started here.</summary>
    public Snapshots.SnapshotLoadReport? SnapshotLoad => _shared.Snapshot?.Current;

    /// <summary>
    /// Starts loading a <c>dumptxoutset</c> file into this (utxo-mode) index in the background and returns once it
    /// runs; <see cref="SnapshotLoad"/> shows its progress. The follower writes no block meanwhile and follows from
    /// the snapshot's base block afterwards. The index must be empty (or hold an interrupted load), unless
    /// <paramref name="reset"/> empties it first.
    /// </summary>
    /// <exception cref="Snapshots.SnapshotLoadException">The file cannot be opened, is malformed or is for another network.</exception>
    /// <exception cref="StoreNotEmptyException">The index holds a chain and <paramref name="reset"/> is false.</exception>
    /// <exception cref="InvalidOperationException">A load is already running.</exception>
    /// <exception cref="NotWriterException">Another process holds the lease.</exception>
    public async Task LoadSnapshotAsync(Snapshots.SnapshotSource source, bool reset = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        var reply = await Follower.AskAsync<CommandReply<bool>>(r => new SnapshotLoadRequest(source, reset, r), CommandTimeout, cancellationToken).ConfigureAwait(false);
        if (reply.Error is { } error)
        {
            throw error;
        }
    }

    /// <summary>Ordered shutdown: stops the follower, releases the lease (another node takes over at once), stops the shards, closes the store.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _shared.Stopping = true;
        await Follower.StopAsync().ConfigureAwait(false);
        if (_shared.Snapshot is { Task: { } load } job)
        {
            // Left recorded as interrupted: the next start loads again (configured file) or asks for an operator.
            await job.Cancel.CancelAsync().ConfigureAwait(false);
            await load.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).ConfigureAwait(false);
        }
        if (_shared.Store is { } store)
        {
            if (_shared.Lease is { } lease)
            {
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    await store.ReleaseLeaseAsync(lease, timeout.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is StoreException or OperationCanceledException)
                {
                    // It expires on its own after the lease time-to-live.
                }
                _shared.Lease = null;
            }
        }
        await _shared.Shards.StopAsync().ConfigureAwait(false);
        if (_shared.Store is { } open)
        {
            _shared.Store = null;
            await open.DisposeAsync().ConfigureAwait(false);
        }
        _shared.Publish(_shared.Status with { State = FollowerState.Stopped, HoldsLease = false, Progress = null });
    }

    private async Task WatchFollowerAsync()
    {
        await Follower.Completion.ConfigureAwait(false);
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }
        var failure = _system.Health.Failures.LastOrDefault(f => f.ActorPath == Follower.Path);
        if (failure is null)
        {
            // The actor system shut down around us (the host skipped DisposeAsync): the lease expires on its own.
            _shared.Publish(_shared.Status with { State = FollowerState.Stopped, HoldsLease = false, Progress = null });
            return;
        }
        var reason = $"the follower failed repeatedly and was stopped: {failure.Exception.Message}";
        IndexerLog.FollowerGone(_logger, Network.Name, reason);
        _shared.Publish(_shared.Status with { State = FollowerState.Faulted, LastError = reason, Progress = null });
    }

    private static void Validate(IndexerOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ShardCount, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PrefetchBlocks, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.StatusCacheEntries, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxHistory, 1, nameof(options));
        if (options.StartHeight is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.StartHeight, "the start height must not be negative");
        }
        if (options.UndoDepth is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.UndoDepth, "the undo depth must be at least 1");
        }
        if (options.PollInterval <= TimeSpan.Zero || options.LeaseTtl <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "the poll interval and the lease time-to-live must be positive");
        }
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Owner, nameof(options));
        if (options.Snapshot is { } snapshot)
        {
            if (options.Mode != IndexMode.Utxo)
            {
                throw new ArgumentException("a snapshot can only be loaded into a utxo-mode index (it carries no history)", nameof(options));
            }
            ArgumentException.ThrowIfNullOrWhiteSpace(snapshot.Path, nameof(options));
            ArgumentOutOfRangeException.ThrowIfNegative(snapshot.DustLimit, nameof(options));
        }
    }
}

/// <summary>Log lines of the indexer facade.</summary>
internal static partial class IndexerLog
{
    [LoggerMessage(EventId = 150, Level = LogLevel.Error, Message = "{Network}: {Reason}")]
    public static partial void FollowerGone(ILogger logger, string network, string reason);
}
