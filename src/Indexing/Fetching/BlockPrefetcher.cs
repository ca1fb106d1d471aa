using System.Threading.Channels;

using Coinshard.Backends;
using Coinshard.Chain.Hashing;
using Coinshard.Indexing.Applying;

namespace Coinshard.Indexing.Fetching;

/// <summary>
/// Fetches and scans blocks ahead of the writer during catch-up, so the database never waits for the
/// node: block hashes in batches, then up to <see cref="MaxFetchesInFlight"/> blocks at once, each scanned
/// (<see cref="BlockDeltaBuilder.Scan"/>) on the thread pool as soon as it arrives. Results come out in
/// height order through a bounded queue of <c>prefetchBlocks</c>, so memory stays bounded whatever the
/// relative speeds. The pipeline ends when the node's chain ends (no hash at the next height); the
/// writer then looks at the tip again. Errors surface in order, at the height where they happened.
/// </summary>
internal sealed class BlockPrefetcher : IAsyncDisposable
{
    /// <summary>Blocks fetched concurrently: enough to hide the node's latency, few enough not to swamp it.</summary>
    public const int MaxFetchesInFlight = 4;

    private readonly IBlockSource _backend;
    private readonly BlockDeltaBuilder _builder;
    private readonly Channel<Task<ScannedBlock>> _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _inFlight = new(MaxFetchesInFlight, MaxFetchesInFlight);
    private readonly int _hashBatch;
    private readonly Task _producer;

    /// <summary>Starts fetching at <paramref name="fromHeight"/>.</summary>
    public BlockPrefetcher(IBlockSource backend, BlockDeltaBuilder builder, int fromHeight, int prefetchBlocks)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(prefetchBlocks, 1);
        _backend = backend;
        _builder = builder;
        FromHeight = fromHeight;
        _hashBatch = Math.Clamp(prefetchBlocks * 4, 16, 500);
        _queue = Channel.CreateBounded<Task<ScannedBlock>>(new BoundedChannelOptions(prefetchBlocks)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _producer = Task.Run(() => ProduceAsync(_stop.Token));
    }

    /// <summary>First height fetched.</summary>
    public int FromHeight { get; }

    /// <summary>
    /// The next block in height order, waiting for it if needed; null when the node's chain ended.
    /// Throws what fetching or scanning that block threw (a <see cref="BackendException"/>, a malformed block).
    /// </summary>
    public async ValueTask<ScannedBlock?> ReadAsync(CancellationToken cancellationToken)
    {
        if (!await _queue.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            await _producer.ConfigureAwait(false); // surfaces a producer failure, if any
            return null;
        }
        _queue.Reader.TryRead(out var next);
        return await next!.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>True when the next block is fetched and scanned (a peek; tests and diagnostics).</summary>
    internal bool NextIsReady => _queue.Reader.TryPeek(out var next) && next.IsCompletedSuccessfully;

    /// <summary>The next block if it is already fetched and scanned (for grouping consecutive blocks into one write); never waits.</summary>
    public bool TryReadReady(int maxInputsAndOutputs, out ScannedBlock? block)
    {
        block = null;
        if (_queue.Reader.TryPeek(out var next) && next.IsCompletedSuccessfully && next.Result.InputsAndOutputs <= maxInputsAndOutputs)
        {
            _queue.Reader.TryRead(out _);
            block = next.Result;
            return true;
        }
        return false;
    }

    /// <summary>Stops fetching and waits for fetches in flight to end; their results and errors are dropped.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await ObserveAsync(_producer).ConfigureAwait(false);
        while (_queue.Reader.TryRead(out var pending))
        {
            await ObserveAsync(pending).ConfigureAwait(false);
        }
        _stop.Dispose();
        _inFlight.Dispose();
    }

    private static async Task ObserveAsync(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The pipeline is being dropped: whatever its tasks ended with no longer matters.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private async Task ProduceAsync(CancellationToken ct)
    {
        // A failure here faults the producer; the reader sees it after the blocks already queued.
        try
        {
            var height = FromHeight;
            while (true)
            {
                var hashes = await GetHashesAsync(height, ct).ConfigureAwait(false);
                if (hashes.Count == 0)
                {
                    return;
                }
                foreach (var hash in hashes)
                {
                    await _inFlight.WaitAsync(ct).ConfigureAwait(false);
                    var fetch = FetchAsync(hash, height, ct);
                    try
                    {
                        await _queue.Writer.WriteAsync(fetch, ct).ConfigureAwait(false);
                    }
                    catch
                    {
                        await ObserveAsync(fetch).ConfigureAwait(false);
                        throw;
                    }
                    height++;
                }
            }
        }
        finally
        {
            _queue.Writer.TryComplete();
        }
    }

    private async Task<IReadOnlyList<Hash256>> GetHashesAsync(int height, CancellationToken ct)
    {
        try
        {
            return await _backend.GetBlockHashesAsync(height, _hashBatch, ct).ConfigureAwait(false);
        }
        catch (NotSupportedException)
        {
            // A backend without batched lookups: one height at a time.
            return await _backend.GetBlockHashAsync(height, ct).ConfigureAwait(false) is { } hash ? [hash] : [];
        }
    }

    private async Task<ScannedBlock> FetchAsync(Hash256 hash, int height, CancellationToken ct)
    {
        try
        {
            var raw = await _backend.GetBlockAsync(hash, ct).ConfigureAwait(false);
            // Scanning is CPU work: keep it off the producer and the writer.
            var scanned = await Task.Run(() => _builder.Scan(raw, height), ct).ConfigureAwait(false);
            if (scanned.Hash != hash)
            {
                throw new BackendProtocolException($"{_backend.Name} returned block {scanned.Hash} when asked for block {hash} at height {height}");
            }
            return scanned;
        }
        finally
        {
            _inFlight.Release();
        }
    }
}
