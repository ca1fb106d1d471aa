using System.Net;

using Coinshard.Electrum.Limits;

using Xunit;

namespace Coinshard.Electrum.Tests.Limits;

public class ClientAddressTests
{
    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::")]
    [InlineData("2001:db8:1:3::1", "2001:db8:1:3::")]
    public void Limits_count_ipv4_addresses_and_ipv6_slash_64_prefixes(string address, string key)
    {
        Assert.Equal(IPAddress.Parse(key), ClientAddress.KeyOf(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData(true, "127.0.0.1", true)]
    [InlineData(true, "127.8.9.10", true)]
    [InlineData(true, "::1", true)]
    [InlineData(true, "::ffff:127.0.0.1", true)]
    [InlineData(false, "127.0.0.1", false)]
    [InlineData(true, "10.1.2.3", true)]
    [InlineData(true, "::ffff:10.1.2.3", true)]
    [InlineData(true, "11.1.2.3", false)]
    [InlineData(true, "fd00::5", true)]
    [InlineData(true, "2001:db8::1", false)]
    public void Loopback_and_configured_subnets_are_exempt(bool exemptLoopback, string address, bool exempt)
    {
        var addresses = new ClientAddress(exemptLoopback, ["10.0.0.0/8", "fd00::/8"]);

        Assert.Equal(exempt, addresses.IsExempt(IPAddress.Parse(address)));
    }
}
