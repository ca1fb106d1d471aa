using System.Text.Json;

using Coinshard.TestSupport.Electrum;

using Xunit;

namespace Coinshard.Electrum.Tests.EndToEnd;

/// <summary>Parameters at and beyond the ends of the live chain: each gets a clear error (never an internal one) or the spec's answer.</summary>
[Collection(LiveGatewayTests.Name)]
public sealed class EdgeCaseTests(LiveGatewayFixture fixture)
{
    public static TheoryData<string, string> OutOfRange => new()
    {
        { "blockchain.block.header", "[99999999]" },
        { "blockchain.block.header", "[2147483647, 2147483647]" },
        { "blockchain.block.header", "[5, 4]" },
        { "blockchain.block.headers", "[0, 5, 2147483647]" },
        { "blockchain.transaction.get_merkle", "[\"" + new string('a', 64) + "\", 2147483647]" },
        { "blockchain.transaction.id_from_pos", "[1, 2147483647]" },
        { "blockchain.transaction.id_from_pos", "[2147483647, 0, true]" },
        { "blockchain.transaction.id_from_pos", "[1, -1]" },
        { "blockchain.block.headers", "[-1, 5]" },
        { "blockchain.estimatefee", "[0]" },
        { "blockchain.scripthash.get_balance", "[\"00\"]" },
        { "blockchain.scripthash.listunspent", "[42]" },
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public async Task Out_of_range_parameters_get_a_clear_error(string method, string parameters)
    {
        await using var client = await fixture.Full.ConnectNegotiatedAsync();
        var error = await Assert.ThrowsAsync<ElectrumErrorException>(() => client.CallAsync(method, JsonSerializer.Deserialize<object?[]>(parameters)!));
        Assert.NotEqual(-32603, error.Code);
        Assert.False(string.IsNullOrWhiteSpace(error.ServerMessage));
        Assert.Equal(JsonValueKind.Null, (await client.CallAsync("server.ping")).ValueKind);
    }

    [Theory]
    [InlineData(2147483640, 2016)]
    [InlineData(100000, 10)]
    public async Task Headers_beyond_the_tip_are_an_empty_answer(int start, int count)
    {
        await using var client = await fixture.Utxo.ConnectNegotiatedAsync("1.6");
        var answer = await client.CallAsync("blockchain.block.headers", start, count);
        Assert.Equal(0, answer.GetProperty("count").GetInt32());
        Assert.Equal(0, answer.GetProperty("headers").GetArrayLength());
    }

    [Fact]
    public async Task Headers_are_capped_at_max_and_stop_at_the_tip()
    {
        var tip = await fixture.Node.GetBlockCountAsync();
        await using var client = await fixture.Utxo.ConnectNegotiatedAsync();
        var answer = await client.CallAsync("blockchain.block.headers", tip - 2, 5000);
        Assert.Equal(3, answer.GetProperty("count").GetInt32());
        Assert.Equal(2016, answer.GetProperty("max").GetInt32());
        Assert.Equal(3 * 160, answer.GetProperty("hex").GetString()!.Length);
    }

    [Fact]
    public async Task Mempool_info_and_the_fee_histogram_agree_with_the_node()
    {
        await fixture.WaitForSyncAsync();
        await using var client = await fixture.Full.ConnectNegotiatedAsync("1.6");
        var info = await client.CallAsync("mempool.get_info");
        var node = await fixture.Node.Rpc.CallAsync("getmempoolinfo");
        Assert.Equal(node.GetProperty("mempoolminfee").GetDecimal(), info.GetProperty("mempoolminfee").GetDecimal());
        Assert.Equal(node.GetProperty("minrelaytxfee").GetDecimal(), info.GetProperty("minrelaytxfee").GetDecimal());
        var relay = await Assert.ThrowsAsync<ElectrumErrorException>(() => client.CallAsync("blockchain.relayfee"));
        Assert.Equal(-32601, relay.Code);

        var histogram = (await client.CallAsync("mempool.get_fee_histogram")).EnumerateArray().Select(b => (Rate: b[0].GetDouble(), VSize: b[1].GetInt64())).ToList();
        var mempool = (await fixture.Node.Rpc.CallAsync("getrawmempool", true)).EnumerateObject().Select(e => e.Value.GetProperty("vsize").GetInt64()).ToList();
        Assert.Equal(mempool.Sum(), histogram.Sum(b => b.VSize));
        Assert.True(histogram.Select(b => b.Rate).SequenceEqual(histogram.Select(b => b.Rate).OrderDescending()), "bins from the highest fee rate down");
    }
}
