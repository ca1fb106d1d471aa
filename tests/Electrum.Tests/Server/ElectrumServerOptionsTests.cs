using Coinshard.Electrum.Server;

using Microsoft.Extensions.Configuration;

using Xunit;

namespace Coinshard.Electrum.Tests.Server;

public class ElectrumServerOptionsTests
{
    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();

    private static Func<string, string?> Environment(params (string Name, string Value)[] values) =>
        name => values.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void Defaults_are_the_usual_electrum_ports_on_every_interface()
    {
        var options = ElectrumServerOptions.FromConfiguration(Configuration(), Environment());

        Assert.Equal((50001, 50002, 50003, 50004), (options.Tcp.Port, options.Tls.Port, options.WebSocket.Port, options.SecureWebSocket.Port));
        Assert.Equal("*", options.BindAddress);
        Assert.Equal(1_000_000, options.Limits.MaxLineBytes);
        Assert.Equal(("1.4", "1.6"), (options.ProtocolMin, options.ProtocolMax));
        Assert.True(options.KeepReceiveBuffers);
    }

    [Fact]
    public void The_configuration_section_binds_ports_addresses_certificate_and_limits()
    {
        var options = ElectrumServerOptions.FromConfiguration(Configuration(
            ("Coinshard:Electrum:BindAddress", "10.0.0.5"),
            ("Coinshard:Electrum:Tcp:Port", "60001"),
            ("Coinshard:Electrum:Tls:Port", "0"),
            ("Coinshard:Electrum:WebSocket:BindAddress", "127.0.0.1"),
            ("Coinshard:Electrum:Certificate:PfxPath", "/etc/coinshard/tls.pfx"),
            ("Coinshard:Electrum:Limits:MaxSessionsPerIp", "7"),
            ("Coinshard:Electrum:Limits:IdleTimeout", "00:02:00"),
            ("Coinshard:Electrum:Limits:ExemptSubnets:0", "10.0.0.0/8"),
            ("Coinshard:Electrum:KeepReceiveBuffers", "false")), Environment());

        Assert.Equal("10.0.0.5", options.BindAddress);
        Assert.Equal(60001, options.Tcp.Port);
        Assert.Equal(0, options.Tls.Port);
        Assert.Equal("127.0.0.1", options.WebSocket.BindAddress);
        Assert.Equal("/etc/coinshard/tls.pfx", options.Certificate.PfxPath);
        Assert.Equal(7, options.Limits.MaxSessionsPerIp);
        Assert.Equal(TimeSpan.FromMinutes(2), options.Limits.IdleTimeout);
        Assert.Equal(["10.0.0.0/8"], options.Limits.ExemptSubnets);
        Assert.False(options.KeepReceiveBuffers);
    }

    [Fact]
    public void The_environment_names_of_utxo_only_servers_override_the_configuration()
    {
        var options = ElectrumServerOptions.FromConfiguration(
            Configuration(("Coinshard:Electrum:Tcp:Port", "60001"), ("Coinshard:Electrum:Certificate:CertPath", "/config/cert.pem")),
            Environment(("TCP_PORT", "51001"), ("TLS_PORT", "51002"), ("TLS_CERT_PATH", "/env/cert.pem"), ("TLS_KEY_PATH", "/env/key.pem")));

        Assert.Equal(51001, options.Tcp.Port);
        Assert.Equal(51002, options.Tls.Port);
        Assert.Equal("/env/cert.pem", options.Certificate.CertPath);
        Assert.Equal("/env/key.pem", options.Certificate.KeyPath);
    }

    [Theory]
    [InlineData("TCP_PORT", "abc")]
    [InlineData("TLS_PORT", "70000")]
    [InlineData("TCP_PORT", "-1")]
    public void A_bad_port_variable_is_a_clear_error(string name, string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => ElectrumServerOptions.FromConfiguration(Configuration(), Environment((name, value))));

        Assert.Contains(name, error.Message, StringComparison.Ordinal);
        Assert.Contains(value, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_names_every_bad_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => ElectrumServerOptions.FromConfiguration(Configuration(
            ("Coinshard:Electrum:Tls:BindAddress", "not-an-address"),
            ("Coinshard:Electrum:Limits:MaxBatch", "0"),
            ("Coinshard:Electrum:Limits:ExemptSubnets:0", "10.0.0.0/99"),
            ("Coinshard:Electrum:ProtocolMin", "1.7")), Environment()));

        Assert.Contains("Tls:BindAddress 'not-an-address'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Limits:MaxBatch must be positive", error.Message, StringComparison.Ordinal);
        Assert.Contains("'10.0.0.0/99'", error.Message, StringComparison.Ordinal);
        Assert.Contains("ProtocolMin 1.7 is above ProtocolMax 1.6", error.Message, StringComparison.Ordinal);
    }
}
