using Coinshard.Chain.Networks;
using Coinshard.Node.Configuration;
using Coinshard.Storage;

using Microsoft.Extensions.Configuration;

using Xunit;

namespace Coinshard.Node.Tests.Configuration;

public class NodeSettingsTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    private static Dictionary<string, string?> Minimal(string coin = "litecoin", string network = "litecoin-regtest") => new()
    {
        ["Coinshard:DataDir"] = "/tmp/coinshard-test",
        [$"Coinshard:Currencies:{coin}:Network"] = network,
        [$"Coinshard:Currencies:{coin}:Backends:0:Url"] = "http://127.0.0.1:19443/",
        [$"Coinshard:Currencies:{coin}:Backends:0:CookieFile"] = "/tmp/.cookie",
    };

    private static NodeSettings Resolve(Dictionary<string, string?> values, Func<string, string?>? environment = null) =>
        NodeSettings.From(new ConfigurationBuilder().AddInMemoryCollection(values).Build(), environment ?? NoEnvironment);

    private static string Problems(Dictionary<string, string?> values, Func<string, string?>? environment = null) =>
        string.Join("\n", Assert.Throws<NodeConfigurationException>(() => Resolve(values, environment)).Problems);

    [Fact]
    public void A_minimal_configuration_resolves_with_the_documented_defaults()
    {
        var settings = Resolve(Minimal());
        var currency = Assert.Single(settings.Currencies);
        Assert.Equal("litecoin", currency.Coin);
        Assert.Same(Network.LitecoinRegtest, currency.Network);
        Assert.Equal(IndexMode.Utxo, currency.Indexer.Mode);
        Assert.Equal(StoreEngine.Sqlite, currency.Store.Engine);
        Assert.Equal("/tmp/coinshard-test/litecoin.db", currency.Store.ConnectionString);
        Assert.Equal("/tmp/.cookie", Assert.Single(currency.Backends).Rpc.Credentials!.CookieFile);
        Assert.NotNull(currency.Electrum);
        Assert.Equal(50001, currency.Electrum.Options.Tcp.Port);
        Assert.False(currency.Electrum.ServeBeforeSynced);
        Assert.Equal(AdminDefaults.Port, settings.Admin!.Port);
        Assert.Equal(AdminTokenSource.Generated, settings.Admin.TokenSource);
        Assert.Equal("/tmp/coinshard-test/admin.token", settings.Admin.TokenFile);
        Assert.Equal(settings.NodeName, currency.Indexer.Owner);
    }

    [Fact]
    public void Short_names_and_full_mode_postgres_and_user_password_resolve()
    {
        var values = Minimal("ltc", "ltc-regtest");
        values.Remove("Coinshard:Currencies:ltc:Backends:0:CookieFile");
        values["Coinshard:Currencies:ltc:Backends:0:User"] = "u";
        values["Coinshard:Currencies:ltc:Backends:0:Password"] = "secret";
        values["Coinshard:Currencies:ltc:Mode"] = "Full";
        values["Coinshard:Currencies:ltc:Store:Engine"] = "postgresql";
        values["Coinshard:Currencies:ltc:Store:ConnectionString"] = "Host=db;Database=c";
        var currency = Assert.Single(Resolve(values).Currencies);
        Assert.Equal("litecoin", currency.Coin);
        Assert.Equal(IndexMode.Full, currency.Indexer.Mode);
        Assert.Equal(StoreEngine.PostgreSql, currency.Store.Engine);
        Assert.DoesNotContain("secret", currency.Backends[0].Rpc.Credentials!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_sqlite_memory_map_is_configurable_and_only_for_sqlite()
    {
        var values = Minimal("ltc", "ltc-regtest");
        Assert.Equal(2L << 30, Assert.Single(Resolve(values).Currencies).Store.SqliteMemoryMapBytes);
        values["Coinshard:Currencies:ltc:Store:MemoryMapMiB"] = "0";
        Assert.Equal(0, Assert.Single(Resolve(values).Currencies).Store.SqliteMemoryMapBytes);
        values["Coinshard:Currencies:ltc:Store:MemoryMapMiB"] = "512";
        Assert.Equal(512L << 20, Assert.Single(Resolve(values).Currencies).Store.SqliteMemoryMapBytes);

        values["Coinshard:Currencies:ltc:Store:MemoryMapMiB"] = "-1";
        Assert.Contains("Coinshard:Currencies:ltc:Store:MemoryMapMiB must be 0 (off) or more", Problems(values), StringComparison.Ordinal);
        values["Coinshard:Currencies:ltc:Store:MemoryMapMiB"] = "64";
        values["Coinshard:Currencies:ltc:Store:Engine"] = "postgresql";
        values["Coinshard:Currencies:ltc:Store:ConnectionString"] = "Host=db;Database=c";
        Assert.Contains("Coinshard:Currencies:ltc:Store:MemoryMapMiB is for SQLite", Problems(values), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_is_reported_at_once_naming_its_setting()
    {
        var values = new Dictionary<string, string?>
        {
            ["Coinshard:Admin:Port"] = "70000",
            ["Coinshard:Currencies:bitcoin:Network"] = "litecoin-mainnet",
            ["Coinshard:Currencies:bitcoin:Mode"] = "everything",
            ["Coinshard:Currencies:bitcoin:ShardCount"] = "0",
            ["Coinshard:Currencies:bitcoin:Store:Engine"] = "mysql",
        };
        var problems = Problems(values);
        Assert.Contains("Coinshard:Admin:Port must be 0 (off) to 65535, not 70000", problems, StringComparison.Ordinal);
        Assert.Contains("the section is named 'bitcoin' but its network litecoin-mainnet is litecoin", problems, StringComparison.Ordinal);
        Assert.Contains("Coinshard:Currencies:bitcoin:Mode 'everything' must be utxo or full", problems, StringComparison.Ordinal);
        Assert.Contains("Coinshard:Currencies:bitcoin:ShardCount must be 1 to 4096", problems, StringComparison.Ordinal);
        Assert.Contains("Coinshard:Currencies:bitcoin:Store:Engine 'mysql' must be sqlite or postgresql", problems, StringComparison.Ordinal);
        Assert.Contains("Coinshard:Currencies:bitcoin:Backends is empty", problems, StringComparison.Ordinal);
    }

    [Fact]
    public void No_currency_unknown_network_and_missing_network_are_explained()
    {
        Assert.Contains("no currency is configured", Problems(new Dictionary<string, string?> { ["Coinshard:DataDir"] = "/tmp/x" }), StringComparison.Ordinal);
        var unknown = Minimal();
        unknown["Coinshard:Currencies:litecoin:Network"] = "dogecoin";
        Assert.Contains("Network 'dogecoin' is unknown; expected one of bitcoin-mainnet", Problems(unknown), StringComparison.Ordinal);
        var missing = Minimal();
        missing.Remove("Coinshard:Currencies:litecoin:Network");
        Assert.Contains("Coinshard:Currencies:litecoin:Network is required", Problems(missing), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("User", "u", "set User and Password, or CookieFile, not both")]
    [InlineData("Url", "ftp://x/", "is not an http(s) URL")]
    [InlineData("Kind", "esplora", "Kind 'esplora' is not available")]
    [InlineData("Timeout", "-00:00:01", "Timeout must be positive")]
    public void Backend_mistakes_are_explained(string key, string value, string expected)
    {
        var values = Minimal();
        values[$"Coinshard:Currencies:litecoin:Backends:0:{key}"] = value;
        if (key == "User")
        {
            values["Coinshard:Currencies:litecoin:Backends:0:Password"] = "p";
        }
        Assert.Contains(expected, Problems(values), StringComparison.Ordinal);
    }

    [Fact]
    public void A_backend_without_credentials_is_refused_and_a_password_in_the_url_is_not_echoed()
    {
        var values = Minimal();
        values.Remove("Coinshard:Currencies:litecoin:Backends:0:CookieFile");
        Assert.Contains("no credentials: set CookieFile", Problems(values), StringComparison.Ordinal);

        values["Coinshard:Currencies:litecoin:Backends:0:Url"] = "gopher://user:hunter22@127.0.0.1/";
        var problems = Problems(values);
        Assert.Contains("is not an http(s) URL", problems, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter22", problems, StringComparison.Ordinal);
    }

    [Fact]
    public void A_snapshot_file_resolves_to_an_absolute_path_and_its_mistakes_are_explained()
    {
        var values = Minimal();
        values["Coinshard:Currencies:litecoin:Snapshot:File"] = "utxo.dat";
        values["Coinshard:Currencies:litecoin:Snapshot:DustLimit"] = "546";
        var snapshot = Resolve(values).Currencies[0].Indexer.Snapshot!;
        Assert.Equal((Path.GetFullPath("utxo.dat"), 546L), (snapshot.Path, snapshot.DustLimit));
        Assert.Null(Resolve(Minimal()).Currencies[0].Indexer.Snapshot);

        values["Coinshard:Currencies:litecoin:Mode"] = "full";
        values["Coinshard:Currencies:litecoin:StartHeight"] = "10";
        var problems = Problems(values);
        Assert.Contains("Snapshot:File needs Mode utxo", problems, StringComparison.Ordinal);
        Assert.Contains("Snapshot:File and StartHeight exclude each other", problems, StringComparison.Ordinal);

        var dustOnly = Minimal();
        dustOnly["Coinshard:Currencies:litecoin:Snapshot:DustLimit"] = "-1";
        problems = Problems(dustOnly);
        Assert.Contains("Snapshot:DustLimit must not be negative", problems, StringComparison.Ordinal);
    }

    [Fact]
    public void PostgreSql_needs_a_connection_string_and_sqlite_refuses_one()
    {
        var values = Minimal();
        values["Coinshard:Currencies:litecoin:Store:Engine"] = "postgresql";
        Assert.Contains("ConnectionString is required for PostgreSQL", Problems(values), StringComparison.Ordinal);
        values["Coinshard:Currencies:litecoin:Store:Engine"] = "sqlite";
        values["Coinshard:Currencies:litecoin:Store:ConnectionString"] = "Host=x";
        Assert.Contains("ConnectionString is for PostgreSQL; SQLite takes Path", Problems(values), StringComparison.Ordinal);
    }

    [Fact]
    public void Electrum_settings_layer_shared_defaults_then_the_currency_then_the_environment()
    {
        var values = Minimal();
        values["Coinshard:Electrum:Limits:MaxSessionsPerIp"] = "5";
        values["Coinshard:Electrum:Tcp:Port"] = "51001";
        values["Coinshard:Currencies:litecoin:Electrum:Tcp:Port"] = "52001";
        values["Coinshard:Currencies:litecoin:Electrum:Banner"] = "hello";
        var env = new Dictionary<string, string?> { ["TLS_PORT"] = "52002", ["TLS_CERT_PATH"] = "/c.pem" };
        var electrum = Resolve(values, n => env.GetValueOrDefault(n)).Currencies[0].Electrum!;
        Assert.Equal(52001, electrum.Options.Tcp.Port);
        Assert.Equal(52002, electrum.Options.Tls.Port);
        Assert.Equal("/c.pem", electrum.Options.Certificate.CertPath);
        Assert.Equal(5, electrum.Options.Limits.MaxSessionsPerIp);
        Assert.Equal("hello", electrum.Info.Banner);
    }

    [Fact]
    public void Two_currencies_need_their_own_ports_and_refuse_the_single_server_environment_names()
    {
        var values = Minimal();
        foreach (var (key, value) in Minimal("bitcoin", "bitcoin-regtest"))
        {
            values[key] = value;
        }
        var problems = Problems(values, n => n == "TCP_PORT" ? "50001" : null);
        Assert.Contains("port 50001 is configured twice", problems, StringComparison.Ordinal);
        Assert.Contains("apply only when one currency is configured", problems, StringComparison.Ordinal);

        foreach (var (listener, port) in new[] { ("Tcp", 0), ("Tls", 0), ("WebSocket", 0), ("SecureWebSocket", 0) })
        {
            values[$"Coinshard:Currencies:bitcoin:Electrum:{listener}:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        var settings = Resolve(values);
        Assert.Equal(["bitcoin", "litecoin"], settings.Currencies.Select(c => c.Coin));
    }

    [Fact]
    public void The_admin_port_may_not_collide_with_an_electrum_listener_and_tokens_are_checked()
    {
        var values = Minimal();
        values["Coinshard:Admin:Port"] = "50002";
        Assert.Contains("port 50002 is configured twice: Coinshard:Admin:Port and Coinshard:Currencies:litecoin:Electrum:Tls:Port", Problems(values), StringComparison.Ordinal);

        values = Minimal();
        values["Coinshard:Admin:Token"] = "short";
        Assert.Contains("Token must be at least 16 characters", Problems(values), StringComparison.Ordinal);
        values["Coinshard:Admin:TokenFile"] = "/run/secrets/token";
        Assert.Contains("set Token or TokenFile, not both", Problems(values), StringComparison.Ordinal);

        values = Minimal();
        values["Coinshard:Admin:Port"] = "0";
        Assert.Null(Resolve(values).Admin);
    }

    [Fact]
    public void Electrum_may_be_turned_off_and_its_own_validation_is_reported()
    {
        var values = Minimal();
        values["Coinshard:Currencies:litecoin:Electrum:Limits:MaxBatch"] = "0";
        Assert.Contains("Limits:MaxBatch must be positive", Problems(values), StringComparison.Ordinal);
        values["Coinshard:Currencies:litecoin:Electrum:Enabled"] = "false";
        Assert.Null(Resolve(values).Currencies[0].Electrum);
    }
}
