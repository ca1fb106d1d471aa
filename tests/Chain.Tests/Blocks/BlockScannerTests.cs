using Coinshard.Chain.Blocks;
using Coinshard.Chain.Encoding;
using Coinshard.Chain.Networks;

using Xunit;

namespace Coinshard.Chain.Tests.Blocks;

/// <summary>The zero-allocation scanner against the object model, on every fixture block.</summary>
public class BlockScannerTests
{
    public static TheoryData<string> FixtureBlocks() => new(AllFixtureBlocks().Select(b => b.Name));

    [Theory]
    [MemberData(nameof(FixtureBlocks))]
    public void Scanner_and_object_model_agree_on_every_transaction(string name)
    {
        var (_, currency, raw) = AllFixtureBlocks().Single(b => b.Name == name);
        var block = Block.Parse(raw, currency);
        var scanner = new BlockScanner(raw, currency);
        Assert.Equal(block.Hash, scanner.BlockHash);
        Assert.Equal(block.Header.MerkleRoot, scanner.MerkleRoot);
        Assert.Equal(block.Header.PreviousBlockHash, scanner.PreviousBlockHash);
        Assert.Equal(block.Header.Bits, scanner.Bits);
        Assert.Equal(block.Header.Time, scanner.Time);
        Assert.Equal(block.Transactions.Count, scanner.TransactionCount);

        var seen = 0;
        while (scanner.MoveNext())
        {
            var scanned = scanner.Current;
            var tx = block.Transactions[seen];
            Assert.Equal(seen, scanned.Index);
            Assert.Equal(tx.TxId, scanned.TxId);
            Assert.Equal(tx.IsCoinbase, scanned.IsCoinbase);
            Assert.Equal(tx.HasWitness, scanned.HasWitness);
            Assert.Equal(tx.IsHogEx, scanned.IsHogEx);
            Assert.Equal(tx.Version, scanned.Version);
            Assert.Equal(tx.LockTime, scanned.LockTime);
            Assert.Equal(Hex.Encode(tx.ToArray()), Hex.Encode(scanned.Bytes));

            Assert.Equal(tx.Inputs.Count, scanned.InputCount);
            var i = 0;
            foreach (var input in scanned.Inputs)
            {
                Assert.Equal(i, input.Index);
                Assert.Equal(tx.Inputs[i].PrevOut, input.PrevOut);
                Assert.Equal(tx.Inputs[i].Sequence, input.Sequence);
                Assert.True(tx.Inputs[i].ScriptSig.Span.SequenceEqual(input.ScriptSig));
                i++;
            }
            Assert.Equal(tx.Inputs.Count, i);

            Assert.Equal(tx.Outputs.Count, scanned.OutputCount);
            var n = 0;
            foreach (var output in scanned.Outputs)
            {
                Assert.Equal((uint)n, output.Index);
                Assert.Equal(tx.Outputs[n].Value, output.Value);
                Assert.True(tx.Outputs[n].ScriptPubKey.Span.SequenceEqual(output.ScriptPubKey));
                n++;
            }
            Assert.Equal(tx.Outputs.Count, n);
            seen++;
        }
        Assert.Equal(block.Transactions.Count, seen);
        Assert.False(scanner.MoveNext());
        Assert.Equal(block.Mweb is not null, scanner.HasMwebBlock);
        Assert.True((block.Mweb?.Bytes ?? default).Span.SequenceEqual(scanner.MwebBlockBytes));
    }

    [Fact]
    public void Scanning_a_block_allocates_nothing()
    {
        var raw = Fixture.Bytes("bitcoin-core/block413567.raw");
        var witnessBlock = BlockFixtureTests.FilterVectors().Select(v => v.Raw).OrderByDescending(r => r.Length).First();
        // Warm up past tiered compilation (JIT, OSR and the per-thread hasher), then measure a few
        // rounds: the runtime may occasionally allocate for itself on this thread (a late JIT), but a
        // scanner that allocated per transaction or output would allocate in every round.
        for (var i = 0; i < 40; i++)
        {
            Scan(raw, Currency.Bitcoin);
            Scan(witnessBlock, Currency.Bitcoin);
        }
        var rounds = new List<long>();
        long total = 0;
        for (var round = 0; round < 3; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            total += Scan(raw, Currency.Bitcoin) + Scan(witnessBlock, Currency.Bitcoin);
            rounds.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.True(rounds.Min() == 0, $"allocated {string.Join(", ", rounds)} bytes per round");
        Assert.NotEqual(0, total);
    }

    [Fact]
    public void Scanner_reports_the_same_errors_as_the_object_model()
    {
        var raw = Fixture.Bytes("bitcoin-core/block413567.raw");
        var truncated = raw.AsSpan(0, raw.Length - 1).ToArray();
        var ex = Assert.Throws<TruncatedDataException>(() => Drain(truncated, Currency.Bitcoin));
        var model = Assert.Throws<TruncatedDataException>(() => Block.Parse(truncated, Currency.Bitcoin));
        Assert.Equal(model.Offset, ex.Offset);
        var trailing = raw.Append((byte)0).ToArray();
        Assert.Throws<TrailingDataException>(() => Drain(trailing, Currency.Bitcoin));
        Assert.Throws<TrailingDataException>(() => Block.Parse(trailing, Currency.Bitcoin));
    }

    internal static List<(string Name, Currency Currency, byte[] Raw)> AllFixtureBlocks()
    {
        var blocks = new List<(string, Currency, byte[])>
        {
            ("bitcoin 413567", Currency.Bitcoin, Fixture.Bytes("bitcoin-core/block413567.raw")),
            ("litecoin 878439", Currency.Litecoin, Fixture.Bytes("litecoin/block413567.raw")),
        };
        blocks.AddRange(BlockFixtureTests.FilterVectors().Select(v => ($"testnet3 {v.Height}", Currency.Bitcoin, v.Raw)));
        blocks.AddRange(LitecoinRegtestFixtures.Blocks().Select(b => ($"litecoin-regtest {b.Name}", Currency.Litecoin, b.Raw)));
        return blocks;
    }

    // Touches every field the indexer would read; returns a checksum so nothing is optimised away.
    private static long Scan(byte[] raw, Currency currency)
    {
        long sum = 0;
        var scanner = new BlockScanner(raw, currency);
        while (scanner.MoveNext())
        {
            var tx = scanner.Current;
            sum += tx.TxId.GetHashCode() + (tx.IsCoinbase ? 1 : 0) + tx.Index;
            foreach (var input in tx.Inputs)
            {
                sum += input.PrevOut.Index + input.PrevOut.TxId.GetHashCode() + input.ScriptSig.Length;
            }
            foreach (var output in tx.Outputs)
            {
                sum += output.Value + output.Index + output.ScriptPubKey.Length;
            }
        }
        return sum;
    }

    private static void Drain(byte[] raw, Currency currency)
    {
        var scanner = new BlockScanner(raw, currency);
        while (scanner.MoveNext())
        {
        }
    }
}
