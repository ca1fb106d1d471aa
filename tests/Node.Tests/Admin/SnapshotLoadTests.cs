using System.Net;
using System.Text.Json;

using Coinshard.Backends;
using Coinshard.Cli;
using Coinshard.Node.Admin;
using Coinshard.Node.Tests.Support;
using Coinshard.TestSupport;
using Coinshard.TestSupport.Litecoind;

using Xunit;

namespace Coinshard.Node.Tests.Admin;

/// <summary>
/// Snapshot loads through the node: a configured <c>Snapshot:File</c> on an empty store, the admin API
/// (<c>POST /v1/{coin}/snapshot/load</c>, <c>GET /v1/{coin}/snapshot</c>) and the CLI verbs, against a real litecoind.
/// </summary>
public sealed class SnapshotLoadTests(ChainFixture chain) : IClassFixture<ChainFixture>
{
    private LitecoindNode Litecoind => chain.Litecoind;

    [Fact]
    public async Task A_configured_file_is_loaded_into_the_empty_store_then_the_node_follows()
    {
        using var directory = new TempDirectory("snapshot-config");
        var path = directory.Combine("utxo.dat");
        var dump = await Litecoind.Rpc.CallAsync("dumptxoutset", path);
        await using var node = await RunningNode.StartAsync(Litecoind, c =>
        {
            c["Coinshard:Currencies:litecoin:Snapshot:File"] = path;
            c["Coinshard:Currencies:litecoin:Snapshot:DustLimit"] = "10000";
        });
        await node.WaitForTipAsync(Litecoind);
        var snapshot = await node.GetDocumentAsync<SnapshotDocument>("v1/litecoin/snapshot");
        Assert.Equal("complete", snapshot.State);
        Assert.Equal(dump.GetProperty("base_height").GetInt32(), snapshot.BaseHeight);
        Assert.Equal(dump.GetProperty("base_hash").GetString(), snapshot.BaseHash);
        Assert.Equal(dump.GetProperty("coins_written").GetInt64(), snapshot.Total);
        Assert.True(snapshot.Skipped > 0, "the chain fixture pays 7,000 sat outputs, below the 10,000 sat dust limit");
        Assert.Equal(10_000, snapshot.DustLimit);
        // The 7,000 sat outputs are left out; the rest equals the node.
        var address = chain.Addresses[0];
        var expected = (await NodeUtxos.ScanAsync(Litecoind, [address]))[address].Where(u => u.Value >= 10_000).Sum(u => u.Value);
        var balance = await node.GetDocumentAsync<BalanceDocument>($"v1/litecoin/balance/{address}");
        Assert.Equal(expected, balance.Confirmed);

        await Litecoind.MineAsync(2);
        await node.WaitForTipAsync(Litecoind);
        var (status, body) = await node.GetAsync("v1/litecoin/status");
        Assert.Equal((200, "following"), (status, body.GetProperty("state").GetString()));
    }

    [Fact]
    public async Task The_cli_loads_through_the_admin_api_with_progress_and_the_index_equals_the_node()
    {
        using var directory = new TempDirectory("snapshot-cli");
        var path = directory.Combine("utxo.dat");
        var dump = await Litecoind.Rpc.CallAsync("dumptxoutset", path);
        await using var node = await RunningNode.StartAsync(Litecoind);
        await node.WaitForTipAsync(Litecoind);
        string[] admin = ["--admin", node.Node.Admin!.Url.ToString(), "--token", node.Token];

        // Offline: the header.
        var (code, output, error) = await RunAsync(["snapshot", "show", path]);
        Assert.Equal((0, ""), (code, error));
        Assert.Contains("older format, 44-byte header", output, StringComparison.Ordinal);
        Assert.Contains($"base block  {dump.GetProperty("base_hash").GetString()}", output, StringComparison.Ordinal);
        Assert.Contains($"coins       {dump.GetProperty("coins_written").GetInt64():N0}", output, StringComparison.Ordinal);

        // The index holds the chain: refused without --reset (exit 2, one line), nothing changed.
        (code, _, error) = await RunAsync(["snapshot", "load", path, "--coin", "ltc", .. admin]);
        Assert.Equal(2, code);
        Assert.Contains("not empty", error, StringComparison.Ordinal);
        Assert.Equal("following", (await node.GetAsync("v1/litecoin/status")).Body.GetProperty("state").GetString());
        (code, _, error) = await RunAsync(["snapshot", "load", directory.Combine("missing.dat"), "--coin", "ltc", "--reset", .. admin]);
        Assert.Equal(2, code);
        Assert.Contains("cannot open snapshot file", error, StringComparison.Ordinal);

        // Token-protected like the rest.
        using (var anonymous = new HttpClient { BaseAddress = node.Node.Admin.Url })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("v1/litecoin/snapshot")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync($"v1/litecoin/snapshot/load?file={path}", null)).StatusCode);
        }

        (code, output, error) = await RunAsync(["snapshot", "load", path, "--coin", "litecoin", "--reset", .. admin]);
        Assert.True(code == 0, $"exit {code}: {error}");
        Assert.Contains("snapshot loaded: tip " + dump.GetProperty("base_height").GetInt32(), output, StringComparison.Ordinal);
        await node.WaitForTipAsync(Litecoind);
        var info = await Litecoind.Rpc.CallAsync("gettxoutsetinfo", "none");
        var stats = await node.GetDocumentAsync<StatsDocument>("v1/litecoin/stats");
        Assert.Equal(info.GetProperty("txouts").GetInt64(), stats.Coins);
        Assert.Equal(CoinAmount.ParseSatoshis(info.GetProperty("total_amount").GetRawText()), stats.Total);
        foreach (var address in chain.Addresses)
        {
            var expected = (await NodeUtxos.ScanAsync(Litecoind, [address]))[address].Sum(u => u.Value);
            Assert.Equal(expected, (await node.GetDocumentAsync<BalanceDocument>($"v1/litecoin/balance/{address}")).Confirmed);
        }

        (code, output, _) = await RunAsync(["snapshot", "status", "--coin", "ltc", "--json", .. admin]);
        Assert.Equal(0, code);
        var document = JsonSerializer.Deserialize<SnapshotDocument>(output, AdminJson.Options)!;
        Assert.Equal(("complete", path), (document.State, document.File));
        Assert.Equal(document.Total, document.Coins);
    }

    private static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, () => Stream.Null, output, error, _ => null);
        return (code, output.ToString(), error.ToString());
    }
}
