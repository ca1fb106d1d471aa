using Coinshard.Actors;
using Coinshard.Backends;
using Coinshard.Chain;
using Coinshard.Chain.Blocks;
using Coinshard.Chain.Hashing;
using Coinshard.Indexing.Applying;
using Coinshard.Indexing.Fetching;
using Coinshard.Storage;

namespace Coinshard.Indexing.Following;

/// <summary>
/// The chain follower of one currency (a cluster-wide singleton by lease). It works in small steps, each
/// a message to itself, so operator commands interleave: open the store, check the backend's network,
/// hold the lease, then connect batches of prefetched blocks until the node's tip, then wait for new
/// tips. Reorgs are walked back to the fork point with undo data; deeper ones fault with the way out.
/// Expected failures become states (waiting for the store or the backend, standing by, faulted) with
/// backoff; anything else crashes the instance, and supervision restarts it from the stored tip.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "Actors release resources in PostStopAsync, which runs on every stop and restart.")]
internal sealed class ChainFollower(FollowerShared shared) : Actor<FollowerMessage>
{
    /// <summary>Most blocks written in one transaction while catching up.</summary>
    public const int MaxBatchBlocks = 50;

    /// <summary>
    /// Most inputs+outputs written in one transaction while catching up (one large block may exceed it alone).
    /// Each SQLite commit is followed by a WAL checkpoint, so fewer, larger writes cost much less: on the
    /// 100,000-transaction regtest chain of indexing.catchup, 50,000 instead of 20,000 took 22% (utxo) to 27%
    /// (full) less CPU for about 40 MB more peak memory; PostgreSQL is indifferent.
    /// </summary>
    public const int MaxBatchInputsAndOutputs = 50_000;

    private static readonly TimeSpan MinBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ReminderEvery = TimeSpan.FromMinutes(1);

    private readonly IndexerOptions _options = shared.Options;
    private readonly BlockDeltaBuilder _builder = new(shared.Options.Network, shared.Options.Mode, shared.StartHeight);
    private readonly ProgressMeter _progress = new(shared.Time);
    private long _generation;
    private ChainTip? _tip;
    private bool _tipLoaded;
    private bool _backendVerified;
    private bool _snapshotSeen;
    private BlockPrefetcher? _prefetcher;
    private LeaseKeeper? _keeper;
    private int _failures;
    private DateTimeOffset _nextLeaseAttempt = DateTimeOffset.MinValue;
    private DateTimeOffset _stateSince;
    private DateTimeOffset _lastReminder;
    private FollowerState? _stateAfterWrite;

    private string NetworkName => _options.Network.Name;

    private FollowerStatus Status => shared.Status;

    private TimeProvider Time => shared.Time;

    protected override ValueTask PreStartAsync()
    {
        _stateSince = _lastReminder = Time.GetUtcNow();
        // A restarted instance has no lease keeper: take the lease again (same owner, so at once).
        shared.Lease = null;
        Publish(Status with { HoldsLease = false });
        if (Status.State is not FollowerState.Faulted)
        {
            ScheduleStep(TimeSpan.Zero);
        }
        return ValueTask.CompletedTask;
    }

    protected override async ValueTask PostStopAsync()
    {
        await StopPrefetchAsync().ConfigureAwait(false);
        await StopKeeperAsync().ConfigureAwait(false);
    }

    protected override async ValueTask ReceiveAsync(FollowerMessage message)
    {
        switch (message)
        {
            case Step step when step.Generation == _generation && !shared.Stopping:
                await StepAsync().ConfigureAwait(false);
                break;
            case LeaseLost lost when _keeper?.Id == lost.KeeperId:
                await OnLeaseLostAsync(lost.Reason, lost.StoreFailing).ConfigureAwait(false);
                ScheduleStep(TimeSpan.Zero);
                break;
            case RewindRequest rewind:
                await rewind.ReplyTo.TellAsync(await RunCommandAsync(() => RewindAsync(rewind.Height)).ConfigureAwait(false), Context.StoppingToken).ConfigureAwait(false);
                break;
            case SnapshotLoadRequest load:
                await load.ReplyTo.TellAsync(await RunCommandAsync(async () => { await StartRequestedLoadAsync(load).ConfigureAwait(false); return true; }).ConfigureAwait(false), Context.StoppingToken).ConfigureAwait(false);
                break;
            case ResetRequest reset:
                await reset.ReplyTo.TellAsync(await RunCommandAsync(async () => { await ResetAsync().ConfigureAwait(false); return true; }).ConfigureAwait(false), Context.StoppingToken).ConfigureAwait(false);
                break;
        }
    }

    // ------------------------------------------------------------------ the step loop

    private async Task StepAsync()
    {
        var ct = Context.StoppingToken;
        TimeSpan? next;
        try
        {
            next = await AdvanceAsync(ct).ConfigureAwait(false);
            _failures = 0;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e) when (Classify(e) is { } state)
        {
            next = await OnFailureAsync(state, e).ConfigureAwait(false);
        }
        if (next is { } delay)
        {
            ScheduleStep(delay);
        }
    }

    /// <summary>One unit of work; returns when to step again (null: stop stepping, faulted).</summary>
    private async Task<TimeSpan?> AdvanceAsync(CancellationToken ct)
    {
        var store = shared.Store ?? await OpenStoreAsync(ct).ConfigureAwait(false);

        if (!_backendVerified)
        {
            var chain = await shared.Backend.GetChainStateAsync(ct).ConfigureAwait(false);
            if (chain.Network != _options.Network)
            {
                return Fault($"backend is on {chain.Network.Name} but this index is configured for {_options.Network.Name}");
            }
            _backendVerified = true;
            Publish(Status with { NodeTip = chain.Tip });
        }

        var lease = shared.Lease;
        if (lease is null)
        {
            lease = await TryAcquireLeaseAsync(store, ct).ConfigureAwait(false);
            if (lease is null)
            {
                await TailChangeFeedAsync(store, ct).ConfigureAwait(false);
                SetState(FollowerState.StandingBy, "another process holds the follower lease");
                return _options.PollInterval < _options.LeaseTtl / 3 ? _options.PollInterval : _options.LeaseTtl / 3;
            }
        }

        if (shared.Snapshot is { IsFinished: false })
        {
            // A snapshot load writes the store: no block is fetched or written until it ends.
            SetState(FollowerState.LoadingSnapshot, shared.Snapshot.Source.Path);
            return TimeSpan.FromMilliseconds(250);
        }
        if (shared.Snapshot is { Task: { } finished } job && finished.IsCompleted && !_snapshotSeen)
        {
            _snapshotSeen = true;
            _tipLoaded = false;
            if (job.Current.Error is { } error && finished.Exception?.InnerException is not LeaseLostException)
            {
                return Fault($"the snapshot load failed: {error}. Nothing is served. Fix the file or the backend, then load again: " +
                    $"coinshard snapshot load FILE --coin {shared.CoinName}");
            }
        }

        if (!_tipLoaded)
        {
            var load = await store.GetBulkLoadStatusAsync(ct).ConfigureAwait(false);
            if (load is { State: BulkLoadState.Loading })
            {
                // We hold the lease, so nobody is loading: this load was interrupted (kill, crash, shutdown).
                if (_options.Snapshot is { } configured)
                {
                    FollowerLog.InterruptedLoadRestarted(shared.Logger, NetworkName, load.CoinsAdded, load.Target.SnapshotCoins, configured.Path);
                    await store.AbortBulkLoadAsync(lease, ct).ConfigureAwait(false);
                    StartLoad(store, configured);
                    return TimeSpan.Zero;
                }
                return Fault($"an interrupted snapshot load was found (base block {load.Target.BaseHeight} {load.Target.BaseHash}, " +
                    $"{load.CoinsAdded:N0} of {load.Target.SnapshotCoins:N0} coins written); nothing is served. Load again: " +
                    $"coinshard snapshot load FILE --coin {shared.CoinName} (or configure Coinshard:Currencies:{shared.CoinName}:Snapshot:File and restart), " +
                    $"or discard it and build from the chain: coinshard follower reset --coin {shared.CoinName}");
            }
            // Outputs below the load's dust limit were never stored: their later spends are not errors.
            _builder.MissingCoinsAllowed = load is { State: BulkLoadState.Complete, Target.DustLimit: > 0 };
            // Deliver what another writer changed since we last looked, then resume from the stored tip.
            await TailChangeFeedAsync(store, ct).ConfigureAwait(false);
            _tip = await store.GetTipAsync(ct).ConfigureAwait(false);
            _tipLoaded = true;
            Publish(Status with { IndexTip = _tip });
            if (_tip is null && _options.Snapshot is { } source && !shared.ConfiguredSnapshotTried)
            {
                StartLoad(store, source);
                return TimeSpan.Zero;
            }
        }

        if (_prefetcher is null)
        {
            if (_tip is not null && await shared.Backend.GetBlockHashAsync(_tip.Height, ct).ConfigureAwait(false) != _tip.Hash)
            {
                return await FollowReorgAsync(store, lease, ct).ConfigureAwait(false);
            }
            var next = _tip is null ? shared.StartHeight : _tip.Height + 1;
            var nodeTip = (await shared.Backend.GetChainStateAsync(ct).ConfigureAwait(false)).Tip;
            Publish(Status with { NodeTip = nodeTip });
            if (nodeTip.Height < next)
            {
                // At the node's tip: wait (bounded) for the next block, then look again.
                SetState(FollowerState.Following);
                var newTip = await shared.Backend.WaitForNewTipAsync(nodeTip.Hash, _options.PollInterval, ct).ConfigureAwait(false);
                Publish(Status with { NodeTip = newTip });
                return TimeSpan.Zero;
            }
            var stillFollowing = Status.State == FollowerState.Following && nodeTip.Height - next < 2;
            if (!stillFollowing && Status.State != FollowerState.CatchingUp)
            {
                _progress.Reset();
            }
            var working = stillFollowing ? FollowerState.Following : FollowerState.CatchingUp;
            if (Status.State == FollowerState.WaitingForStore)
            {
                // Reads may work while writes do not (a locked SQLite file): stay unhealthy until a batch is written.
                _stateAfterWrite = working;
            }
            else
            {
                SetState(working);
            }
            _prefetcher = new BlockPrefetcher(shared.Backend, _builder, next, _options.PrefetchBlocks);
        }

        await ConnectNextBatchAsync(store, lease, ct).ConfigureAwait(false);
        return TimeSpan.Zero;
    }

    private async Task ConnectNextBatchAsync(ChainStore store, LeaseToken lease, CancellationToken ct)
    {
        var first = await _prefetcher!.ReadAsync(ct).ConfigureAwait(false);
        if (first is null || (_tip is not null && (first.Height != _tip.Height + 1 || first.ParentHash != _tip.Hash)))
        {
            // The node's chain ended, or it moved under the pipeline: the next step looks at the tip again.
            await StopPrefetchAsync().ConfigureAwait(false);
            return;
        }
        var batch = new List<ScannedBlock> { first };
        var work = first.InputsAndOutputs;
        var broken = false;
        while (batch.Count < MaxBatchBlocks && _prefetcher.TryReadReady(MaxBatchInputsAndOutputs - work, out var more))
        {
            if (more!.ParentHash != batch[^1].Hash)
            {
                broken = true;
                break;
            }
            batch.Add(more);
            work += more.InputsAndOutputs;
        }

        var resolved = await _builder.ResolveAsync(batch, store.GetCoinsAsync, ct).ConfigureAwait(false);
        if (resolved.MissingCoinsSkipped > 0)
        {
            FollowerLog.MissingCoinsSkipped(shared.Logger, NetworkName, batch[0].Height, batch[^1].Height, resolved.MissingCoinsSkipped, shared.StartHeight);
        }
        var changes = await store.ConnectBlocksAsync(resolved.Deltas, lease, ct).ConfigureAwait(false);
        shared.CountWrite(batch.Count);
        if (_stateAfterWrite is { } recovered)
        {
            SetState(recovered);
        }
        _tip = new ChainTip(batch[^1].Height, batch[^1].Hash);
        shared.LastSeq = changes[^1].Seq;
        await shared.Shards.PublishAsync(changes.SelectMany(c => c.TouchedKeys).ToHashSet(), _tip.Height, ct).ConfigureAwait(false);

        _progress.Record(_tip.Height, work);
        var target = Math.Max(Status.NodeTip?.Height ?? _tip.Height, _tip.Height);
        var progress = Status.State == FollowerState.CatchingUp ? _progress.Current(_tip.Height, target) : null;
        Publish(Status with { IndexTip = _tip, Progress = progress, NodeTip = Status.NodeTip is { } n && n.Height >= _tip.Height ? n : _tip });
        if (Status.State == FollowerState.CatchingUp && _progress.ShouldLog())
        {
            var percent = target <= 0 ? 100 : 100.0 * _tip.Height / target;
            var eta = ProgressMeter.Format(progress?.Eta);
            FollowerLog.Progress(shared.Logger, NetworkName, _tip.Height, target, percent,
                progress?.BlocksPerSecond ?? 0, progress?.InputsOutputsPerSecond ?? 0, eta);
        }
        if (broken)
        {
            await StopPrefetchAsync().ConfigureAwait(false);
        }
    }

    // ------------------------------------------------------------------ reorgs

    private async Task<TimeSpan?> FollowReorgAsync(ChainStore store, LeaseToken lease, CancellationToken ct)
    {
        await StopPrefetchAsync().ConfigureAwait(false);
        var tip = _tip!;
        var window = await store.GetUndoWindowAsync(ct).ConfigureAwait(false);
        var reachable = window is null ? tip.Height : window.Lowest - 1;
        var fork = await FindForkAsync(store, tip, reachable, ct).ConfigureAwait(false);
        if (fork < reachable)
        {
            return Fault(DeepReorgMessage(fork, tip, window, reachable));
        }
        FollowerLog.Reorg(shared.Logger, NetworkName, fork, tip.Height - fork, tip.Height, tip.Hash.ToString());
        await DisconnectDownToAsync(store, lease, fork, ct).ConfigureAwait(false);
        _progress.Reset();
        return TimeSpan.Zero;
    }

    /// <summary>
    /// The highest height at which our chain and the node's agree, comparing stored headers with the node's
    /// hashes in batches from the tip down. Searches a little below the undo window (to name the fork in
    /// the error), and returns one below the lowest height compared when no agreement was found.
    /// </summary>
    private async Task<int> FindForkAsync(ChainStore store, ChainTip tip, int reachable, CancellationToken ct)
    {
        const int Batch = 200;
        var floor = Math.Max(0, reachable - 2_000);
        var height = tip.Height;
        while (height >= floor)
        {
            var from = Math.Max(floor, height - Batch + 1);
            var headers = await store.GetHeadersAsync(from, height - from + 1, ct).ConfigureAwait(false);
            var lowest = height - headers.Count + 1; // headers are consecutive and end at `height`
            var nodeHashes = await shared.Backend.GetBlockHashesAsync(lowest, headers.Count, ct).ConfigureAwait(false);
            for (var i = headers.Count - 1; i >= 0; i--)
            {
                if (i < nodeHashes.Count && nodeHashes[i] == Hashes.DoubleSha256(headers[i]))
                {
                    return lowest + i;
                }
            }
            if (headers.Count < height - from + 1)
            {
                return lowest - 1; // below our first block: nothing in common
            }
            height = from - 1;
        }
        return floor - 1;
    }

    private string DeepReorgMessage(int fork, ChainTip tip, UndoWindow? window, int reachable)
    {
        var windowText = window is null
            ? "no block has undo data"
            : $"undo data covers heights {window.Lowest}-{window.Highest} ({shared.StoreSettings.UndoDepth} blocks)";
        var forkText = fork >= 0 ? $"after height {fork}" : "below every block this index holds";
        var way = fork >= reachable && fork >= 0
            ? $"coinshard follower rewind --coin {shared.CoinName} --height {fork}"
            : $"coinshard follower reset --coin {shared.CoinName} (rebuilds from height {shared.StartHeight})";
        return $"reorg deeper than the undo window: the node's chain leaves ours {forkText} (our tip {tip.Height} {tip.Hash}), " +
            $"but {windowText}, so the tip can go back to height {reachable} at most. Way out: {way}";
    }

    private async Task<int> DisconnectDownToAsync(ChainStore store, LeaseToken lease, int height, CancellationToken ct)
    {
        var count = 0;
        while (_tip is not null && _tip.Height > height)
        {
            var result = await store.DisconnectTipAsync(_tip.Hash, lease, ct).ConfigureAwait(false);
            _tip = result.NewTip;
            count++;
            shared.LastSeq = result.Change.Seq;
            await shared.Shards.PublishAsync(result.Change.TouchedKeys, result.Change.Height - 1, ct).ConfigureAwait(false);
            Publish(Status with { IndexTip = _tip });
        }
        return count;
    }

    // ------------------------------------------------------------------ snapshot loads

    /// <summary>
    /// Starts loading <paramref name="source"/> in the background; the follower only watches it (no block is
    /// written meanwhile) and carries on from the base block when it completes.
    /// </summary>
    private void StartLoad(ChainStore store, Snapshots.SnapshotSource source)
    {
        if (_options.Snapshot == source)
        {
            shared.ConfiguredSnapshotTried = true;
        }
        var job = new Snapshots.SnapshotLoadJob(source, Time.GetUtcNow());
        shared.Snapshot = job;
        _snapshotSeen = false;
        _tipLoaded = false;
        job.Start((j, ct) => Snapshots.SnapshotLoader.LoadAsync(
            store, () => shared.Lease, shared.Backend, _options.Network,
            new Snapshots.SnapshotLoadOptions(source.Path) { DustLimit = source.DustLimit }, j, shared.Logger, ct));
        SetState(FollowerState.LoadingSnapshot, source.Path);
    }

    private async Task StartRequestedLoadAsync(SnapshotLoadRequest request)
    {
        var ct = Context.StoppingToken;
        if (shared.Snapshot is { IsFinished: false } running)
        {
            throw new InvalidOperationException($"a snapshot load of {running.Source.Path} is already running");
        }
        if (_options.Mode != IndexMode.Utxo)
        {
            throw new StoreModeException($"the {shared.CoinName} index is in full mode: a UTXO snapshot carries no history, so only a utxo-mode index can be loaded from one");
        }
        // A bad file is refused here, before anything is touched.
        Snapshots.SnapshotLoader.ReadHeader(request.Source.Path, _options.Network);
        var (store, lease) = await RequireWriterAsync("load a snapshot into", ct).ConfigureAwait(false);
        await StopPrefetchAsync().ConfigureAwait(false);
        var load = await store.GetBulkLoadStatusAsync(ct).ConfigureAwait(false);
        if (load is { State: BulkLoadState.Loading })
        {
            await store.AbortBulkLoadAsync(lease, ct).ConfigureAwait(false);
        }
        else if (await store.GetTipAsync(ct).ConfigureAwait(false) is { } tip)
        {
            if (!request.Reset)
            {
                ScheduleStep(TimeSpan.Zero);
                throw new StoreNotEmptyException(
                    $"the {shared.CoinName} index is not empty (tip {tip.Height} {tip.Hash}): a snapshot replaces it; " +
                    "ask for a reset first (coinshard snapshot load FILE --reset, or POST .../snapshot/load?reset=true)");
            }
            await store.ResetAsync(lease, ct).ConfigureAwait(false);
        }
        _tip = null;
        await shared.Shards.InvalidateAllAsync(0, ct).ConfigureAwait(false);
        Publish(Status with { IndexTip = null, Progress = null });
        StartLoad(store, request.Source);
        ScheduleStep(TimeSpan.Zero);
    }

    // ------------------------------------------------------------------ operator commands

    private async Task<CommandReply<T>> RunCommandAsync<T>(Func<Task<T>> command)
    {
        try
        {
            return new CommandReply<T>(await command().ConfigureAwait(false), null);
        }
        catch (Exception e) when (e is StoreException or BackendException or NotWriterException or InvalidOperationException or Snapshots.SnapshotLoadException)
        {
            if (Status.State == FollowerState.Rewinding)
            {
                SetState(FollowerState.CatchingUp);
            }
            if (Status.State != FollowerState.Faulted)
            {
                ScheduleStep(MinBackoff);
            }
            return new CommandReply<T>(default, e);
        }
    }

    private async Task<RewindResult> RewindAsync(int height)
    {
        var ct = Context.StoppingToken;
        ThrowIfLoading("rewind");
        var (store, lease) = await RequireWriterAsync("rewind", ct).ConfigureAwait(false);
        var tip = await store.GetTipAsync(ct).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"the {shared.CoinName} index is empty: there is nothing to rewind");
        _tip = tip;
        _tipLoaded = true;
        if (height < tip.Height)
        {
            var window = await store.GetUndoWindowAsync(ct).ConfigureAwait(false);
            var reachable = window is null ? tip.Height : window.Lowest - 1;
            if (height < reachable)
            {
                throw new UndoUnavailableException(
                    $"cannot rewind the {shared.CoinName} index to height {height}: " +
                    (window is null ? "no block has undo data" : $"undo data covers heights {window.Lowest}-{window.Highest}") +
                    $", so the tip can go back to height {reachable} at most. To go further, reset it: coinshard follower reset --coin {shared.CoinName}");
            }
        }
        await StopPrefetchAsync().ConfigureAwait(false);
        SetState(FollowerState.Rewinding, $"to height {height}");
        var disconnected = await DisconnectDownToAsync(store, lease, height, ct).ConfigureAwait(false);
        var result = new RewindResult(tip, _tip ?? tip, disconnected);
        FollowerLog.Rewound(shared.Logger, NetworkName, tip.Height, _tip?.Height ?? -1, disconnected);
        _progress.Reset();
        SetState(FollowerState.CatchingUp);
        ScheduleStep(TimeSpan.Zero);
        return result;
    }

    private async Task ResetAsync()
    {
        var ct = Context.StoppingToken;
        ThrowIfLoading("reset");
        var (store, lease) = await RequireWriterAsync("reset", ct).ConfigureAwait(false);
        await StopPrefetchAsync().ConfigureAwait(false);
        var old = await store.ResetAsync(lease, ct).ConfigureAwait(false);
        FollowerLog.Reset(shared.Logger, NetworkName, old is null ? "an empty chain" : $"{old.Height} {old.Hash}", shared.StartHeight);
        _tip = null;
        _tipLoaded = true;
        shared.LastSeq = (await store.GetChangesAsync(long.MaxValue - 1, 0, ct).ConfigureAwait(false)).LatestSeq;
        await shared.Shards.InvalidateAllAsync(shared.StartHeight, ct).ConfigureAwait(false);
        _progress.Reset();
        Publish(Status with { IndexTip = null, Progress = null });
        SetState(FollowerState.CatchingUp);
        ScheduleStep(TimeSpan.Zero);
    }

    private void ThrowIfLoading(string command)
    {
        if (shared.Snapshot is { IsFinished: false } running)
        {
            throw new InvalidOperationException($"cannot {command} the {shared.CoinName} index while the snapshot load of {running.Source.Path} runs");
        }
    }

    private async Task<(ChainStore Store, LeaseToken Lease)> RequireWriterAsync(string command, CancellationToken ct)
    {
        var store = shared.Store
            ?? throw new StoreUnavailableException($"cannot {command} the {shared.CoinName} index: its store is not open ({Status.LastError ?? "still opening"})");
        var lease = shared.Lease ?? await TryAcquireLeaseAsync(store, ct, force: true).ConfigureAwait(false)
            ?? throw new NotWriterException(
                $"cannot {command} the {shared.CoinName} index here: another process holds its follower lease; send the command to the node whose follower status shows it holds the lease");
        return (store, lease);
    }

    // ------------------------------------------------------------------ store, lease, change feed

    private async Task<ChainStore> OpenStoreAsync(CancellationToken ct)
    {
        var store = await ChainStore.OpenAsync(shared.StoreOptions, shared.StoreSettings, ct).ConfigureAwait(false);
        if (shared.Stopping)
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw new OperationCanceledException("shutting down");
        }
        shared.Store = store;
        return store;
    }

    private async Task<LeaseToken?> TryAcquireLeaseAsync(ChainStore store, CancellationToken ct, bool force = false)
    {
        var now = Time.GetUtcNow();
        if (!force && now < _nextLeaseAttempt)
        {
            return null;
        }
        var lease = await store.TryAcquireLeaseAsync(_options.Owner, _options.LeaseTtl, ct).ConfigureAwait(false);
        // Only an answer throttles the next attempt: after a store failure, the retry (with backoff) asks again
        // instead of standing by as if another process held the lease.
        _nextLeaseAttempt = now + _options.LeaseTtl / 3;
        if (lease is null)
        {
            return null;
        }
        shared.Lease = lease;
        await StopKeeperAsync().ConfigureAwait(false);
        var self = Self;
        _keeper = new LeaseKeeper(
            shared.NextGeneration(), store, lease, _options.LeaseTtl, Time, shared.Logger, NetworkName,
            renewed => shared.Lease = shared.Lease is null ? null : renewed,
            (id, reason, storeFailing) => self.TryTell(new LeaseLost(id, reason, storeFailing)));
        _tipLoaded = false; // someone else may have written while we stood by
        Publish(Status with { HoldsLease = true });
        FollowerLog.LeaseAcquired(shared.Logger, NetworkName, lease.Owner, lease.Token);
        return lease;
    }

    private async Task OnLeaseLostAsync(string reason, bool storeFailing = false)
    {
        FollowerLog.LeaseLost(shared.Logger, NetworkName, reason);
        shared.Lease = null;
        await StopKeeperAsync().ConfigureAwait(false);
        await StopPrefetchAsync().ConfigureAwait(false);
        _tipLoaded = false;
        Publish(Status with { HoldsLease = false, Progress = null });
        if (Status.State == FollowerState.Faulted)
        {
            return;
        }
        if (storeFailing)
        {
            // Nobody else took it: the store is what is wrong (and the next step takes the lease again once it works).
            SetState(FollowerState.WaitingForStore, Status.State == FollowerState.WaitingForStore ? Status.LastError : reason);
        }
        else
        {
            SetState(FollowerState.StandingBy, reason);
        }
    }

    /// <summary>A standby node still serves subscriptions: it learns the writer's touched keys from the change feed.</summary>
    private async Task TailChangeFeedAsync(ChainStore store, CancellationToken ct)
    {
        var position = shared.LastSeq;
        var page = await store.GetChangesAsync(Math.Max(position, 0), 1000, ct).ConfigureAwait(false);
        if (position < 0 || page.MissedChanges)
        {
            if (position >= 0)
            {
                FollowerLog.MissedChanges(shared.Logger, NetworkName);
                await shared.Shards.InvalidateAllAsync(page.Changes.Count > 0 ? page.Changes[^1].Height : 0, ct).ConfigureAwait(false);
            }
            shared.LastSeq = page.LatestSeq;
            return;
        }
        foreach (var change in page.Changes)
        {
            await shared.Shards.PublishAsync(change.TouchedKeys, change.Kind == ChangeKind.Connect ? change.Height : change.Height - 1, ct).ConfigureAwait(false);
            shared.LastSeq = change.Seq;
        }
        if (page.Changes.Count > 0)
        {
            var last = page.Changes[^1];
            Publish(Status with { IndexTip = last.Kind == ChangeKind.Connect ? new ChainTip(last.Height, last.BlockHash) : await store.GetTipAsync(ct).ConfigureAwait(false) });
        }
    }

    // ------------------------------------------------------------------ states and failures

    private static FollowerState? Classify(Exception e) => e switch
    {
        BackendNetworkMismatchException or StoreSettingsMismatchException or SchemaTooNewException or StoreModeException
            or StoreConsistencyException or UndoUnavailableException => FollowerState.Faulted,
        LeaseLostException => FollowerState.StandingBy,
        ChainTipMismatchException => FollowerState.CatchingUp,
        StoreException => FollowerState.WaitingForStore,
        BackendException or ChainFormatException => FollowerState.WaitingForBackend,
        _ => null,
    };

    private async Task<TimeSpan?> OnFailureAsync(FollowerState state, Exception e)
    {
        await StopPrefetchAsync().ConfigureAwait(false);
        switch (state)
        {
            case FollowerState.Faulted:
                return Fault(e.Message);
            case FollowerState.StandingBy:
                await OnLeaseLostAsync(e.Message).ConfigureAwait(false);
                return TimeSpan.Zero;
            case FollowerState.CatchingUp:
                // Our idea of the tip was stale: re-read it and go on (backing off should it repeat).
                _tipLoaded = false;
                return Backoff();
            default:
                if (state == FollowerState.WaitingForBackend)
                {
                    _backendVerified = false;
                }
                else
                {
                    _tipLoaded = false;
                }
                SetState(state, e.Message);
                return Backoff();
        }
    }

    private TimeSpan Backoff()
    {
        _failures++;
        var delay = MinBackoff * Math.Pow(2, Math.Min(_failures - 1, 10));
        return delay < MaxBackoff ? delay : MaxBackoff;
    }

    private TimeSpan? Fault(string reason)
    {
        SetState(FollowerState.Faulted, reason);
        return null;
    }

    private void SetState(FollowerState state, string? detail = null)
    {
        _stateAfterWrite = null;
        var now = Time.GetUtcNow();
        var previous = Status;
        var unhealthy = state is FollowerState.WaitingForStore or FollowerState.WaitingForBackend or FollowerState.Faulted;
        // Only the waiting, standing-by and faulted states carry an error; working again clears it.
        var error = unhealthy || state == FollowerState.StandingBy ? detail : null;
        var name = StateName(state);
        var text = detail ?? "";
        if (previous.State != state)
        {
            _stateSince = _lastReminder = now;
            if (state == FollowerState.Faulted)
            {
                FollowerLog.Faulted(shared.Logger, NetworkName, text);
            }
            else if (unhealthy)
            {
                FollowerLog.Unhealthy(shared.Logger, NetworkName, name, text);
            }
            else
            {
                var suffix = detail is null ? "" : $" ({detail})";
                FollowerLog.State(shared.Logger, NetworkName, name, suffix);
            }
        }
        else if (unhealthy && state != FollowerState.Faulted && now - _lastReminder >= ReminderEvery)
        {
            _lastReminder = now;
            var minutes = (long)(now - _stateSince).TotalMinutes;
            FollowerLog.StillUnhealthy(shared.Logger, NetworkName, name, minutes, text);
        }
        Publish(previous with
        {
            State = state,
            LastError = error,
            Progress = state == FollowerState.CatchingUp ? previous.Progress : null,
        });
    }

    private static string StateName(FollowerState state) => state switch
    {
        FollowerState.WaitingForStore => "waiting for the store",
        FollowerState.WaitingForBackend => "waiting for the backend",
        FollowerState.StandingBy => "standing by",
        FollowerState.CatchingUp => "catching up",
        FollowerState.Following => "following the tip",
        FollowerState.Rewinding => "rewinding",
        FollowerState.LoadingSnapshot => "loading a snapshot",
        _ => state.ToString(),
    };

    private void Publish(FollowerStatus status) => shared.Publish(status);

    // ------------------------------------------------------------------ plumbing

    private void ScheduleStep(TimeSpan delay)
    {
        var generation = _generation = shared.NextGeneration();
        _ = TellLaterAsync(Self, new Step(generation), delay, Time, Context.StoppingToken);
    }

    private static async Task TellLaterAsync(ActorRef<FollowerMessage> self, FollowerMessage message, TimeSpan delay, TimeProvider time, CancellationToken ct)
    {
        try
        {
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, time, ct).ConfigureAwait(false);
            }
            // A full mailbox (many queued commands) must not lose the step: try again shortly.
            while (!self.TryTell(message) && !self.IsStopped)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), time, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The follower is stopping.
        }
    }

    private async Task StopPrefetchAsync()
    {
        if (_prefetcher is { } prefetcher)
        {
            _prefetcher = null;
            await prefetcher.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task StopKeeperAsync()
    {
        if (_keeper is { } keeper)
        {
            _keeper = null;
            await keeper.DisposeAsync().ConfigureAwait(false);
        }
    }
}
