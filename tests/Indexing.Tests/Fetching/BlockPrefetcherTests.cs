using Coinshard.Backends;
using Coinshard.Chain.Blocks;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Transactions;
using Coinshard.Indexing.Applying;
using Coinshard.Indexing.Fetching;
using Coinshard.Storage;
using Coinshard.TestSupport;

using Xunit;

using static Coinshard.Indexing.Tests.Support.SyntheticBlocks;

namespace Coinshard.Indexing.Tests.Fetching;

/// <summary>The prefetch pipeline against an in-memory chain: order, bounds, errors in place, end of chain.</summary>
public class BlockPrefetcherTests
{
    private static readonly BlockDeltaBuilder Builder = new(Network.BitcoinRegtest, IndexMode.Utxo);

    [Fact]
    public async Task Blocks_come_out_in_height_order_scanned_and_the_end_of_the_chain_ends_the_pipeline()
    {
        var chain = new FakeChain(40);
        await using var prefetcher = new BlockPrefetcher(chain, Builder, 5, prefetchBlocks: 8);

        var heights = new List<int>();
        while (await prefetcher.ReadAsync(CancellationToken.None) is { } block)
        {
            Assert.Equal(chain.BlockHashes[block.Height], block.Hash);
            Assert.Equal(1, block.TransactionCount);
            heights.Add(block.Height);
        }
        Assert.Equal(Enumerable.Range(5, 35), heights);
        Assert.Null(await prefetcher.ReadAsync(CancellationToken.None));
        Assert.True(chain.HashBatches > 0);
    }

    [Fact]
    public async Task Fetching_stays_within_the_prefetch_bound_while_the_writer_is_slow()
    {
        var chain = new FakeChain(200);
        await using var prefetcher = new BlockPrefetcher(chain, Builder, 0, prefetchBlocks: 6);
        for (var read = 1; read <= 5; read++)
        {
            Assert.NotNull(await prefetcher.ReadAsync(CancellationToken.None));
            await Task.Delay(100); // the producer fills the queue meanwhile
            // Queued (6) + one waiting for room in the queue, ahead of what was read.
            Assert.InRange(chain.BlocksFetched, read, read + 6 + 1);
        }
    }

    [Fact]
    public async Task Ready_blocks_can_be_taken_without_waiting_up_to_a_work_limit()
    {
        var chain = new FakeChain(20);
        await using var prefetcher = new BlockPrefetcher(chain, Builder, 0, prefetchBlocks: 8);
        Assert.NotNull(await prefetcher.ReadAsync(CancellationToken.None));
        await Eventually.TrueAsync(() => prefetcher.NextIsReady, "block 1 is fetched and scanned");
        Assert.False(prefetcher.TryReadReady(0, out _)); // each block has 1 output: over a limit of 0
        Assert.True(prefetcher.TryReadReady(1, out var next));
        Assert.Equal(1, next!.Height);
    }

    [Fact]
    public async Task A_failed_fetch_surfaces_at_its_height_after_the_blocks_before_it()
    {
        var chain = new FakeChain(30) { FailAtHeight = 12 };
        await using var prefetcher = new BlockPrefetcher(chain, Builder, 10, prefetchBlocks: 4);
        Assert.Equal(10, (await prefetcher.ReadAsync(CancellationToken.None))!.Height);
        Assert.Equal(11, (await prefetcher.ReadAsync(CancellationToken.None))!.Height);
        var error = await Assert.ThrowsAsync<BackendUnavailableException>(async () => await prefetcher.ReadAsync(CancellationToken.None));
        Assert.Contains("fake", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_block_that_is_not_the_one_asked_for_is_refused()
    {
        var chain = new FakeChain(10) { WrongBlockAtHeight = 3 };
        await using var prefetcher = new BlockPrefetcher(chain, Builder, 3, prefetchBlocks: 4);
        var error = await Assert.ThrowsAsync<BackendProtocolException>(async () => await prefetcher.ReadAsync(CancellationToken.None));
        Assert.Contains($"when asked for block {chain.BlockHashes[3]} at height 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disposing_with_fetches_in_flight_returns()
    {
        var chain = new FakeChain(100) { Gate = new TaskCompletionSource() };
        var prefetcher = new BlockPrefetcher(chain, Builder, 0, prefetchBlocks: 4);
        await Task.Delay(100);
        await prefetcher.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>An in-memory chain of one-transaction blocks behind <see cref="IBlockSource"/>.</summary>
    private sealed class FakeChain : IBlockSource
    {
        private readonly List<byte[]> _blocks = [];
        private int _fetched;

        public FakeChain(int count)
        {
            var parent = Hash256.Zero;
            for (var height = 0; height < count; height++)
            {
                var raw = RawBlock(parent, Coinbase(height, new TxOut(50, P2pkh((byte)height))));
                _blocks.Add(raw);
                parent = Hashes.DoubleSha256(raw.AsSpan(0, 80));
                BlockHashes.Add(parent);
            }
        }

        public List<Hash256> BlockHashes { get; } = [];

        public int? FailAtHeight { get; init; }

        public int? WrongBlockAtHeight { get; init; }

        public TaskCompletionSource? Gate { get; init; }

        public int BlocksFetched => Volatile.Read(ref _fetched);

        public int HashBatches { get; private set; }

        public string Name => "fake";

        public Network Network => Network.BitcoinRegtest;

        public BackendCapabilities Capabilities => new() { ProvidesRawBlocks = true };

        public BackendHealth Health => BackendHealth.Initial;

        public async Task<byte[]> GetBlockAsync(Hash256 blockHash, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _fetched);
            if (Gate is { } gate)
            {
                await gate.Task.WaitAsync(cancellationToken);
            }
            var height = BlockHashes.IndexOf(blockHash);
            if (height == FailAtHeight)
            {
                throw new BackendUnavailableException("fake", "connection refused", 1);
            }
            return _blocks[height == WrongBlockAtHeight ? height + 1 : height];
        }

        public Task<IReadOnlyList<Hash256>> GetBlockHashesAsync(int fromHeight, int count, CancellationToken cancellationToken = default)
        {
            HashBatches++;
            IReadOnlyList<Hash256> hashes = BlockHashes.Skip(fromHeight).Take(count).ToList();
            return Task.FromResult(hashes);
        }

        public Task<Hash256?> GetBlockHashAsync(int height, CancellationToken cancellationToken = default) =>
            Task.FromResult<Hash256?>(height < BlockHashes.Count ? BlockHashes[height] : null);

        public Task<ChainState> GetChainStateAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<byte[]> GetBlockHeaderAsync(Hash256 blockHash, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<ChainTip> WaitForNewTipAsync(Hash256 knownTip, TimeSpan timeout, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
