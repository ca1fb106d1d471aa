using Coinshard.Chain.Encoding;
using Coinshard.Chain.Snapshots;

using Xunit;

namespace Coinshard.Chain.Tests.Snapshots;

public class ScriptCompressionTests
{
    // The generator point G (private key 1): even y.
    public const string GX = "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
    public const string GY = "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8";

    // The key Bitcoin's genesis block pays (its coinbase output script, 41 <key> AC): odd y.
    public const string GenesisKey = "04678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61de"
        + "b649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5f";

    private const string Hash20 = "89abcdefabbaabbaabbaabbaabbaabbaabbaabba";

    [Theory]
    [InlineData(0u, Hash20, "76a914" + Hash20 + "88ac")]
    [InlineData(1u, Hash20, "a914" + Hash20 + "87")]
    [InlineData(2u, GX, "2102" + GX + "ac")]
    [InlineData(3u, GX, "2103" + GX + "ac")]
    [InlineData(4u, GX, "4104" + GX + GY + "ac")]
    [InlineData(5u, "678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb6", "41" + GenesisKey + "ac")]
    public void Templates_decompress(uint nSize, string payload, string script)
    {
        Span<byte> destination = stackalloc byte[ScriptCompression.MaxTemplateScriptSize];
        Assert.True(ScriptCompression.TryDecompressTemplate(nSize, Hex.Decode(payload), destination, out var written));
        Assert.Equal(script, Hex.Encode(destination[..written]));
        // And back (the writer's direction).
        Span<byte> compressed = stackalloc byte[ScriptCompression.MaxCompressedTemplateSize];
        Assert.True(ScriptCompression.TryCompress(Hex.Decode(script), compressed, out var length));
        Assert.Equal(nSize.ToString("x2", System.Globalization.CultureInfo.InvariantCulture) + payload, Hex.Encode(compressed[..length]));
    }

    [Fact]
    public void Uncompressed_key_recovery_gives_the_genesis_key_from_its_x_and_parity()
    {
        var key = Hex.Decode(GenesisKey);
        Span<byte> destination = stackalloc byte[ScriptCompression.MaxTemplateScriptSize];
        Assert.True(ScriptCompression.TryDecompressTemplate(4u | (uint)(key[64] & 1), key.AsSpan(1, 32), destination, out var written));
        Assert.Equal(67, written);
        Assert.Equal(key, destination.Slice(1, 65).ToArray());
        // The other parity gives the other point with the same x (p - y), still a valid key.
        Assert.True(ScriptCompression.TryDecompressTemplate(4, key.AsSpan(1, 32), destination, out _));
        Assert.NotEqual(key, destination.Slice(1, 65).ToArray());
        Assert.Equal(key.AsSpan(1, 32).ToArray(), destination.Slice(2, 32).ToArray());
    }

    [Theory]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000005")] // x^3 + 7 has no square root
    [InlineData("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")] // x >= p
    public void Uncompressed_templates_with_x_off_the_curve_fail(string x)
    {
        Span<byte> destination = stackalloc byte[ScriptCompression.MaxTemplateScriptSize];
        Assert.False(ScriptCompression.TryDecompressTemplate(4, Hex.Decode(x), destination, out _));
        Assert.False(ScriptCompression.TryDecompressTemplate(5, Hex.Decode(x), destination, out _));
        // Compressed-key templates are not checked, as in Core (IsToPubKey only looks at the prefix byte).
        Assert.True(ScriptCompression.TryDecompressTemplate(2, Hex.Decode(x), destination, out var written));
        Assert.Equal("2102" + x + "ac", Hex.Encode(destination[..written]));
    }

    [Theory]
    [InlineData("0014" + Hash20)]                           // P2WPKH: raw
    [InlineData("5120" + GX)]                               // P2TR: raw
    [InlineData("76a914" + Hash20 + "88ad")]                // not quite P2PKH
    [InlineData("76a915" + Hash20 + "0088ac")]
    [InlineData("4106" + GX + GY + "ac")]                   // hybrid key
    [InlineData("4104" + GX + "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b9" + "ac")] // not on the curve
    [InlineData("2104" + GX + "ac")]                        // 33 bytes but not 02/03
    [InlineData("51")]
    [InlineData("")]
    public void Other_scripts_stay_raw(string script)
    {
        Span<byte> compressed = stackalloc byte[ScriptCompression.MaxCompressedTemplateSize];
        Assert.False(ScriptCompression.TryCompress(Hex.Decode(script), compressed, out var written));
        Assert.Equal(0, written);
    }

    [Fact]
    public void Template_sizes_and_bad_arguments()
    {
        Assert.Equal(20, ScriptCompression.GetTemplatePayloadSize(0));
        Assert.Equal(20, ScriptCompression.GetTemplatePayloadSize(1));
        Assert.Equal(32, ScriptCompression.GetTemplatePayloadSize(5));
        Assert.Throws<ArgumentOutOfRangeException>(() => ScriptCompression.GetTemplatePayloadSize(6));
        var destination = new byte[ScriptCompression.MaxTemplateScriptSize];
        Assert.Throws<ArgumentException>(() => ScriptCompression.TryDecompressTemplate(0, new byte[21], destination, out _));
        Assert.Equal("6a", Hex.Encode(ScriptCompression.OversizedScriptReplacement));
    }
}
