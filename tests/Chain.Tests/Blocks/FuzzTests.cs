using Coinshard.Chain.Blocks;
using Coinshard.Chain.Encoding;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Transactions;

using Xunit;

namespace Coinshard.Chain.Tests.Blocks;

/// <summary>
/// Randomized robustness (fixed seeds, printed on failure): Transaction.Parse, Block.Parse and the
/// BlockScanner must only ever throw ChainFormatException subtypes, must agree with each other,
/// and must allocate at most a small multiple of their input.
/// </summary>
public class FuzzTests
{
    private const int Seed = 20261122;

    // The object model copies its input once and builds small objects per input/output (worst
    // case about 7x for minimal inputs and outputs); failures add one exception.
    private static long ModelAllocationLimit(int inputLength) => (16L * inputLength) + (64 * 1024);

    private const long ScannerAllocationLimit = 64 * 1024;

    [Fact]
    public void Random_bytes_only_raise_chain_format_errors()
    {
        var random = new Random(Seed);
        for (var i = 0; i < 3000; i++)
        {
            var data = new byte[random.Next(0, 600)];
            random.NextBytes(data);
            if (i % 3 == 0 && data.Length > 5)
            {
                // Make the input look like a transaction start to get past the first reads.
                data[4] = 0;
                data[5] = (byte)random.Next(0, 16);
            }
            var label = $"seed {Seed}, random case {i}, bytes {Hex.Encode(data)}";
            CheckTransaction(data, Currency.Bitcoin, label);
            CheckTransaction(data, Currency.Litecoin, label);
            CheckBlock(data, Currency.Bitcoin, label);
            CheckBlock(data, Currency.Litecoin, label);
        }
    }

    [Fact]
    public void Every_truncation_of_real_transactions_fails_cleanly()
    {
        var block = Block.Parse(BlockFixtureTests.FilterVectors().Select(v => v.Raw).OrderByDescending(r => r.Length).First(), Currency.Bitcoin);
        var samples = block.Transactions.Where(t => t.HasWitness).Take(3).Concat(block.Transactions.Take(2)).Select(t => (t.ToArray(), Currency.Bitcoin)).ToList();
        using (var json = Fixture.Json("bips/bip143_vectors.json"))
        {
            samples.AddRange(json.RootElement.GetProperty("examples").EnumerateArray().Take(3)
                .Select(e => (Hex.Decode(e.GetProperty("signed_tx").GetString()!), Currency.Bitcoin)));
        }
        samples.AddRange(LitecoinRegtestFixtures.MwebTransactions().Select(raw => (raw, Currency.Litecoin)));
        foreach (var (tx, currency) in samples)
        {
            for (var length = 0; length < tx.Length; length++)
            {
                var label = $"seed {Seed}, truncation of {Hex.Encode(tx)} to {length}";
                var error = CheckTransaction(tx.AsSpan(0, length).ToArray(), currency, label);
                Assert.True(error is not null, $"{label}: a strict prefix parsed");
            }
            Assert.Null(CheckTransaction(tx, currency, "whole transaction"));
        }
    }

    [Fact]
    public void Bit_flips_and_truncations_of_blocks_only_raise_chain_format_errors()
    {
        var random = new Random(Seed);
        var blocks = BlockScannerTests.AllFixtureBlocks();
        blocks.Add(("synthetic MWEB block", Currency.Litecoin, Litecoin.MwebStructureTests.BuildBlockWithMweb()));
        foreach (var (name, currency, raw) in blocks)
        {
            var rounds = raw.Length > 100_000 ? 50 : 250;
            for (var round = 0; round < rounds; round++)
            {
                var mutated = (byte[])raw.Clone();
                string what;
                switch (random.Next(3))
                {
                    case 0:
                        var bit = random.Next(mutated.Length * 8);
                        mutated[bit / 8] ^= (byte)(1 << (bit % 8));
                        what = $"bit {bit} flipped";
                        break;
                    case 1:
                        var offset = random.Next(mutated.Length);
                        mutated[offset] = (byte)random.Next(256);
                        what = $"byte {offset} set to {mutated[offset]}";
                        break;
                    default:
                        var length = random.Next(mutated.Length);
                        mutated = mutated.AsSpan(0, length).ToArray();
                        what = $"truncated to {length}";
                        break;
                }
                CheckBlock(mutated, currency, $"seed {Seed}, {name}, round {round}: {what}");
            }
        }
    }

    [Fact]
    public void Compact_sizes_claiming_huge_lengths_are_rejected_without_allocating()
    {
        const string version = "01000000";
        const string prevOut = "1111111111111111111111111111111111111111111111111111111111111111" + "00000000";
        const string huge8 = "ffffffffffffffffff";
        const string huge4 = "feffffffff";
        var padding = new string('0', 200);
        var transactions = new[]
        {
            version + huge8 + padding,                                            // input count
            version + huge4 + padding,
            version + "0001" + huge8 + padding,                                   // input count after the flags
            version + "01" + prevOut + huge8 + padding,                           // scriptSig length
            version + "01" + prevOut + "00ffffffff" + huge4 + padding,            // output count
            version + "01" + prevOut + "00ffffffff" + "01" + "0000000000000000" + huge4 + padding, // scriptPubKey length
            version + "0001" + "01" + prevOut + "00ffffffff" + "00" + huge8 + padding,           // witness item count
            version + "0001" + "01" + prevOut + "00ffffffff" + "00" + "01" + huge4 + padding,    // witness item length
            version + "0008" + "01" + prevOut + "00ffffffff" + "01" + "000000000000000000" + "01" + new string('0', 128) + huge8 + padding, // MWEB inputs
        };
        foreach (var hex in transactions)
        {
            var data = Hex.Decode(hex);
            foreach (var currency in new[] { Currency.Bitcoin, Currency.Litecoin })
            {
                var before = GC.GetAllocatedBytesForCurrentThread();
                var error = Record.Exception(() => Transaction.Parse(data, currency));
                var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                Assert.True(error is SizeLimitExceededException or TruncatedDataException or InvalidDataException, $"{hex} ({currency}): {error}");
                Assert.True(allocated < 64 * 1024, $"{hex} ({currency}): allocated {allocated} bytes");
            }
        }

        var header = Fixture.Bytes("bitcoin-core/block413567.raw").AsSpan(0, 80).ToArray();
        foreach (var count in new[] { huge8, huge4, "fdffff" })
        {
            var block = header.Concat(Hex.Decode(count + padding)).ToArray();
            var error = CheckBlock(block, Currency.Bitcoin, $"block with transaction count {count}");
            Assert.IsType<SizeLimitExceededException>(error);
        }
    }

    /// <summary>Parses as a transaction; returns the ChainFormatException, or null after checking the round trip.</summary>
    private static ChainFormatException? CheckTransaction(byte[] data, Currency currency, string label)
    {
        Transaction? tx = null;
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Record.Exception(() => tx = Transaction.Parse(data, currency));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated <= ModelAllocationLimit(data.Length), $"{label}: allocated {allocated} bytes");
        if (error is null)
        {
            Assert.Equal(Hex.Encode(data), Hex.Encode(tx!.ToArray()));
            return null;
        }
        return AsChainFormatError(error, label);
    }

    /// <summary>Parses with Block.Parse and the scanner; they must agree. Returns the error, or null.</summary>
    private static ChainFormatException? CheckBlock(byte[] data, Currency currency, string label)
    {
        Block? block = null;
        var before = GC.GetAllocatedBytesForCurrentThread();
        var modelError = Record.Exception(() => block = Block.Parse(data, currency));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated <= ModelAllocationLimit(data.Length), $"{label}: Block.Parse allocated {allocated} bytes");

        var scanned = 0;
        before = GC.GetAllocatedBytesForCurrentThread();
        var scannerError = Record.Exception(() => scanned = Drain(data, currency));
        allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated <= ScannerAllocationLimit, $"{label}: the scanner allocated {allocated} bytes");

        if (modelError is null)
        {
            Assert.True(scannerError is null, $"{label}: the scanner failed where Block.Parse did not: {scannerError}");
            Assert.Equal(block!.Transactions.Count, scanned);
            Assert.True(data.AsSpan().SequenceEqual(block.ToArray()), $"{label}: parsed block does not round-trip");
            return null;
        }
        var model = AsChainFormatError(modelError, label);
        var scanner = AsChainFormatError(scannerError ?? new InvalidOperationException("no error"), label + " (scanner)");
        Assert.True(model.GetType() == scanner.GetType() && model.Offset == scanner.Offset,
            $"{label}: Block.Parse said {model.GetType().Name} at {model.Offset}, the scanner {scanner.GetType().Name} at {scanner.Offset}");
        return model;
    }

    private static ChainFormatException AsChainFormatError(Exception error, string label)
    {
        if (error is ChainFormatException chain && error.GetType() != typeof(ChainFormatException))
        {
            return chain;
        }
        Assert.Fail($"{label}: expected a specific ChainFormatException subtype, got {error}");
        return null!;
    }

    private static int Drain(byte[] data, Currency currency)
    {
        var count = 0;
        var scanner = new BlockScanner(data, currency);
        while (scanner.MoveNext())
        {
            foreach (var input in scanner.Current.Inputs)
            {
                _ = input.PrevOut;
            }
            foreach (var output in scanner.Current.Outputs)
            {
                _ = output.Value;
            }
            count++;
        }
        return count;
    }
}
