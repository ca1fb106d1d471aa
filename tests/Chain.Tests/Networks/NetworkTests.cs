using Coinshard.Chain.Networks;

using Xunit;

namespace Coinshard.Chain.Tests.Networks;

public class NetworkTests
{
    [Theory]
    [InlineData("bitcoin-mainnet", "bitcoin-mainnet")]
    [InlineData("btc", "bitcoin-mainnet")]
    [InlineData("mainnet", "bitcoin-mainnet")]
    [InlineData("regtest", "bitcoin-regtest")]
    [InlineData("BTC-TESTNET3", "bitcoin-testnet3")]
    [InlineData("bitcoin-test", "bitcoin-testnet3")]
    [InlineData("testnet4", "bitcoin-testnet4")]
    [InlineData("signet", "bitcoin-signet")]
    [InlineData("ltc", "litecoin-mainnet")]
    [InlineData("litecoin-test", "litecoin-testnet")]
    [InlineData("ltc-regtest", "litecoin-regtest")]
    public void Parses_names_and_aliases(string input, string expected)
    {
        Assert.Equal(expected, Network.Parse(input).Name);
    }

    [Theory]
    [InlineData("dogecoin")]
    [InlineData("litecoin-signet")]
    [InlineData("ltc-testnet4")]
    [InlineData("")]
    public void Rejects_unknown_names_listing_valid_ones(string input)
    {
        var ex = Assert.Throws<ArgumentException>(() => Network.Parse(input));
        Assert.Contains("bitcoin-mainnet", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Genesis_hashes_and_magic_are_as_core_defines_them()
    {
        Assert.Equal("000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f", Network.BitcoinMainnet.GenesisHash.ToString());
        Assert.Equal(new byte[] { 0xF9, 0xBE, 0xB4, 0xD9 }, Network.BitcoinMainnet.MagicBytes);
        Assert.Equal(new byte[] { 0xFB, 0xC0, 0xB6, 0xDB }, Network.LitecoinMainnet.MagicBytes);
        Assert.True(Network.LitecoinRegtest.HasMweb);
        Assert.False(Network.BitcoinRegtest.HasMweb);
        Assert.Equal(PowAlgorithm.Scrypt, Network.LitecoinTestnet.PowAlgorithm);
        Assert.Same(Network.LitecoinRegtest, Network.FromCoreChainName(Currency.Litecoin, "regtest"));
        Assert.Equal(8, Network.All.Count);
        Assert.Equal(8, Network.All.Select(n => n.Name).Distinct().Count());
    }
}
