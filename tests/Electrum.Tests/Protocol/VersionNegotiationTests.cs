using System.Text.Json;

using Coinshard.Electrum.Protocol;

using Xunit;

namespace Coinshard.Electrum.Tests.Protocol;

public class VersionNegotiationTests
{
    private static NegotiationResult Negotiate(string paramsJson)
    {
        using var document = JsonDocument.Parse(paramsJson);
        return VersionNegotiation.Negotiate(document.RootElement.Clone(), ProtocolVersion.Version14, ProtocolVersion.Version16);
    }

    [Theory]
    [InlineData("""["Electrum 4.5.8", "1.4"]""", "1.4")]
    [InlineData("""["wallet", "1.4.2"]""", "1.4.2")]
    [InlineData("""["wallet", ["1.4", "1.6"]]""", "1.6")]
    [InlineData("""["wallet", ["1.2", "1.5"]]""", "1.5")]
    [InlineData("""["wallet", ["1.4", "2.0"]]""", "1.6")]
    [InlineData("""["wallet"]""", "1.4")]
    [InlineData("""[]""", "1.4")]
    [InlineData("""{"client_name":"w","protocol_version":["1.5","1.6"]}""", "1.6")]
    public void The_server_picks_the_highest_common_version(string parameters, string expected)
    {
        var result = Negotiate(parameters);

        Assert.Null(result.Error);
        Assert.Equal(ProtocolVersion.Parse(expected), result.Version);
    }

    [Theory]
    [InlineData("""["wallet", "1.2"]""", "speaks 1.4 to 1.6")]
    [InlineData("""["wallet", ["1.7", "1.9"]]""", "speaks 1.4 to 1.6")]
    [InlineData("""["wallet", "1"]""", "invalid protocol version")]
    [InlineData("""["wallet", "1.x"]""", "invalid protocol version")]
    [InlineData("""["wallet", ["1.6", "1.4"]]""", "invalid protocol version range")]
    [InlineData("""["wallet", 1.4]""", "must be a version string")]
    public void No_common_or_malformed_version_fails_with_a_reason(string parameters, string reason)
    {
        var result = Negotiate(parameters);

        Assert.Null(result.Version);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Versions_compare_numerically_with_missing_parts_as_zero()
    {
        Assert.True(ProtocolVersion.Parse("1.10") > ProtocolVersion.Parse("1.9"));
        Assert.Equal(ProtocolVersion.Parse("1.4"), ProtocolVersion.Parse("1.4.0"));
        Assert.Equal(ProtocolVersion.Parse("1.4").GetHashCode(), ProtocolVersion.Parse("1.4.0").GetHashCode());
        Assert.True(ProtocolVersion.Parse("1.4.1") > ProtocolVersion.Version14);
        Assert.Equal("1.4.2", ProtocolVersion.Parse("1.4.2").ToString());
        Assert.False(ProtocolVersion.TryParse("1..4", out _));
        Assert.False(ProtocolVersion.TryParse("-1.4", out _));
        Assert.False(ProtocolVersion.TryParse("1.99999999999", out _));
    }
}
