using Coinshard.Chain.Addresses;
using Coinshard.Chain.Encoding;
using Coinshard.Chain.Networks;

using Xunit;

namespace Coinshard.Chain.Tests.Addresses;

public class WifKeyTests
{
    // From the vendored key_io_valid.json files.
    private const string BitcoinCompressed = "L5nJeqKmpHp4P7F8ZYyjwc5a7P4d8EabuGAzfGJk7yC1BJyzNaEd";
    private const string BitcoinCompressedSecret = "ff778740f88ddcf102aeb81daee289c044c4a4571c4b6f287400f4b8e0b843f8";
    private const string BitcoinTestnetCompressed = "cV83kKisF3RQSvXbUCm9ox3kaz5JjEUBWcx8tNydfGJcyeUxuH47";
    private const string LitecoinUncompressed = "6vqpCruyRS9bEY6ZVrL8S9EL5h2MnQZffzzqrpNP9i8YozvXTKs";

    // SEC 2: the secp256k1 group order n.
    private const string Order = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";

    [Fact]
    public void Detects_the_network_from_the_prefix()
    {
        Assert.Same(Network.BitcoinMainnet, WifKey.Decode(BitcoinCompressed).Network);
        Assert.Same(Network.LitecoinMainnet, WifKey.Decode(LitecoinUncompressed).Network);
        Assert.Same(Network.BitcoinTestnet3, WifKey.Decode(BitcoinTestnetCompressed).Network);
        Assert.Equal(
            ["bitcoin-testnet3", "bitcoin-testnet4", "bitcoin-signet", "bitcoin-regtest", "litecoin-testnet", "litecoin-regtest"],
            WifKey.GetNetworks(BitcoinTestnetCompressed).Select(n => n.Name));
        Assert.Same(Network.LitecoinRegtest, WifKey.Decode(BitcoinTestnetCompressed, Network.LitecoinRegtest).Network);
    }

    [Theory]
    [InlineData(BitcoinCompressed, "litecoin-mainnet", "bitcoin-mainnet")]
    [InlineData(LitecoinUncompressed, "bitcoin-mainnet", "litecoin-mainnet")]
    [InlineData(BitcoinTestnetCompressed, "bitcoin-mainnet", "bitcoin-testnet3")]
    public void Rejects_keys_of_other_networks_without_revealing_them(string wif, string expected, string actualIncludes)
    {
        var ex = Assert.Throws<WrongNetworkException>(() => WifKey.Decode(wif, Network.Parse(expected)));
        Assert.Equal(expected, ex.Expected.Name);
        Assert.Contains(ex.Actual, n => n.Name == actualIncludes);
        Assert.Contains("private key", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wif, ex.Message, StringComparison.Ordinal);
        Assert.False(WifKey.TryDecode(wif, Network.Parse(expected), out _));
    }

    [Fact]
    public void To_string_does_not_reveal_the_secret()
    {
        var key = WifKey.Decode(BitcoinCompressed);
        Assert.Equal(BitcoinCompressedSecret, Hex.Encode(key.Secret));
        var text = key.ToString();
        Assert.DoesNotContain(BitcoinCompressedSecret, text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(BitcoinCompressed, text, StringComparison.Ordinal);
        Assert.Contains("bitcoin-mainnet", text, StringComparison.Ordinal);
        Assert.Equal(BitcoinCompressed, key.Encode());
    }

    [Theory]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData(Order)]
    [InlineData("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364142")]
    [InlineData("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")]
    public void Rejects_secrets_outside_the_curve_order(string secret)
    {
        foreach (var compressed in new[] { false, true })
        {
            byte[] payload = [0x80, .. Hex.Decode(secret), .. compressed ? new byte[] { 1 } : []];
            var ex = Assert.Throws<InvalidPrivateKeyException>(() => WifKey.Decode(Base58.EncodeCheck(payload)));
            Assert.Contains("group order", ex.Message, StringComparison.Ordinal);
        }
        Assert.False(WifKey.IsValidSecret(Hex.Decode(secret)));
        Assert.Throws<ArgumentException>(() => new WifKey(Hex.Decode(secret), true, Network.BitcoinMainnet));
    }

    [Theory]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000001")]
    [InlineData("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140")] // n - 1
    public void Accepts_the_extreme_valid_secrets(string secret)
    {
        Assert.True(WifKey.IsValidSecret(Hex.Decode(secret)));
        var key = new WifKey(Hex.Decode(secret), true, Network.LitecoinTestnet);
        var decoded = WifKey.Decode(key.Encode(), Network.LitecoinTestnet);
        Assert.Equal(secret, Hex.Encode(decoded.Secret));
        Assert.True(decoded.IsCompressed);
    }

    [Fact]
    public void Rejects_a_compression_flag_other_than_one()
    {
        byte[] payload = [0x80, .. Hex.Decode(BitcoinCompressedSecret), 0x02];
        var ex = Assert.Throws<InvalidPrivateKeyException>(() => WifKey.Decode(Base58.EncodeCheck(payload)));
        Assert.Contains("compression flag", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_an_unknown_prefix_and_wrong_sizes()
    {
        byte[] unknownPrefix = [0x81, .. Hex.Decode(BitcoinCompressedSecret), 0x01];
        Assert.Contains("prefix 0x81", Assert.Throws<InvalidPrivateKeyException>(() => WifKey.Decode(Base58.EncodeCheck(unknownPrefix))).Message, StringComparison.Ordinal);
        byte[] tooShort = [0x80, .. Hex.Decode(BitcoinCompressedSecret)[..31]];
        Assert.Throws<InvalidPrivateKeyException>(() => WifKey.Decode(Base58.EncodeCheck(tooShort)));
        var address = Assert.Throws<InvalidPrivateKeyException>(() => WifKey.Decode("1FsSia9rv4NeEwvJ2GvXrX7LyxYspbN2mo"));
        Assert.Contains("address", address.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_bad_checksum_empty_and_garbage()
    {
        var typo = BitcoinCompressed[..^1] + (BitcoinCompressed[^1] == 'd' ? 'e' : 'd');
        Assert.Throws<InvalidChecksumException>(() => WifKey.Decode(typo));
        Assert.Throws<InvalidPrivateKeyException>(() => WifKey.Decode(""));
        Assert.Throws<InvalidEncodingException>(() => WifKey.Decode("not a key"));
        Assert.Throws<SizeLimitExceededException>(() => WifKey.Decode(new string('K', 10_000)));
        Assert.False(WifKey.TryDecode(null, null, out _));
    }
}
