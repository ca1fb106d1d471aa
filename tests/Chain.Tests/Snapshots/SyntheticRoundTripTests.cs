using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Snapshots;
using Coinshard.Chain.Transactions;
using Coinshard.TestSupport.Snapshots;

using Xunit;

namespace Coinshard.Chain.Tests.Snapshots;

/// <summary>Generator → file → reader, compared coin by coin against a replay of the generator.</summary>
public class SyntheticRoundTripTests
{
    public static TheoryData<string, UtxoSnapshotFormat, bool> Layouts => new()
    {
        { Network.BitcoinMainnet.Name, UtxoSnapshotFormat.Version2, false },
        { Network.BitcoinMainnet.Name, UtxoSnapshotFormat.Legacy, false },
        { Network.BitcoinMainnet.Name, UtxoSnapshotFormat.Legacy, true },
        { Network.LitecoinMainnet.Name, UtxoSnapshotFormat.Legacy, true },
        { Network.LitecoinMainnet.Name, UtxoSnapshotFormat.Version2, false },
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Every_coin_reads_back_as_generated(string networkName, UtxoSnapshotFormat format, bool chainTx)
    {
        var options = new SyntheticSnapshotOptions
        {
            Seed = 7,
            CoinCount = 100_000,
            Network = Network.Parse(networkName),
            Format = format,
            LegacyChainTx = chainTx,
        };
        var file = SyntheticSnapshot.ToArray(options);
        var readerOptions = SnapshotTestFiles.Options(options.Network, options.BaseHeight);
        using var reader = new UtxoSnapshotReader(new MemoryStream(file), readerOptions);
        Assert.Equal(format, reader.Header.Format);
        Assert.Equal(format == UtxoSnapshotFormat.Version2 ? 51 : chainTx ? 44 : 40, reader.Header.Length);
        Assert.Equal(options.CoinCount, reader.Header.CoinCount);
        var expected = new SyntheticCoinSource(options);
        Assert.Equal(expected.BaseBlockHash, reader.Header.BaseBlockHash);
        var kinds = new HashSet<SyntheticScriptKind>();
        long total = 0;
        while (reader.MoveNext())
        {
            Assert.True(expected.MoveNext());
            var coin = reader.Current;
            Assert.Equal(expected.OutPoint, coin.OutPoint);
            Assert.Equal(expected.Value, coin.Value);
            Assert.Equal(expected.Height, coin.Height);
            Assert.Equal(expected.IsCoinbase, coin.IsCoinbase);
            Assert.Equal(expected.IsPegOut, coin.IsPegOut);
            Assert.True(expected.Script.SequenceEqual(coin.Script), $"script of {coin.OutPoint}");
            kinds.Add(expected.Kind);
            total += coin.Value;
        }
        Assert.False(expected.MoveNext());
        Assert.Equal(options.CoinCount, reader.CoinsRead);
        Assert.Equal(file.Length, reader.BytesRead);
        var summary = SyntheticSnapshot.Write(Stream.Null, options);
        Assert.Equal(summary.TotalAmount, total);
        var expectedKinds = Enum.GetValues<SyntheticScriptKind>().Where(k => k != SyntheticScriptKind.HogAddr || options.Network.HasMweb);
        Assert.Equal(expectedKinds.ToHashSet(), kinds);
        Assert.Equal(options.Network.HasMweb, summary.PegOuts > 0);
        Assert.True(summary.Coinbases > 0);
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Batches_give_the_same_coins(string networkName, UtxoSnapshotFormat format, bool chainTx)
    {
        var options = new SyntheticSnapshotOptions { Seed = 11, CoinCount = 20_000, Network = Network.Parse(networkName), Format = format, LegacyChainTx = chainTx };
        var file = SyntheticSnapshot.ToArray(options);
        var readerOptions = SnapshotTestFiles.Options(options.Network);
        Assert.Equal(SnapshotTestFiles.ReadAll(file, readerOptions).Coins, SnapshotTestFiles.ReadAllBatched(file, readerOptions, 1000));
    }

    [Theory]
    [InlineData(UtxoSnapshotFormat.Version2, UtxoSnapshotFormat.Version2)]
    [InlineData(UtxoSnapshotFormat.Legacy, UtxoSnapshotFormat.Legacy)]
    [InlineData(UtxoSnapshotFormat.Version2, UtxoSnapshotFormat.Legacy)]
    [InlineData(UtxoSnapshotFormat.Legacy, UtxoSnapshotFormat.Version2)]
    public void Reader_to_writer_copies_are_byte_identical_to_generated_files(UtxoSnapshotFormat from, UtxoSnapshotFormat to)
    {
        var options = new SyntheticSnapshotOptions { Seed = 3, CoinCount = 30_000, Format = from, LegacyChainTx = true };
        var source = SyntheticSnapshot.ToArray(options);
        var target = SyntheticSnapshot.ToArray(options with { Format = to });
        using var reader = new UtxoSnapshotReader(new MemoryStream(source), options.Network);
        using var copy = new MemoryStream();
        using (var writer = new UtxoSnapshotWriter(copy, new UtxoSnapshotWriterOptions
        {
            Network = options.Network,
            BaseBlockHash = reader.Header.BaseBlockHash,
            CoinCount = reader.Header.CoinCount,
            Format = to,
            ChainTxCount = to == UtxoSnapshotFormat.Legacy ? reader.Header.ChainTxCount ?? (uint)((options.CoinCount / 2) + (ulong)options.BaseHeight) : null,
            LeaveOpen = true,
            BufferSize = 4096,
        }))
        {
            while (reader.MoveNext())
            {
                writer.Write(reader.Current);
            }
            writer.Complete();
        }
        Assert.Equal(target, copy.ToArray());
    }

    [Fact]
    public void Small_reads_and_unseekable_streams_cross_buffer_boundaries()
    {
        var options = new SyntheticSnapshotOptions { Seed = 5, CoinCount = 50_000 };
        var file = SyntheticSnapshot.ToArray(options);
        var expected = SnapshotTestFiles.ReadAll(file, SnapshotTestFiles.Options(options.Network)).Coins;
        using var reader = new UtxoSnapshotReader(new TrickleStream(file, seed: 1), SnapshotTestFiles.Options(options.Network));
        var coins = new List<CoinRow>();
        while (reader.MoveNext())
        {
            coins.Add(CoinRow.From(reader.Current));
        }
        Assert.Equal(expected, coins);
    }

    [Theory]
    [InlineData(UtxoSnapshotFormat.Version2, true)]
    [InlineData(UtxoSnapshotFormat.Version2, false)]
    [InlineData(UtxoSnapshotFormat.Legacy, true)]
    [InlineData(UtxoSnapshotFormat.Legacy, false)]
    public void Scripts_over_10000_bytes_become_OP_RETURN_as_in_Core(UtxoSnapshotFormat format, bool seekable)
    {
        var network = Network.BitcoinRegtest;
        var txA = new Hash256(Enumerable.Repeat((byte)0x0A, 32).ToArray());
        var txB = new Hash256(Enumerable.Repeat((byte)0x0B, 32).ToArray());
        var huge = new byte[150_000];
        new Random(1).NextBytes(huge);
        using var memory = new MemoryStream();
        using (var writer = new UtxoSnapshotWriter(memory, new UtxoSnapshotWriterOptions
        {
            Network = network,
            BaseBlockHash = txA,
            CoinCount = 4,
            Format = format,
            ChainTxCount = format == UtxoSnapshotFormat.Legacy ? 9u : null,
            LeaveOpen = true,
        }))
        {
            writer.Write(new OutPoint(txA, 0), 1000, 5, false, false, huge.AsSpan(0, 10_000));  // the longest kept
            writer.Write(new OutPoint(txA, 1), 2000, 5, false, false, huge.AsSpan(0, 10_001)); // the shortest skipped
            writer.Write(new OutPoint(txB, 0), 3000, 6, false, false, huge);
            writer.Write(new OutPoint(txB, 1), 4000, 6, false, false, [0x51]);
            writer.Complete();
        }
        var file = memory.ToArray();
        Stream stream = seekable ? new MemoryStream(file) : new TrickleStream(file, seed: 2);
        using var reader = new UtxoSnapshotReader(stream, SnapshotTestFiles.Options(network) with { LegacyHeader = LegacyHeaderLayout.WithChainTx });
        var coins = new List<CoinRow>();
        while (reader.MoveNext())
        {
            coins.Add(CoinRow.From(reader.Current));
        }
        Assert.Equal([10_000, 1, 1, 1], coins.Select(c => c.Script.Length / 2));
        Assert.Equal(["6a", "6a", "51"], coins.Skip(1).Select(c => c.Script));
        Assert.Equal([1000L, 2000, 3000, 4000], coins.Select(c => c.Value));
        Assert.Equal(file.Length, reader.BytesRead);

        // Cut inside the skipped script: truncation, at the end of the file.
        var cut = file.AsSpan(0, file.Length - 1000).ToArray();
        var ex = Assert.Throws<SnapshotFormatException>(() => SnapshotTestFiles.ReadAll(cut, SnapshotTestFiles.Options(network) with { LegacyHeader = LegacyHeaderLayout.WithChainTx }));
        Assert.Equal(SnapshotError.Truncated, ex.Error);
        Assert.Equal(cut.Length, ex.Offset);
    }

    [Fact]
    public void Generator_is_deterministic_and_seed_dependent()
    {
        var a = SyntheticSnapshot.ToArray(new SyntheticSnapshotOptions { Seed = 1, CoinCount = 5000 });
        Assert.Equal(a, SyntheticSnapshot.ToArray(new SyntheticSnapshotOptions { Seed = 1, CoinCount = 5000 }));
        Assert.NotEqual(a, SyntheticSnapshot.ToArray(new SyntheticSnapshotOptions { Seed = 2, CoinCount = 5000 }));
    }

    [Fact]
    public void Writer_refuses_what_Core_could_not_read_back()
    {
        var tx = new Hash256(Enumerable.Repeat((byte)0x0A, 32).ToArray());
        using var writer = new UtxoSnapshotWriter(new MemoryStream(), new UtxoSnapshotWriterOptions { Network = Network.BitcoinMainnet, BaseBlockHash = tx, CoinCount = 2 });
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Write(new OutPoint(tx, 0), MoneyRange.BitcoinMaxMoney + 1, 1, false, false, [0x51]));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Write(new OutPoint(tx, uint.MaxValue), 1, 1, false, false, [0x51]));
        Assert.Throws<ArgumentException>(() => writer.Write(new OutPoint(tx, 0), 1, 1, false, true, [0x51]));
        writer.Write(new OutPoint(tx, 3), 1, 1, false, false, [0x51]);
        Assert.Throws<ArgumentException>(() => writer.Write(new OutPoint(tx, 3), 1, 1, false, false, [0x51]));
        Assert.Throws<ArgumentException>(() => writer.Write(new OutPoint(Hash256.Zero, 9), 1, 1, false, false, [0x51]));
        Assert.Throws<InvalidOperationException>(writer.Complete);
        writer.Write(new OutPoint(tx, 4), 1, 1, false, false, [0x51]);
        Assert.Throws<InvalidOperationException>(() => writer.Write(new OutPoint(tx, 5), 1, 1, false, false, [0x51]));
        writer.Complete();
    }
}

/// <summary>An unseekable stream that returns 1 to 4,099 bytes per read.</summary>
internal sealed class TrickleStream(byte[] data, int seed) : Stream
{
    private readonly Random _random = new(seed);
    private int _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = Math.Min(Math.Min(count, 1 + _random.Next(4099)), data.Length - _position);
        data.AsSpan(_position, n).CopyTo(buffer.AsSpan(offset));
        _position += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
