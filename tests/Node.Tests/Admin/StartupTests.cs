using System.Net.Sockets;

using Coinshard.Backends;
using Coinshard.Node.Admin;
using Coinshard.Node.Tests.Support;
using Coinshard.TestSupport;
using Coinshard.TestSupport.Litecoind;

using Xunit;

namespace Coinshard.Node.Tests.Admin;

/// <summary>Starting a node when something is wrong: each case ends in a clear message, never a crash loop.</summary>
public sealed class StartupTests
{
    [Fact]
    public async Task A_backend_on_another_network_stops_the_start_with_both_networks_named()
    {
        await using var litecoind = await LitecoindNode.StartAsync(new LitecoindNodeOptions { Name = "wrong-network", Wallet = false });
        var e = await Assert.ThrowsAsync<BackendNetworkMismatchException>(() => RunningNode.StartAsync(litecoind, c =>
        {
            foreach (var key in c.Keys.Where(k => k.StartsWith("Coinshard:Currencies:litecoin:", StringComparison.Ordinal)).ToList())
            {
                c[key.Replace(":litecoin:", ":bitcoin:", StringComparison.Ordinal)] = c[key];
                c.Remove(key);
            }
            c["Coinshard:Currencies:bitcoin:Network"] = "bitcoin-regtest";
        }));
        Assert.Contains("bitcoin-regtest is configured", e.Message, StringComparison.Ordinal);
        Assert.Contains("litecoin", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_admin_port_in_use_stops_the_start_and_names_the_port()
    {
        await using var litecoind = await LitecoindNode.StartAsync(new LitecoindNodeOptions { Name = "admin-port", Wallet = false });
        using var blocker = new TcpListener(System.Net.IPAddress.Loopback, 0);
        blocker.Start();
        var port = ((System.Net.IPEndPoint)blocker.LocalEndpoint).Port;
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => RunningNode.StartAsync(litecoind, c => c["Coinshard:Admin:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Contains($"the admin API cannot listen on 127.0.0.1:{port}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_that_is_down_at_start_is_waited_for_reported_not_ready_then_indexed()
    {
        await using var litecoind = await LitecoindNode.StartAsync(new LitecoindNodeOptions { Name = "down-at-start" });
        await litecoind.MineAsync(5);
        await litecoind.StopAsync();

        await using var node = await RunningNode.StartAsync(litecoind);
        await Eventually.TrueAsync(() => node.Litecoin.Index.Status.State == Indexing.FollowerState.WaitingForBackend, "the follower waits for the backend");
        var (code, body) = await node.GetAsync("health/ready");
        Assert.Equal(503, code);
        Assert.Contains("waiting_for_backend", body.GetProperty("currencies").GetProperty("litecoin").GetString(), StringComparison.Ordinal);
        var status = await node.GetDocumentAsync<CurrencyStatusDocument>("v1/litecoin/status");
        Assert.False(status.Healthy);

        await litecoind.StartAgainAsync();
        await node.WaitForTipAsync(litecoind);
        Assert.Equal(200, (await node.GetAsync("health/ready")).Status);
    }

    [Fact]
    public async Task A_wrong_rpc_password_is_reported_without_the_password_anywhere()
    {
        await using var litecoind = await LitecoindNode.StartAsync(new LitecoindNodeOptions { Name = "wrong-password", Wallet = false });
        const string wrong = "not-the-password-9f8e7d";
        await using var node = await RunningNode.StartAsync(litecoind, c => c["Coinshard:Currencies:litecoin:Backends:0:Password"] = wrong);
        await Eventually.TrueAsync(() => node.Litecoin.Index.Status.LastError is not null, "the follower reports the refused credentials");
        var status = node.Litecoin.Index.Status;
        Assert.Equal(Indexing.FollowerState.WaitingForBackend, status.State);
        Assert.True(status.LastError!.Contains("401", StringComparison.Ordinal) || status.LastError.Contains("credentials", StringComparison.OrdinalIgnoreCase), status.LastError);
        var (_, body) = await node.GetAsync("v1/status");
        Assert.DoesNotContain(wrong, body.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, node.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_that_cannot_be_opened_is_reported_as_waiting_for_the_store()
    {
        await using var litecoind = await LitecoindNode.StartAsync(new LitecoindNodeOptions { Name = "store-missing", Wallet = false });
        using var directory = new TempDirectory("not-a-db");
        var path = Path.Combine(directory.Path, "index.db");
        await File.WriteAllTextAsync(path, "this is not an SQLite database, it is a text file that happens to be here");
        await using var node = await RunningNode.StartAsync(litecoind, c => c["Coinshard:Currencies:litecoin:Store:Path"] = path);
        await Eventually.TrueAsync(() => node.Litecoin.Index.Status.State == Indexing.FollowerState.WaitingForStore, "the follower waits for the store");
        var (code, body) = await node.GetAsync("health/ready");
        Assert.Equal(503, code);
        Assert.Contains("waiting_for_store", body.GetProperty("currencies").GetProperty("litecoin").GetString(), StringComparison.Ordinal);
        var (utxoCode, utxoBody) = await node.GetAsync("v1/litecoin/balance/" + new string('a', 64));
        Assert.Equal(503, utxoCode);
        Assert.Contains("store is not open", utxoBody.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_two_backends_and_the_preferred_one_down_the_index_follows_the_other_and_status_shows_both()
    {
        await using var up = await LitecoindNode.StartAsync(new LitecoindNodeOptions { Name = "second-backend" });
        await up.MineAsync(3);
        var downPort = FreePorts.Next();
        await using var node = await RunningNode.StartAsync(up, c =>
        {
            c["Coinshard:Currencies:litecoin:Backends:1:Url"] = c["Coinshard:Currencies:litecoin:Backends:0:Url"];
            c["Coinshard:Currencies:litecoin:Backends:1:User"] = c["Coinshard:Currencies:litecoin:Backends:0:User"];
            c["Coinshard:Currencies:litecoin:Backends:1:Password"] = c["Coinshard:Currencies:litecoin:Backends:0:Password"];
            c["Coinshard:Currencies:litecoin:Backends:0:Url"] = $"http://127.0.0.1:{downPort}/";
        });
        await node.WaitForTipAsync(up);
        var status = await node.GetDocumentAsync<CurrencyStatusDocument>("v1/litecoin/status");
        Assert.Equal(2, status.Backends.Count);
        Assert.Contains($":{downPort}/", status.Backends[0].Name, StringComparison.Ordinal);
        Assert.NotEqual("closed", status.Backends[0].Circuit);
        Assert.True(status.Backends[1].ChainSource);
        Assert.Equal("healthy", status.Backends[1].Health);
    }
}
