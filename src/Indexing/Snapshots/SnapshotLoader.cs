using System.Diagnostics;
using System.Threading.Channels;

using Coinshard.Backends;
using Coinshard.Chain;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Scripts;
using Coinshard.Chain.Snapshots;
using Coinshard.Storage;

using Microsoft.Extensions.Logging;

using StoreCoin = Coinshard.Storage.SnapshotCoin;

namespace Coinshard.Indexing.Snapshots;

/// <summary>
/// Loads a <c>dumptxoutset</c> file into an empty utxo-mode store, then the headers up to its base block, and
/// makes the base block the tip: a UTXO index in minutes instead of a replay of the chain.
/// </summary>
/// <remarks>
/// <para>
/// Pipeline, memory bounded by <see cref="SnapshotLoadOptions.BatchesInFlight"/> × <see cref="SnapshotLoadOptions.BatchSize"/>
/// whatever the file size: one reader thread frames and checks records into reused batches (scripts stay
/// compressed); <see cref="SnapshotLoadOptions.Workers"/> threads decompress scripts, compute Electrum
/// scripthashes (the costly part: one SHA-256 per coin) and drop dust; ONE writer hands the batches to the
/// store's <see cref="BulkLoader"/> in file order (which is the order it requires).
/// </para>
/// <para>
/// Nothing partial is ever served: the store records "loading" from the first write until the publishing
/// transaction. On a failure the load is aborted (the currency is empty again) and a
/// <see cref="SnapshotLoadException"/> says why (a malformed file: with the byte offset). On cancellation
/// (shutdown) it is left recorded as interrupted; whoever restarts must abort it or load again.
/// </para>
/// </remarks>
public static class SnapshotLoader
{
    private static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(10);

    /// <summary>Reads the header of a snapshot file (no store, no backend): what <c>coinshard snapshot show</c> prints.</summary>
    /// <exception cref="SnapshotLoadException">The file cannot be opened or its header is malformed or for another network.</exception>
    public static UtxoSnapshotHeader ReadHeader(string path, Network network)
    {
        using var reader = OpenReader(path, network, null);
        return reader.Header;
    }

    /// <summary>
    /// Loads the snapshot at <paramref name="options"/>' path into <paramref name="store"/> (empty, utxo mode) under
    /// the lease <paramref name="lease"/> returns (read before every write, so a renewed lease is picked up).
    /// </summary>
    /// <param name="store">The currency's store.</param>
    /// <param name="lease">The current follower lease (null: lost).</param>
    /// <param name="backend">Where the base block is located and the headers come from.</param>
    /// <param name="network">The currency's network: the file must be for it.</param>
    /// <param name="options">File and tuning.</param>
    /// <param name="progress">Called after every batch and phase change (on the writer's thread).</param>
    /// <param name="logger">Progress lines with rate and ETA every 10 seconds.</param>
    /// <param name="ct">Cancels the load, which stays recorded as interrupted.</param>
    /// <exception cref="SnapshotLoadException">The file or the backend's chain does not fit; the store was left empty.</exception>
    /// <exception cref="StoreException">The store refused (not empty, full mode, another load recorded) or failed.</exception>
    public static async Task<SnapshotLoadResult> LoadAsync(
        ChainStore store,
        Func<LeaseToken?> lease,
        IChainInfo backend,
        Network network,
        SnapshotLoadOptions options,
        IProgress<SnapshotLoadProgress>? progress,
        ILogger logger,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        var clock = Stopwatch.StartNew();
        var headers = new SnapshotHeaders(backend, network, options.HeaderBatchSize, options.HeaderConcurrency);

        var header = ReadHeader(options.Path, network);
        var bytesTotal = new FileInfo(options.Path).Length;
        var meter = new Meter(header, bytesTotal, clock, progress);
        meter.Report(SnapshotLoadPhase.Locating);
        var baseHeight = await headers.LocateAsync(header.BaseBlockHash, ct).ConfigureAwait(false);
        meter.BaseHeight = baseHeight;
        var formatName = header.Format.ToString();
        var hashText = header.BaseBlockHash.ToString();
        var megabytes = bytesTotal / 1e6;
        SnapshotLog.Begin(logger, network.Name, options.Path, formatName, baseHeight, hashText, (long)header.CoinCount, megabytes, options.DustLimit);

        var loader = await store.BeginBulkLoadAsync(
            new BulkLoadTarget(baseHeight, header.BaseBlockHash, checked((long)header.CoinCount), options.DustLimit), Lease(lease), ct).ConfigureAwait(false);
        try
        {
            meter.Report(SnapshotLoadPhase.Coins);
            var skipped = await WriteCoinsAsync(loader, lease, network, baseHeight, options, meter, logger, ct).ConfigureAwait(false);
            meter.Report(SnapshotLoadPhase.Headers);
            await foreach (var (first, batch) in headers.FetchAsync(baseHeight, header.BaseBlockHash, ct).ConfigureAwait(false))
            {
                loader.Lease = Lease(lease);
                await loader.AddHeadersAsync(first, batch, ct).ConfigureAwait(false);
                meter.HeadersDone += batch.Count;
                meter.Report(SnapshotLoadPhase.Headers);
            }
            meter.Report(SnapshotLoadPhase.Publishing);
            var seconds = clock.Elapsed.TotalSeconds;
            SnapshotLog.Publishing(logger, network.Name, loader.CoinsAdded, skipped, loader.HeadersAdded, seconds);
            loader.Lease = Lease(lease);
            await loader.CompleteAsync(skipped, ct).ConfigureAwait(false);
            meter.Report(SnapshotLoadPhase.Complete);
            var total = clock.Elapsed.TotalSeconds;
            var rate = meter.CoinsDone / Math.Max(total, 1e-3);
            SnapshotLog.Complete(logger, network.Name, baseHeight, loader.CoinsAdded, skipped, total, rate);
            return new SnapshotLoadResult(baseHeight, header.BaseBlockHash, loader.CoinsAdded, skipped, loader.HeadersAdded, clock.Elapsed);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            SnapshotLog.Interrupted(logger, network.Name, meter.CoinsDone, (long)header.CoinCount);
            throw;
        }
        catch (Exception e)
        {
            meter.Report(SnapshotLoadPhase.Failed);
            await AbortQuietlyAsync(loader, lease, logger, network).ConfigureAwait(false);
            if (e is SnapshotFormatException format)
            {
                throw new SnapshotLoadException($"snapshot file {options.Path} is malformed: {format.Message}; nothing was loaded (the index is empty)", format);
            }
            throw;
        }
    }

    private static async Task<long> WriteCoinsAsync(
        BulkLoader loader, Func<LeaseToken?> lease, Network network, int baseHeight, SnapshotLoadOptions options, Meter meter, ILogger logger, CancellationToken outer)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
        var ct = cts.Token;
        var free = Channel.CreateUnbounded<Job>();
        for (var i = 0; i < options.BatchesInFlight + 1; i++)
        {
            free.Writer.TryWrite(new Job(options.BatchSize));
        }
        var ordered = Channel.CreateBounded<Job>(new BoundedChannelOptions(options.BatchesInFlight) { SingleReader = true, SingleWriter = true });
        var work = Channel.CreateUnbounded<Job>(new UnboundedChannelOptions { SingleWriter = true });
        var reading = Task.Run(() => ReadAsync(options.Path, network, baseHeight, free.Reader, ordered.Writer, work.Writer, ct), ct);
        var workers = Enumerable.Range(0, options.Workers).Select(_ => Task.Run(() => HashAsync(work.Reader, options.DustLimit, ct), ct)).ToArray();
        long skipped = 0;
        var lastLog = TimeSpan.Zero;
        try
        {
            await foreach (var job in ordered.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                await job.Done.Task.ConfigureAwait(false);
                loader.Lease = Lease(lease);
                await loader.AddAsync(job.Output.AsMemory(0, job.Count), ct).ConfigureAwait(false);
                skipped += job.Skipped;
                meter.CoinsDone += job.Input.Count;
                meter.CoinsSkipped = skipped;
                meter.BytesDone = job.BytesAfter;
                meter.Report(SnapshotLoadPhase.Coins);
                if (meter.Elapsed - lastLog >= LogEvery)
                {
                    lastLog = meter.Elapsed;
                    var p = meter.Current(SnapshotLoadPhase.Coins);
                    var percent = 100.0 * p.CoinsDone / Math.Max(1, p.CoinsTotal);
                    var (mbDone, mbTotal) = (p.BytesDone / 1e6, p.BytesTotal / 1e6);
                    var eta = Following.ProgressMeter.Format(p.Eta);
                    SnapshotLog.Progress(logger, network.Name, p.CoinsDone, p.CoinsTotal, percent, mbDone, mbTotal, p.CoinsPerSecond, eta);
                }
                free.Writer.TryWrite(job);
            }
            await reading.ConfigureAwait(false); // surfaces a reader failure that completed the channel
            return skipped;
        }
        finally
        {
            await cts.CancelAsync().ConfigureAwait(false);
            work.Writer.TryComplete();
            try
            {
                await Task.WhenAll(workers.Append(reading)).ConfigureAwait(false);
            }
            catch (Exception) when (ct.IsCancellationRequested)
            {
                // The pipeline was torn down because the writer stopped; the writer's error is the one that counts.
            }
        }
    }

    /// <summary>The reader thread: frames and checks records into reused batches, in file order.</summary>
    private static async Task ReadAsync(
        string path, Network network, int baseHeight, ChannelReader<Job> free, ChannelWriter<Job> ordered, ChannelWriter<Job> work, CancellationToken ct)
    {
        try
        {
            using var reader = OpenReader(path, network, baseHeight);
            while (true)
            {
                var job = await free.ReadAsync(ct).ConfigureAwait(false);
                if (reader.ReadBatch(job.Input) == 0)
                {
                    break;
                }
                job.BytesAfter = reader.BytesRead;
                job.Done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                await ordered.WriteAsync(job, ct).ConfigureAwait(false);
                work.TryWrite(job);
            }
            ordered.TryComplete();
        }
        catch (Exception e)
        {
            ordered.TryComplete(e);
            throw;
        }
        finally
        {
            work.TryComplete();
        }
    }

    /// <summary>A worker: scripts decompressed, scripthash keys computed, dust dropped; the job completes in place.</summary>
    private static async Task HashAsync(ChannelReader<Job> work, long dustLimit, CancellationToken ct)
    {
        var scratch = new byte[ScriptCompression.MaxTemplateScriptSize];
        // The batch's kept scripts end to end, hashed together (eight at a time in vector lanes).
        var scripts = new byte[64 * 1024];
        int[] kept = [], ends = [];
        byte[] digests = [];
        Hash256[] hashes = [];
        await foreach (var job in work.ReadAllAsync(ct).ConfigureAwait(false))
        {
            try
            {
                var batch = job.Input;
                var values = batch.Values;
                var heights = batch.Heights;
                if (kept.Length < batch.Count)
                {
                    (kept, ends, digests, hashes) = (new int[batch.Count], new int[batch.Count], new byte[batch.Count * 32], new Hash256[batch.Count]);
                }
                var n = 0;
                var used = 0;
                long skipped = 0;
                for (var i = 0; i < batch.Count; i++)
                {
                    if (values[i] < dustLimit)
                    {
                        skipped++;
                        continue;
                    }
                    var script = batch.GetScript(i, scratch);
                    if (used + script.Length > scripts.Length)
                    {
                        Array.Resize(ref scripts, Math.Max(scripts.Length * 2, used + script.Length));
                    }
                    script.CopyTo(scripts.AsSpan(used));
                    used += script.Length;
                    ends[n] = used;
                    kept[n++] = i;
                }
                ElectrumScripthash.ComputeBatch(scripts.AsSpan(0, used), ends.AsSpan(0, n), digests, hashes);
                for (var j = 0; j < n; j++)
                {
                    var i = kept[j];
                    job.Output[j] = new StoreCoin(batch.GetOutPoint(i), ScripthashKeys.Of(hashes[j]), values[i], heights[i], batch.IsCoinbase(i));
                }
                job.Count = n;
                job.Skipped = skipped;
                job.Done.SetResult();
            }
            catch (Exception e)
            {
                job.Done.SetException(e);
            }
        }
    }

    private static UtxoSnapshotReader OpenReader(string path, Network network, int? baseHeight)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SnapshotLoadException($"cannot open snapshot file {path}: {e.Message}", e);
        }
        try
        {
            return new UtxoSnapshotReader(file, new UtxoSnapshotReaderOptions { Network = network, BaseHeight = baseHeight });
        }
        catch (SnapshotFormatException e)
        {
            file.Dispose();
            throw new SnapshotLoadException(e.Error == SnapshotError.WrongNetwork
                ? $"snapshot file {path} is not for {network.Name}: {e.Message}"
                : $"snapshot file {path} is malformed: {e.Message}", e);
        }
    }

    private static LeaseToken Lease(Func<LeaseToken?> lease) =>
        lease() ?? throw new LeaseLostException("the follower lease was lost during the snapshot load; the load stops (it is recorded as interrupted)");

    private static async Task AbortQuietlyAsync(BulkLoader loader, Func<LeaseToken?> lease, ILogger logger, Network network)
    {
        try
        {
            if (lease() is { } current)
            {
                loader.Lease = current;
                using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
                await loader.AbortAsync(timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is StoreException or OperationCanceledException)
        {
            // Still recorded as loading: never served; the next start aborts it or loads again.
            SnapshotLog.AbortFailed(logger, network.Name, e.Message);
        }
    }

    /// <summary>One batch through the pipeline; reused.</summary>
    private sealed class Job(int size)
    {
        public SnapshotCoinBatch Input { get; } = new(size);

        public StoreCoin[] Output { get; } = new StoreCoin[size];

        public int Count { get; set; }

        public long Skipped { get; set; }

        public long BytesAfter { get; set; }

        public TaskCompletionSource Done { get; set; } = new();
    }

    /// <summary>Counters and a rate over the last ~30 s; reports to the caller's progress sink.</summary>
    private sealed class Meter(UtxoSnapshotHeader header, long bytesTotal, Stopwatch clock, IProgress<SnapshotLoadProgress>? sink)
    {
        private readonly Queue<(TimeSpan At, long Coins)> _samples = new();

        public long CoinsDone { get; set; }

        public long CoinsSkipped { get; set; }

        public long BytesDone { get; set; }

        public int HeadersDone { get; set; }

        public int BaseHeight { get; set; } = -1;

        public TimeSpan Elapsed => clock.Elapsed;

        public void Report(SnapshotLoadPhase phase) => sink?.Report(Current(phase));

        public SnapshotLoadProgress Current(SnapshotLoadPhase phase)
        {
            var now = clock.Elapsed;
            if (_samples.Count == 0 || _samples.Last().Coins != CoinsDone)
            {
                _samples.Enqueue((now, CoinsDone));
            }
            while (_samples.Count > 2 && now - _samples.Peek().At > TimeSpan.FromSeconds(30))
            {
                _samples.Dequeue();
            }
            var (at, coins) = _samples.Peek();
            var seconds = (now - at).TotalSeconds;
            var rate = seconds > 0.2 ? (CoinsDone - coins) / seconds : 0;
            var left = (long)header.CoinCount - CoinsDone;
            TimeSpan? eta = phase == SnapshotLoadPhase.Coins && rate > 0 ? TimeSpan.FromSeconds(left / rate) : null;
            return new SnapshotLoadProgress(phase, CoinsDone, (long)header.CoinCount, CoinsSkipped, BytesDone, bytesTotal, rate, eta, HeadersDone, BaseHeight, now);
        }
    }
}

/// <summary>Log lines of a snapshot load.</summary>
internal static partial class SnapshotLog
{
    [LoggerMessage(EventId = 160, Level = LogLevel.Information,
        Message = "{Network}: loading snapshot {Path} ({Format} format, base block {BaseHeight} {BaseHash}, {Coins} coins, {Megabytes:0.0} MB, dust limit {DustLimit} sat)")]
    public static partial void Begin(ILogger logger, string network, string path, string format, int baseHeight, string baseHash, long coins, double megabytes, long dustLimit);

    [LoggerMessage(EventId = 161, Level = LogLevel.Information,
        Message = "{Network}: snapshot {Done} / {Total} coins ({Percent:0.0}%), {MegabytesDone:0} / {MegabytesTotal:0} MB, {Rate:0} coins/s, ETA {Eta}")]
    public static partial void Progress(ILogger logger, string network, long done, long total, double percent, double megabytesDone, double megabytesTotal, double rate, string eta);

    [LoggerMessage(EventId = 162, Level = LogLevel.Information,
        Message = "{Network}: snapshot coins written ({Coins} kept, {Skipped} dust skipped) and {Headers} headers checked after {Seconds:0.0} s; building indexes")]
    public static partial void Publishing(ILogger logger, string network, long coins, long skipped, int headers, double seconds);

    [LoggerMessage(EventId = 163, Level = LogLevel.Information,
        Message = "{Network}: snapshot loaded: tip {BaseHeight}, {Coins} coins ({Skipped} dust skipped) in {Seconds:0.0} s ({Rate:0} coins/s overall)")]
    public static partial void Complete(ILogger logger, string network, int baseHeight, long coins, long skipped, double seconds, double rate);

    [LoggerMessage(EventId = 164, Level = LogLevel.Warning,
        Message = "{Network}: snapshot load interrupted after {Done} of {Total} coins; it stays recorded as interrupted and is never served (the next start loads again or asks for an operator)")]
    public static partial void Interrupted(ILogger logger, string network, long done, long total);

    [LoggerMessage(EventId = 165, Level = LogLevel.Error,
        Message = "{Network}: the failed snapshot load could not be discarded ({Reason}); it stays recorded as interrupted and is never served")]
    public static partial void AbortFailed(ILogger logger, string network, string reason);
}
