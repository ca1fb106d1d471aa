using System.Buffers.Binary;

using Coinshard.Chain.Encoding;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Snapshots;
using Coinshard.TestSupport.Snapshots;

using Xunit;

namespace Coinshard.Chain.Tests.Snapshots;

/// <summary>Bad files: each gives a <see cref="SnapshotFormatException"/> of the right kind, naming an offset, and nothing else.</summary>
public class MalformedSnapshotTests
{
    private const string Hash = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    private const string TxA = "0aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string TxB = "0bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private const string V2Header = "7574786fff 0200 fabfb5da " + Hash;
    private const string P2pkhCoin = "04 09 00 1111111111111111111111111111111111111111"; // height 2, 1 BTC, P2PKH

    public static TheoryData<string, UtxoSnapshotFormat, bool> SmallFiles => new()
    {
        { "v2", UtxoSnapshotFormat.Version2, false },
        { "legacy-44", UtxoSnapshotFormat.Legacy, true },
        { "legacy-40", UtxoSnapshotFormat.Legacy, false },
    };

    private static byte[] Small(UtxoSnapshotFormat format, bool chainTx) => SyntheticSnapshot.ToArray(new SyntheticSnapshotOptions
    {
        Seed = 99,
        CoinCount = 40,
        Network = Network.BitcoinRegtest,
        Format = format,
        LegacyChainTx = chainTx,
    });

    private static UtxoSnapshotReaderOptions Regtest(LegacyHeaderLayout layout = LegacyHeaderLayout.Detect, int? baseHeight = null) =>
        SnapshotTestFiles.Options(Network.BitcoinRegtest, baseHeight) with { LegacyHeader = layout };

    private static LegacyHeaderLayout Layout(UtxoSnapshotFormat format, bool chainTx) =>
        format == UtxoSnapshotFormat.Version2 ? LegacyHeaderLayout.Detect : chainTx ? LegacyHeaderLayout.WithChainTx : LegacyHeaderLayout.WithoutChainTx;

    private static SnapshotFormatException Fails(byte[] file, UtxoSnapshotReaderOptions options)
    {
        var ex = Assert.Throws<SnapshotFormatException>(() => SnapshotTestFiles.ReadAll(file, options));
        Assert.NotNull(ex.Offset);
        Assert.Contains($"(at byte offset {ex.Offset})", ex.Message, StringComparison.Ordinal);
        return ex;
    }

    private static SnapshotFormatException Fails(string annotatedHex, UtxoSnapshotReaderOptions options) =>
        Fails(SnapshotTestFiles.Bytes(annotatedHex), options);

    [Theory]
    [MemberData(nameof(SmallFiles))]
    public void Truncation_at_every_offset_is_reported_at_or_before_the_cut(string name, UtxoSnapshotFormat format, bool chainTx)
    {
        var file = Small(format, chainTx);
        for (var length = 0; length < file.Length; length++)
        {
            var cut = file[..length];
            // With the layout given, truncation is always Truncated (inside a record) or MissingCoins (between).
            var ex = Fails(cut, Regtest(Layout(format, chainTx)));
            Assert.True(ex.Error is SnapshotError.Truncated or SnapshotError.MissingCoins, $"{name} cut at {length}: {ex.Message}");
            Assert.InRange(ex.Offset!.Value, 0, length);
            if (ex.Error == SnapshotError.MissingCoins)
            {
                Assert.Equal(length, ex.Offset);
            }
            // Detecting the older header must fail too, whatever it blames.
            Fails(cut, Regtest());
        }
    }

    [Theory]
    [MemberData(nameof(SmallFiles))]
    public void Flipped_bytes_never_escape_as_another_exception(string name, UtxoSnapshotFormat format, bool chainTx)
    {
        var file = Small(format, chainTx);
        var (cleanHeader, clean) = SnapshotTestFiles.ReadAll(file, Regtest());
        var failures = 0;
        foreach (var mask in new byte[] { 0xFF, 0x01 })
        {
            for (var at = 0; at < file.Length; at++)
            {
                var bad = (byte[])file.Clone();
                bad[at] ^= mask;
                foreach (var options in new[] { Regtest(), Regtest(Layout(format, chainTx)) })
                {
                    try
                    {
                        // Success is possible (a flipped hash or amount byte is still valid data), but then what was read differs.
                        var (header, coins) = SnapshotTestFiles.ReadAll(bad, options);
                        Assert.False(header with { LayoutDetected = cleanHeader.LayoutDetected } == cleanHeader && coins.SequenceEqual(clean), $"{name}: flip at {at} went unseen");
                    }
                    catch (SnapshotFormatException ex)
                    {
                        Assert.NotNull(ex.Offset);
                        Assert.InRange(ex.Offset!.Value, 0, bad.Length);
                        failures++;
                    }
                }
            }
        }
        Assert.True(failures > 0, $"{name}: no corruption was noticed");
    }

    [Fact]
    public void Random_garbage_and_splices_never_escape_as_another_exception()
    {
        var random = new Random(5);
        var file = Small(UtxoSnapshotFormat.Version2, false);
        for (var i = 0; i < 3000; i++)
        {
            var bad = (byte[])file.Clone();
            var start = random.Next(bad.Length);
            var length = Math.Min(bad.Length - start, 1 + random.Next(40));
            random.NextBytes(bad.AsSpan(start, length));
            if (i % 3 == 0)
            {
                bad = [.. bad[..random.Next(bad.Length)], .. file[random.Next(file.Length)..]]; // splice two cuts
            }
            try
            {
                SnapshotTestFiles.ReadAll(bad, Regtest());
                SnapshotTestFiles.ReadAll(bad, Regtest(LegacyHeaderLayout.WithoutChainTx) with { Format = UtxoSnapshotFormat.Legacy, VerifyOrder = false });
            }
            catch (SnapshotFormatException ex)
            {
                Assert.NotNull(ex.Offset);
            }
        }
    }

    [Fact]
    public void Wrong_magic()
    {
        var ex = Fails($"7574786ffe 0200 fabfb5da {Hash} 0000000000000000", Regtest());
        Assert.Equal((SnapshotError.BadMagic, 4L), (ex.Error, ex.Offset));
        // An older file when version 2 was required: the magic is wrong from the first byte.
        ex = Fails($"{Hash} 0000000000000000", Regtest() with { Format = UtxoSnapshotFormat.Version2 });
        Assert.Equal((SnapshotError.BadMagic, 0L), (ex.Error, ex.Offset));
        // And the other way round.
        ex = Fails($"{V2Header} 0000000000000000", Regtest() with { Format = UtxoSnapshotFormat.Legacy });
        Assert.Equal((SnapshotError.BadMagic, 0L), (ex.Error, ex.Offset));
    }

    [Theory]
    [InlineData("0100")]
    [InlineData("0300")]
    [InlineData("ffff")]
    public void Unknown_version(string version)
    {
        var ex = Fails($"7574786fff {version} fabfb5da {Hash} 0000000000000000", Regtest());
        Assert.Equal((SnapshotError.UnsupportedVersion, 5L), (ex.Error, ex.Offset));
    }

    [Fact]
    public void Wrong_network()
    {
        var mainnet = SyntheticSnapshot.ToArray(new SyntheticSnapshotOptions { CoinCount = 3 });
        var ex = Fails(mainnet, SnapshotTestFiles.Options(Network.BitcoinTestnet4));
        Assert.Equal((SnapshotError.WrongNetwork, 7L), (ex.Error, ex.Offset));
        Assert.Contains("bitcoin-mainnet", ex.Message, StringComparison.Ordinal);
        Assert.Contains("bitcoin-testnet4", ex.Message, StringComparison.Ordinal);
        ex = Fails($"7574786fff 0200 01020304 {Hash} 0000000000000000", Regtest());
        Assert.Equal((SnapshotError.WrongNetwork, 7L), (ex.Error, ex.Offset));
        Assert.Contains("unrecognized network", ex.Message, StringComparison.Ordinal);
        // The regtest magic is shared by Bitcoin and Litecoin; a Litecoin reader accepts it as its own.
        var (header, _) = SnapshotTestFiles.ReadAll(SnapshotTestFiles.Bytes($"{V2Header} 0000000000000000"), SnapshotTestFiles.Options(Network.LitecoinRegtest));
        Assert.Same(Network.LitecoinRegtest, header.Network);
    }

    [Theory]
    [MemberData(nameof(SmallFiles))]
    public void Count_larger_than_the_data(string name, UtxoSnapshotFormat format, bool chainTx)
    {
        var file = Small(format, chainTx);
        foreach (var extra in new ulong[] { 1, 2, 1_000_000, ulong.MaxValue - 40 })
        {
            var ex = Fails(WithCount(file, format, 40 + extra), Regtest(Layout(format, chainTx)));
            Assert.Equal(SnapshotError.MissingCoins, ex.Error);
            Assert.Equal(file.Length, ex.Offset);
            Assert.Contains("ends after 40", ex.Message, StringComparison.Ordinal);
            Fails(WithCount(file, format, 40 + extra), Regtest());
            _ = name;
        }
    }

    [Theory]
    [MemberData(nameof(SmallFiles))]
    public void Count_smaller_than_the_data(string name, UtxoSnapshotFormat format, bool chainTx)
    {
        var file = Small(format, chainTx);
        var clean = SnapshotTestFiles.ReadAll(file, Regtest()).Coins;
        var ex = Fails(WithCount(file, format, 39), Regtest(Layout(format, chainTx)));
        if (format == UtxoSnapshotFormat.Version2 && ex.Error == SnapshotError.GroupTooLarge)
        {
            // The last group claims more coins than the count leaves (Core's "mismatch in coins count").
            Assert.Contains("leaves only", ex.Message, StringComparison.Ordinal);
        }
        else
        {
            // The last coin (or, in version 2, a last group of one coin) is left over.
            Assert.Equal(SnapshotError.TrailingData, ex.Error);
            Assert.Equal(LastCoinOffset(file, format, chainTx) - (format == UtxoSnapshotFormat.Version2 ? 33 : 0), ex.Offset);
        }
        Assert.Equal(40, clean.Count);
        _ = name;
    }

    [Theory]
    [MemberData(nameof(SmallFiles))]
    public void Trailing_bytes_after_the_last_coin(string name, UtxoSnapshotFormat format, bool chainTx)
    {
        var file = Small(format, chainTx);
        foreach (var tail in new[] { "00", "ff", "0aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa00" })
        {
            var ex = Fails([.. file, .. Hex.Decode(tail)], Regtest(Layout(format, chainTx)));
            Assert.Equal((SnapshotError.TrailingData, (long)file.Length), (ex.Error, ex.Offset));
            Fails([.. file, .. Hex.Decode(tail)], Regtest());
        }
        _ = name;
    }

    [Fact]
    public void Group_claiming_more_coins_than_remain()
    {
        var ex = Fails($"{V2Header} 0200000000000000 {TxA} 03 00 {P2pkhCoin} 01 {P2pkhCoin} 02 {P2pkhCoin}", Regtest());
        Assert.Equal((SnapshotError.GroupTooLarge, 51L + 32), (ex.Error, ex.Offset));
        Assert.Contains("claims 3 coins", ex.Message, StringComparison.Ordinal);
        // Above Core's CompactSize limit (MAX_SIZE, 2^25) even when the count would allow it.
        ex = Fails($"{V2Header} ffffffffffffff7f {TxA} fe01000002 00 {P2pkhCoin}", Regtest());
        Assert.Equal(SnapshotError.GroupTooLarge, ex.Error);
    }

    [Fact]
    public void Height_above_the_base_block()
    {
        var file = $"{V2Header} 0200000000000000 {TxA} 02 00 {P2pkhCoin} 01 fc00 09 00 1111111111111111111111111111111111111111";
        Assert.Equal(2, SnapshotTestFiles.ReadAll(SnapshotTestFiles.Bytes(file), Regtest(baseHeight: 8_000)).Coins.Count);
        var ex = Fails(file, Regtest(baseHeight: 7_999));
        // Second coin: 51 + 33 + 24 = 108, its code (VARINT 16,000 = height 8,000) right after the index byte.
        Assert.Equal((SnapshotError.HeightAboveBase, 109L), (ex.Error, ex.Offset));
        Assert.Contains("height 8000", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Output_index_0xFFFFFFFF()
    {
        var ex = Fails($"{Hash} 0100000000000000 {TxA} ffffffff {P2pkhCoin}", Regtest(LegacyHeaderLayout.WithoutChainTx));
        Assert.Equal((SnapshotError.InvalidOutputIndex, 72L), (ex.Error, ex.Offset));
        ex = Fails($"{V2Header} 0100000000000000 {TxA} 01 feffffffff {P2pkhCoin}", Regtest());
        Assert.Equal((SnapshotError.InvalidOutputIndex, 84L), (ex.Error, ex.Offset));
        // The largest index Core's CompactSize reading takes.
        Assert.Single(SnapshotTestFiles.ReadAll(SnapshotTestFiles.Bytes($"{V2Header} 0100000000000000 {TxA} 01 fe00000002 {P2pkhCoin}"), Regtest()).Coins);
    }

    [Fact]
    public void Amounts_outside_the_money_range()
    {
        // Compressed 18,900,000,000,000,001 = 21,000,000 BTC + 1 sat (above Bitcoin's MAX_MONEY, within Litecoin's).
        var file = $"{V2Header} 0100000000000000 {TxA} 01 00 04 a0c8adb1d183ff01 00 1111111111111111111111111111111111111111";
        var ex = Fails(file, Regtest());
        Assert.Equal((SnapshotError.AmountOutOfRange, 86L), (ex.Error, ex.Offset));
        Assert.Equal(2_100_000_000_000_001, SnapshotTestFiles.ReadAll(SnapshotTestFiles.Bytes(file), SnapshotTestFiles.Options(Network.LitecoinRegtest)).Coins[0].Value);
        // A compressed value that would not even fit 64 bits (Core's arithmetic would wrap).
        ex = Fails($"{V2Header} 0100000000000000 {TxA} 01 00 04 80fefefefefefefefe7f 00 1111111111111111111111111111111111111111", Regtest());
        Assert.Equal((SnapshotError.AmountOutOfRange, 86L), (ex.Error, ex.Offset));
    }

    [Theory]
    [InlineData("8efefeff00 09 00", 85L)]                            // code: 2^32 does not fit Core's uint32 VARINT
    [InlineData("04 ffffffffffffffffffffff7f 00", 86L)]              // amount: past 64 bits
    [InlineData("04 09 8efefeff00", 87L)]                            // nSize: past 32 bits
    public void VarInt_overflow(string coinStart, long offset)
    {
        var ex = Fails($"{V2Header} 0100000000000000 {TxA} 01 00 {coinStart} 1111111111111111111111111111111111111111", Regtest());
        Assert.Equal((SnapshotError.VarIntOverflow, offset), (ex.Error, ex.Offset));
    }

    [Fact]
    public void Non_canonical_CompactSize()
    {
        var ex = Fails($"{V2Header} 0100000000000000 {TxA} fd0100 00 {P2pkhCoin}", Regtest());
        Assert.Equal((SnapshotError.NonCanonicalCompactSize, 83L), (ex.Error, ex.Offset));
        ex = Fails($"{V2Header} 0100000000000000 {TxA} 01 fe00000000 {P2pkhCoin}", Regtest());
        Assert.Equal((SnapshotError.NonCanonicalCompactSize, 84L), (ex.Error, ex.Offset));
    }

    [Fact]
    public void Invalid_compressed_point_in_both_read_paths()
    {
        // nSize 4 with x = 5: x^3 + 7 is not a square mod p.
        var file = SnapshotTestFiles.Bytes($"{V2Header} 0100000000000000 {TxA} 01 00 04 09 04 {new string('0', 63)}5");
        var ex = Fails(file, Regtest());
        Assert.Equal((SnapshotError.InvalidCompressedPubKey, 87L), (ex.Error, ex.Offset));
        using var reader = new UtxoSnapshotReader(new MemoryStream(file), Regtest());
        var batch = new SnapshotCoinBatch(4);
        Assert.Equal(1, reader.ReadBatch(batch));
        var inBatch = Assert.Throws<SnapshotFormatException>(() => batch.GetScript(0, new byte[ScriptCompression.MaxTemplateScriptSize]));
        Assert.Equal((SnapshotError.InvalidCompressedPubKey, 87L), (inBatch.Error, inBatch.Offset));
        Assert.Equal(0, reader.ReadBatch(batch));
    }

    [Fact]
    public void Coins_out_of_chainstate_order()
    {
        var groups = $"{V2Header} 0200000000000000 {TxB} 01 00 {P2pkhCoin} {TxA} 01 00 {P2pkhCoin}";
        var ex = Fails(groups, Regtest());
        Assert.Equal((SnapshotError.OutOfOrder, 51L + 33 + 24), (ex.Error, ex.Offset));
        Assert.Equal(2, SnapshotTestFiles.ReadAll(SnapshotTestFiles.Bytes(groups), Regtest() with { VerifyOrder = false }).Coins.Count);
        // The same txid twice (a duplicate group) and a repeated output index.
        Assert.Equal(SnapshotError.OutOfOrder, Fails($"{V2Header} 0200000000000000 {TxA} 01 00 {P2pkhCoin} {TxA} 01 01 {P2pkhCoin}", Regtest()).Error);
        Assert.Equal(SnapshotError.OutOfOrder, Fails($"{V2Header} 0200000000000000 {TxA} 02 03 {P2pkhCoin} 03 {P2pkhCoin}", Regtest()).Error);
        Assert.Equal(SnapshotError.OutOfOrder, Fails($"{Hash} 0200000000000000 {TxA} 01000000 {P2pkhCoin} {TxA} 00000000 {P2pkhCoin}", Regtest(LegacyHeaderLayout.WithoutChainTx)).Error);
    }

    [Fact]
    public void Empty_groups_are_accepted_as_by_Core()
    {
        var coins = SnapshotTestFiles.ReadAll(SnapshotTestFiles.Bytes($"{V2Header} 0100000000000000 {TxA} 00 {TxB} 01 00 {P2pkhCoin}"), Regtest()).Coins;
        Assert.Equal(HandBuiltSnapshotTests.Display(TxB) + ":0", Assert.Single(coins).OutPoint);
        // Empty groups after the last coin are bytes after the last coin.
        Assert.Equal(SnapshotError.TrailingData, Fails($"{V2Header} 0100000000000000 {TxA} 01 00 {P2pkhCoin} {TxB} 00", Regtest()).Error);
    }

    [Fact]
    public void Older_header_that_fits_both_lengths_is_ambiguous_on_Bitcoin_and_44_bytes_on_Litecoin()
    {
        // Read with 44 bytes: txid A, vout 0x000B0000, code 0, amount 0, raw 1-byte script 51. Read with 40 bytes: the
        // "nChainTx" 01020304 starts a txid, vout = A's last bytes, code 0, amount 0, raw 5-byte script 00 00 00 07 51.
        var file = SnapshotTestFiles.Bytes($"{Hash} 0100000000000000 01020304 {TxA} 00000b00 00 00 07 51");
        var ex = Fails(file, Regtest());
        Assert.Equal((SnapshotError.AmbiguousHeader, 40L), (ex.Error, ex.Offset));
        var (header, coins) = SnapshotTestFiles.ReadAll(file, SnapshotTestFiles.Options(Network.LitecoinRegtest));
        Assert.Equal((44, 0x04030201u), (header.Length, header.ChainTxCount));
        Assert.Equal("51", Assert.Single(coins).Script);
        Assert.Equal("0000000751", SnapshotTestFiles.ReadAll(file, Regtest(LegacyHeaderLayout.WithoutChainTx)).Coins[0].Script);
    }

    [Fact]
    public void Options_are_checked()
    {
        Assert.Throws<ArgumentNullException>(() => new UtxoSnapshotReader(null!, Network.BitcoinMainnet));
        Assert.Throws<ArgumentNullException>(() => new UtxoSnapshotReader(new MemoryStream(), new UtxoSnapshotReaderOptions { Network = null! }));
        using var reader = new UtxoSnapshotReader(new MemoryStream(SnapshotTestFiles.Bytes($"{V2Header} 0000000000000000")), Regtest());
        Assert.Throws<InvalidOperationException>(() => reader.Current.Value);
        Assert.False(reader.MoveNext());
        Assert.False(reader.MoveNext());
    }

    private static byte[] WithCount(byte[] file, UtxoSnapshotFormat format, ulong count)
    {
        var copy = (byte[])file.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(copy.AsSpan(format == UtxoSnapshotFormat.Version2 ? 43 : 32), count);
        return copy;
    }

    private static long LastCoinOffset(byte[] file, UtxoSnapshotFormat format, bool chainTx)
    {
        using var reader = new UtxoSnapshotReader(new MemoryStream(file), Regtest(Layout(format, chainTx)));
        long last = -1;
        while (reader.MoveNext())
        {
            last = reader.Current.Offset;
        }
        return last;
    }
}
