using Coinshard.Chain.Encoding;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Snapshots;

using Xunit;

namespace Coinshard.Chain.Tests.Snapshots;

/// <summary>
/// Files written byte by byte from the format description (docs/utxo-snapshot-format.md, Core's serializers),
/// with expectations worked out by hand: nothing here comes from our writer.
/// </summary>
public class HandBuiltSnapshotTests
{
    private const string BaseHash = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    private const string TxA = "0aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string TxB = "0bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    // Four coins, two txid groups, one of each interesting encoding.
    public const string Version2File = $"""
        75 74 78 6f ff                 # magic "utxo" 0xFF
        02 00                          # version 2
        fa bf b5 da                    # regtest network magic
        {BaseHash}                     # base block hash (internal order)
        04 00 00 00 00 00 00 00        # 4 coins
        {TxA}                          # group: txid A
        02                             #   2 coins
        00                             #   vout 0
        80 4b                          #     code 203 = height 101 * 2 + coinbase
        32                             #     compressed 50 -> 50 BTC
        00 1111111111111111111111111111111111111111   # P2PKH template
        05                             #   vout 5
        d4 b8 40                       #     code 1,400,000 = height 700,000, not coinbase
        a5 2f                          #     compressed 4911 -> 546 sat
        1c 0014 2222222222222222222222222222222222222222 # raw, nSize 28 = 22 + 6: a P2WPKH
        {TxB}                          # group: txid B
        02
        01                             #   vout 1
        02                             #     height 1
        09                             #     1 BTC
        04 {ScriptCompressionTests.GX} # uncompressed key, even y: G
        02                             #   vout 2
        05                             #     height 2, coinbase
        00                             #     0 sat
        05 678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb6 # odd y: the genesis key
        """;

    internal static readonly CoinRow[] Expected =
    [
        new($"{Display(TxA)}:0", 5_000_000_000, 101, true, false, "76a914" + new string('1', 40) + "88ac"),
        new($"{Display(TxA)}:5", 546, 700_000, false, false, "0014" + new string('2', 40)),
        new($"{Display(TxB)}:1", 100_000_000, 1, false, false, "4104" + ScriptCompressionTests.GX + ScriptCompressionTests.GY + "ac"),
        new($"{Display(TxB)}:2", 0, 2, true, false, "41" + ScriptCompressionTests.GenesisKey + "ac"),
    ];

    [Fact]
    public void Version2_file_decodes_to_the_hand_expectations()
    {
        var (header, coins) = SnapshotTestFiles.ReadAll(SnapshotTestFiles.Bytes(Version2File), SnapshotTestFiles.Options(Network.BitcoinRegtest, 700_000));
        Assert.Equal(UtxoSnapshotFormat.Version2, header.Format);
        Assert.Equal(2, header.Version);
        Assert.Same(Network.BitcoinRegtest, header.Network);
        Assert.Equal(0xFABFB5DAu, header.NetworkMagic);
        Assert.Equal(Display(BaseHash), header.BaseBlockHash.ToString());
        Assert.Equal(4UL, header.CoinCount);
        Assert.Equal(51, header.Length);
        Assert.Null(header.ChainTxCount);
        Assert.Equal(Expected, coins);
        Assert.Equal(Expected, SnapshotTestFiles.ReadAllBatched(SnapshotTestFiles.Bytes(Version2File), SnapshotTestFiles.Options(Network.BitcoinRegtest), 3));
    }

    [Fact]
    public void Version2_coin_offsets_point_at_their_records()
    {
        using var reader = new UtxoSnapshotReader(new MemoryStream(SnapshotTestFiles.Bytes(Version2File)), Network.BitcoinRegtest);
        var offsets = new List<long>();
        while (reader.MoveNext())
        {
            offsets.Add(reader.Current.Offset);
        }
        // 51 header + 33 group header; 1+2+1+21 = 25; next group at 84+25+1+3+2+23 = 138, +33.
        Assert.Equal([84L, 109, 171, 207], offsets);
        Assert.Equal(SnapshotTestFiles.Bytes(Version2File).Length, reader.BytesRead);
    }

    // The same coins in the older layout: per coin txid, u32 vout, coin; with and without nChainTx.
    private static string LegacyFile(bool withChainTx) => $"""
        {BaseHash}
        04 00 00 00 00 00 00 00        # 4 coins
        {(withChainTx ? "e8 03 00 00   # nChainTx 1000" : "")}
        {TxA} 00 00 00 00   80 4b 32 00 1111111111111111111111111111111111111111
        {TxA} 05 00 00 00   d4 b8 40 a5 2f 1c 0014 2222222222222222222222222222222222222222
        {TxB} 01 00 00 00   02 09 04 {ScriptCompressionTests.GX}
        {TxB} 02 00 00 00   05 00 05 678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb6
        """;

    [Theory]
    [InlineData(true, LegacyHeaderLayout.Detect)]
    [InlineData(false, LegacyHeaderLayout.Detect)]
    [InlineData(true, LegacyHeaderLayout.WithChainTx)]
    [InlineData(false, LegacyHeaderLayout.WithoutChainTx)]
    public void Legacy_files_decode_with_detected_or_given_header(bool withChainTx, LegacyHeaderLayout layout)
    {
        var options = SnapshotTestFiles.Options(Network.BitcoinMainnet) with { LegacyHeader = layout };
        var (header, coins) = SnapshotTestFiles.ReadAll(SnapshotTestFiles.Bytes(LegacyFile(withChainTx)), options);
        Assert.Equal(UtxoSnapshotFormat.Legacy, header.Format);
        Assert.Equal(0, header.Version);
        Assert.Null(header.Network);
        Assert.Equal(withChainTx ? 44 : 40, header.Length);
        Assert.Equal(withChainTx ? 1000u : null, header.ChainTxCount);
        Assert.Equal(layout == LegacyHeaderLayout.Detect, header.LayoutDetected);
        Assert.Equal(Expected, coins);
    }

    [Fact]
    public void Legacy_file_read_with_the_wrong_header_length_fails()
    {
        var ex = Assert.Throws<SnapshotFormatException>(() => SnapshotTestFiles.ReadAll(
            SnapshotTestFiles.Bytes(LegacyFile(true)), SnapshotTestFiles.Options(Network.BitcoinMainnet) with { LegacyHeader = LegacyHeaderLayout.WithoutChainTx }));
        Assert.NotNull(ex.Offset);
    }

    [Fact]
    public void Empty_snapshots_in_every_layout()
    {
        var v2 = SnapshotTestFiles.Bytes($"7574786fff 0200 f9beb4d9 {BaseHash} 0000000000000000");
        var (header, coins) = SnapshotTestFiles.ReadAll(v2, SnapshotTestFiles.Options(Network.BitcoinMainnet));
        Assert.Equal((UtxoSnapshotFormat.Version2, 0UL), (header.Format, header.CoinCount));
        Assert.Empty(coins);
        (header, coins) = SnapshotTestFiles.ReadAll(SnapshotTestFiles.Bytes($"{BaseHash} 0000000000000000 07000000"), SnapshotTestFiles.Options(Network.BitcoinMainnet));
        Assert.Equal((44, 7u), (header.Length, header.ChainTxCount));
        Assert.Empty(coins);
        (header, coins) = SnapshotTestFiles.ReadAll(SnapshotTestFiles.Bytes($"{BaseHash} 0000000000000000"), SnapshotTestFiles.Options(Network.BitcoinMainnet));
        Assert.Equal(40, header.Length);
        Assert.Empty(coins);
    }

    internal static string Display(string internalHex) =>
        Hex.Encode(Hex.Decode(internalHex).Reverse().ToArray());
}
