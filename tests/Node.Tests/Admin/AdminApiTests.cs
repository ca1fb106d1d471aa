using System.Net;
using System.Text.Json;

using Coinshard.Node.Admin;
using Coinshard.Node.Tests.Support;
using Coinshard.TestSupport.Litecoind;

using Xunit;

namespace Coinshard.Node.Tests.Admin;

/// <summary>The admin API of a node indexing a real litecoind: every answer is checked against the node itself.</summary>
public sealed class AdminApiTests(ChainFixture chain) : IClassFixture<ChainFixture>, IAsyncLifetime
{
    private RunningNode _node = null!;

    public async Task InitializeAsync()
    {
        _node = await RunningNode.StartAsync(chain.Litecoind);
        await _node.WaitForTipAsync(chain.Litecoind);
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Requests_without_the_token_or_with_a_wrong_one_are_refused_but_probes_are_open()
    {
        using var anonymous = new HttpClient { BaseAddress = _node.Node.Admin!.Url };
        foreach (var path in new[] { "v1/status", "v1/litecoin/balance/" + chain.Addresses[0], "metrics" })
        {
            using var response = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains("admin token", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using var wrong = new HttpClient { BaseAddress = _node.Node.Admin.Url };
        wrong.DefaultRequestHeaders.Authorization = new("Bearer", _node.Token + "x");
        Assert.Equal(401, (await _node.GetAsync("v1/status", wrong)).Status);
        using var post = await anonymous.PostAsync("v1/litecoin/follower/reset", null);
        Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);

        var (live, liveBody) = await _node.GetAsync("health/live", anonymous);
        Assert.Equal(200, live);
        Assert.Equal("alive", liveBody.GetProperty("status").GetString());
        var (ready, readyBody) = await _node.GetAsync("health/ready", anonymous);
        Assert.Equal(200, ready);
        Assert.Equal("ready", readyBody.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Status_reports_the_tips_the_mode_the_lease_and_the_electrum_listener()
    {
        var status = await _node.GetDocumentAsync<NodeStatusDocument>("v1/status");
        var ltc = Assert.Single(status.Currencies);
        var height = await chain.Litecoind.GetBlockCountAsync();
        Assert.Equal("litecoin", ltc.Coin);
        Assert.Equal("litecoin-regtest", ltc.Network);
        Assert.Equal("utxo", ltc.Mode);
        Assert.Equal("following", ltc.State);
        Assert.True(ltc.Healthy);
        Assert.True(ltc.HoldsLease);
        Assert.Equal(height, ltc.IndexTip!.Height);
        Assert.Equal(await chain.Litecoind.GetBestBlockHashAsync(), ltc.IndexTip.Hash);
        Assert.Equal(0, ltc.Lag);
        Assert.Equal("serving", ltc.Electrum.State);
        Assert.Contains(ltc.Electrum.Endpoints, e => e.EndsWith($":{_node.ElectrumPort}", StringComparison.Ordinal));
        Assert.True(status.Node.Ready);
        Assert.Equal("healthy", Assert.Single(ltc.Backends).Health);
        Assert.DoesNotContain(chain.Litecoind.RpcPassword, JsonSerializer.Serialize(status, AdminJson.Options), StringComparison.Ordinal);

        var one = await _node.GetDocumentAsync<CurrencyStatusDocument>("v1/ltc/status");
        Assert.Equal(ltc.IndexTip, one.IndexTip);
    }

    [Fact]
    public async Task Utxos_and_balances_by_address_and_by_scripthash_equal_the_nodes_scantxoutset()
    {
        var expected = await NodeUtxos.ScanAsync(chain.Litecoind, chain.Addresses);
        foreach (var address in chain.Addresses)
        {
            var utxos = await _node.GetDocumentAsync<UtxosDocument>($"v1/litecoin/utxos/{address}");
            var ours = NodeUtxos.Sorted(utxos.Utxos.Select(u => new NodeUtxo(u.Txid, u.Vout, u.Value, u.Height)));
            Assert.NotEmpty(expected[address]);
            Assert.Equal(expected[address], ours);
            Assert.Equal(address, utxos.Address);
            Assert.Equal(expected[address].Sum(u => u.Value), utxos.Total);
            Assert.False(utxos.Truncated);

            var balance = await _node.GetDocumentAsync<BalanceDocument>($"v1/litecoin/balance/{address}");
            Assert.Equal(utxos.Total, balance.Confirmed);
            Assert.Equal(0, balance.Unconfirmed);

            var byScripthash = await _node.GetDocumentAsync<UtxosDocument>($"v1/litecoin/utxos/{utxos.Scripthash}");
            Assert.Equal(utxos.Utxos, byScripthash.Utxos);
            Assert.Null(byScripthash.Address);
        }
    }

    [Fact]
    public async Task Stats_equal_the_nodes_gettxoutsetinfo()
    {
        var info = await chain.Litecoind.Rpc.CallAsync("gettxoutsetinfo", "none");
        await _node.WaitForTipAsync(chain.Litecoind);
        var stats = await _node.GetDocumentAsync<StatsDocument>("v1/litecoin/stats");
        Assert.Equal(info.GetProperty("height").GetInt32(), stats.Tip!.Height);
        Assert.Equal(info.GetProperty("bestblock").GetString(), stats.Tip.Hash);
        Assert.Equal(info.GetProperty("txouts").GetInt64(), stats.Coins);
        Assert.Equal(NodeUtxos.Satoshis(info.GetProperty("total_amount")), stats.Total);
        Assert.Equal(stats.Tip.Height, stats.UndoHighest);
    }

    [Fact]
    public async Task Limit_truncates_the_listing_and_says_so()
    {
        // The wallet may have spent some of the payments again; any address the node shows with two coins will do.
        var scan = await NodeUtxos.ScanAsync(chain.Litecoind, chain.Addresses);
        var (address, coins) = scan.First(a => a.Value.Count >= 2);
        var utxos = await _node.GetDocumentAsync<UtxosDocument>($"v1/litecoin/utxos/{address}?limit=1");
        Assert.Single(utxos.Utxos);
        Assert.True(utxos.Truncated);
        Assert.Equal(coins.Sum(u => u.Value), utxos.Total);
    }

    [Theory]
    [InlineData("v1/litecoin/balance/1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", 400, "is neither a litecoin-regtest address nor a scripthash")]
    [InlineData("v1/litecoin/utxos/not-an-address", 400, "is neither a litecoin-regtest address nor a scripthash")]
    [InlineData("v1/litecoin/utxos/zz2a7d3ad4a5d8b7f2c4e6a8b0c2d4e6f8a0b2c4d6e8f0a2b4c6d8e0f2a4b6c8", 400, "neither")]
    [InlineData("v1/dogecoin/status", 404, "'dogecoin' is not indexed by this node; it has: litecoin")]
    [InlineData("v1/nothing", 404, "no such endpoint")]
    public async Task Bad_requests_get_a_clear_one_line_error(string path, int status, string message)
    {
        var (code, body) = await _node.GetAsync(path);
        Assert.Equal(status, code);
        var error = body.GetProperty("error").GetString()!;
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
    }

    [Fact]
    public async Task Rewind_without_a_height_is_refused()
    {
        var (code, body) = await _node.PostAsync("v1/litecoin/follower/rewind");
        Assert.Equal(400, code);
        Assert.Contains("give the height", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_mempool_payment_shows_as_unconfirmed_balance_then_confirmed_after_a_block()
    {
        var address = await chain.Litecoind.NewAddressAsync(AddressKind.Bech32);
        await chain.Litecoind.SendAsync(address, 12_345_678);
        await TestSupport.Eventually.TrueAsync(
            async () => (await _node.GetDocumentAsync<BalanceDocument>($"v1/litecoin/balance/{address}")).Unconfirmed == 12_345_678,
            "the mempool payment appears as unconfirmed balance");
        await chain.Litecoind.MineAsync(1);
        await _node.WaitForTipAsync(chain.Litecoind);
        await TestSupport.Eventually.TrueAsync(
            async () => await _node.GetDocumentAsync<BalanceDocument>($"v1/litecoin/balance/{address}") is { Confirmed: 12_345_678, Unconfirmed: 0 },
            "the payment is confirmed and leaves the mempool delta");
    }

    [Fact]
    public async Task Metrics_are_prometheus_text_with_the_index_height()
    {
        using var response = await _node.Http.GetAsync("metrics");
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        var text = await response.Content.ReadAsStringAsync();
        var height = _node.Litecoin.Index.Status.IndexTip!.Height;
        Assert.Contains($"coinshard_index_height{{coin=\"litecoin\"}} {height}\n", text, StringComparison.Ordinal);
        Assert.Contains("coinshard_follower_state{coin=\"litecoin\",state=\"following\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE coinshard_blocks_connected_total counter\n", text, StringComparison.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')))
        {
            Assert.Matches(@"^[a-z_]+(\{[^}]*\})? -?[0-9.E+-]+$", line);
        }
    }
}
