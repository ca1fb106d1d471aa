using Coinshard.Chain.Keys;

using Xunit;

namespace Coinshard.Chain.Tests.Keys;

public class KeyPathTests
{
    [Theory]
    [InlineData("m/0'/1/2h", new uint[] { 0x80000000, 1, 0x80000002 }, KeyPathWildcard.None, "m/0'/1/2'")]
    [InlineData("0/*", new uint[] { 0 }, KeyPathWildcard.Unhardened, "m/0/*")]
    [InlineData("1/*'", new uint[] { 1 }, KeyPathWildcard.Hardened, "m/1/*'")]
    [InlineData("m/2147483647'/*h", new uint[] { 0xFFFFFFFF }, KeyPathWildcard.Hardened, "m/2147483647'/*'")]
    [InlineData("m", new uint[0], KeyPathWildcard.None, "m")]
    [InlineData("", new uint[0], KeyPathWildcard.None, "m")]
    [InlineData("*", new uint[0], KeyPathWildcard.Unhardened, "m/*")]
    public void Parses_paths(string text, uint[] indexes, KeyPathWildcard wildcard, string printed)
    {
        var path = KeyPath.Parse(text);
        Assert.Equal(indexes, path.Indexes);
        Assert.Equal(wildcard, path.Wildcard);
        Assert.Equal(printed, path.ToString());
        Assert.Equal(path, KeyPath.Parse(printed));
    }

    [Theory]
    [InlineData("m/")]
    [InlineData("m//1")]
    [InlineData("0/")]
    [InlineData("m0")]
    [InlineData("2147483648")]
    [InlineData("4294967296")]
    [InlineData("0H")] // Bitcoin Core and the BIP380 vectors accept only ' and h
    [InlineData("0f")]
    [InlineData("-0")]
    [InlineData("+1")]
    [InlineData("*/1")]
    [InlineData("1/*/*")]
    [InlineData("'")]
    [InlineData("1 ")]
    public void Rejects_bad_paths(string text)
    {
        Assert.Throws<InvalidEncodingException>(() => KeyPath.Parse(text));
        Assert.False(KeyPath.TryParse(text, out _));
    }

    [Fact]
    public void Resolving_a_wildcard_gives_the_child_step()
    {
        Assert.Equal("m/0/7", KeyPath.Parse("0/*").ResolveWildcard(7).ToString());
        Assert.Equal("m/0/7'", KeyPath.Parse("0/*'").ResolveWildcard(7).ToString());
        Assert.True(KeyPath.Parse("0/*'").HasHardenedSteps);
        Assert.False(KeyPath.Parse("0/*").HasHardenedSteps);
        Assert.Throws<ArgumentOutOfRangeException>(() => KeyPath.Parse("0/*").ResolveWildcard(KeyPath.HardenedBit));
    }
}
