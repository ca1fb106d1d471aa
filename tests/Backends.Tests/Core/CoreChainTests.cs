using System.Net;
using System.Text.Json;

using Coinshard.Backends.Core;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.TestSupport;
using Coinshard.TestSupport.Litecoind;

using Microsoft.Extensions.Logging;

using Xunit;

namespace Coinshard.Backends.Tests.Core;

[CollectionDefinition(Name)]
public sealed class RegtestChainGroup : ICollectionFixture<RegtestChainFixture>
{
    public const string Name = "regtest chain";
}

/// <summary>Chain information and blocks from a real litecoind, over REST and over RPC.</summary>
[Collection(RegtestChainGroup.Name)]
public class CoreChainTests(RegtestChainFixture f)
{
    [Fact]
    public async Task Detects_litecoin_regtest_and_reports_the_nodes_tip()
    {
        var state = await f.RestBackend.GetChainStateAsync();

        Assert.Same(Network.LitecoinRegtest, state.Network);
        Assert.Equal(await f.Rest.GetBlockCountAsync(), state.Tip.Height);
        Assert.Equal(await f.Rest.GetBestBlockHashAsync(), state.Tip.Hash.ToString());
        Assert.Equal(state.Tip.Height, state.Headers);
        Assert.False(state.InitialBlockDownload);
        Assert.False(state.Pruned);
        Assert.True(f.RestBackend.Health.IsHealthy);
    }

    [Fact]
    public async Task Refuses_a_node_of_another_network_with_a_clear_message()
    {
        using var mainnet = f.CreateBackend(f.Rest, Network.LitecoinMainnet);
        var e = await Assert.ThrowsAsync<BackendNetworkMismatchException>(() => mainnet.GetChainStateAsync());
        Assert.Same(Network.LitecoinMainnet, e.Configured);
        Assert.Same(Network.LitecoinRegtest, e.Actual);
        Assert.Contains("litecoin-mainnet is configured", e.Message, StringComparison.Ordinal);
        Assert.Contains("is on litecoin-regtest", e.Message, StringComparison.Ordinal);
        Assert.Contains(f.Rest.RpcUrl.ToString(), e.Message, StringComparison.Ordinal);
        // Every other call refuses too: nothing from the wrong chain leaks out.
        await Assert.ThrowsAsync<BackendNetworkMismatchException>(() => mainnet.GetBlockHashAsync(0));

        // Same chain name ("regtest") but another currency: caught by the genesis block.
        using var bitcoin = f.CreateBackend(f.Rest, Network.BitcoinRegtest);
        var b = await Assert.ThrowsAsync<BackendNetworkMismatchException>(() => bitcoin.GetChainStateAsync());
        Assert.Same(Network.LitecoinRegtest, b.Actual);
        Assert.Contains("bitcoin-regtest is configured", b.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Detects_rest_and_indexes_per_node()
    {
        await f.RestBackend.ConnectAsync();
        await f.PlainBackend.ConnectAsync();
        Assert.True(f.RestBackend.UsesRest);
        Assert.False(f.PlainBackend.UsesRest);
        Assert.True(f.RestBackend.Capabilities.ProvidesConfirmedTransactions);
        Assert.False(f.PlainBackend.Capabilities.ProvidesConfirmedTransactions);
        Assert.True(f.RestBackend.Capabilities is { CanEstimateFee: true, HasMempoolAccess: true, ProvidesRawBlocks: true, SupportsUtxoSetScan: true, CanBroadcast: true, RequiresNeutrinoMetadata: false });
    }

    [Fact]
    public async Task Blocks_and_headers_are_identical_over_rest_and_rpc_and_match_the_node_through_mweb_activation()
    {
        await f.RestBackend.ConnectAsync();
        await f.PlainBackend.ConnectAsync();
        Assert.True(f.RestBackend.UsesRest);
        Assert.False(f.PlainBackend.UsesRest);
        var tip = await f.Rest.GetBlockCountAsync();
        Assert.True(tip > LitecoindNode.MwebActivationHeight, "the chain must include MWEB blocks");

        var hashes = await f.RestBackend.GetBlockHashesAsync(0, tip + 10); // asks past the tip
        Assert.Equal(tip + 1, hashes.Count);
        for (var height = 0; height <= tip; height++)
        {
            var expectedHash = await f.Rest.Rpc.CallStringAsync("getblockhash", height);
            Assert.Equal(expectedHash, hashes[height].ToString());
            Assert.Equal(hashes[height], await f.PlainBackend.GetBlockHashAsync(height));
            var expected = Convert.FromHexString(await f.Rest.Rpc.CallStringAsync("getblock", expectedHash, 0));

            var overRest = await f.RestBackend.GetBlockAsync(hashes[height]);
            var overRpc = await f.PlainBackend.GetBlockAsync(hashes[height]);
            Assert.Equal(expected, overRest);
            Assert.Equal(expected, overRpc);

            var headerRest = await f.RestBackend.GetBlockHeaderAsync(hashes[height]);
            var headerRpc = await f.PlainBackend.GetBlockHeaderAsync(hashes[height]);
            Assert.Equal(expected[..80], headerRest);
            Assert.Equal(expected[..80], headerRpc);
            Assert.Equal(hashes[height], Hashes.DoubleSha256(headerRest)); // the header really is the block's
        }

        // Batches: one REST call (headers/N/HASH.bin) or one batched RPC give the same headers, in order.
        var slice = hashes.Skip(3).ToList();
        var restBatch = await f.RestBackend.GetBlockHeadersAsync(slice);
        var rpcBatch = await f.PlainBackend.GetBlockHeadersAsync(slice);
        Assert.Equal(slice, restBatch.Select(h => Hashes.DoubleSha256(h)).ToList());
        Assert.Equal(slice, rpcBatch.Select(h => Hashes.DoubleSha256(h)).ToList());
        var unknown = Hash256.Parse("00000000000000000000000000000000000000000000000000000000000000ff");
        await Assert.ThrowsAsync<BlockNotFoundException>(() => f.PlainBackend.GetBlockHeadersAsync([hashes[0], unknown]));
        await Assert.ThrowsAsync<BlockNotFoundException>(() => f.RestBackend.GetBlockHeadersAsync([unknown]));
    }

    [Fact]
    public async Task Unknown_blocks_and_heights_are_reported_as_such()
    {
        var unknown = Hash256.Parse("00000000000000000000000000000000000000000000000000000000000000ff");
        foreach (var backend in new[] { f.RestBackend, f.PlainBackend })
        {
            var e = await Assert.ThrowsAsync<BlockNotFoundException>(() => backend.GetBlockAsync(unknown));
            Assert.Equal(unknown.ToString(), e.BlockHash);
            await Assert.ThrowsAsync<BlockNotFoundException>(() => backend.GetBlockHeaderAsync(unknown));
            var tip = (await backend.GetChainStateAsync()).Tip.Height;
            Assert.Null(await backend.GetBlockHashAsync(tip + 1));
            Assert.Empty(await backend.GetBlockHashesAsync(tip + 1, 5));
        }
    }

    [Fact]
    public async Task Batches_answer_in_request_order_with_per_call_errors()
    {
        var height = await f.Rest.GetBlockCountAsync();
        var responses = await f.RestBackend.Rpc.BatchAsync(
        [
            new RpcRequest("getblockcount"),
            new RpcRequest("getblockhash", [0]),
            new RpcRequest("nosuchmethod"),
            new RpcRequest("getblockhash", [height + 1000]),
            new RpcRequest("getblockhash", [1]),
        ]);

        Assert.Equal(5, responses.Count);
        Assert.Equal(height, responses[0].GetResultOrThrow().GetInt32());
        Assert.Equal(Network.LitecoinRegtest.GenesisHash.ToString(), responses[1].GetResultOrThrow().GetString());
        Assert.Equal(-32601, responses[2].Error!.Code);
        var e = Assert.Throws<RpcException>(() => responses[3].GetResultOrThrow());
        Assert.Equal(-8, e.Code);
        Assert.Equal("getblockhash", e.Method);
        Assert.Equal(await f.Rest.Rpc.CallStringAsync("getblockhash", 1), responses[4].GetResultOrThrow().GetString());
        // An RPC error is an answer: the node is healthy.
        Assert.True(f.RestBackend.Health.IsHealthy);
    }

    [Fact]
    public async Task Single_calls_surface_rpc_errors_without_retrying()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => f.RestBackend.Rpc.CallAsync(new RpcRequest("getblockhash", [-1])));
        Assert.Equal(-8, e.Code);
        Assert.Contains("out of range", e.RpcMessage, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(f.Logs.Entries, l => l.EventId.Id == 1 && l.Message.Contains("getblockhash", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Wait_for_new_tip_returns_on_a_new_block_on_a_reorg_and_at_the_timeout()
    {
        var before = (await f.RestBackend.GetChainStateAsync()).Tip;

        // Times out: the unchanged tip comes back.
        var same = await f.RestBackend.WaitForNewTipAsync(before.Hash, TimeSpan.FromMilliseconds(300));
        Assert.Equal(before, same);

        // A block arrives while waiting.
        var waiting = f.RestBackend.WaitForNewTipAsync(before.Hash, TimeSpan.FromMinutes(2));
        await f.Rest.WaitForActiveCommandAsync("waitfornewblock"); // the node's long poll, not our polling
        var mined = (await f.Rest.MineAsync(1))[0];
        var after = await waiting;
        Assert.Equal(mined, after.Hash.ToString());
        Assert.Equal(before.Height + 1, after.Height);

        // The tip already moved: no wait at all.
        Assert.Equal(after, await f.RestBackend.WaitForNewTipAsync(before.Hash, TimeSpan.FromMinutes(2)));

        // A reorg to a lower tip is a new tip too.
        await LitecoindNode.SyncAsync(f.Rest, f.Plain);
        var reorgWait = f.PlainBackend.WaitForNewTipAsync(after.Hash, TimeSpan.FromMinutes(2));
        await f.Plain.WaitForActiveCommandAsync("waitfornewblock");
        await f.Plain.InvalidateBlockAsync(mined);
        var reorged = await reorgWait;
        Assert.Equal(before, reorged);
        await f.Plain.ReconsiderBlockAsync(mined);
        await LitecoindNode.SyncAsync(f.Rest, f.Plain);
    }

    [Fact]
    public async Task Without_waitfornewblock_the_tip_is_polled()
    {
        // The real node, except that waitfornewblock answers "method not found" as on a node without it.
        using var handler = new WithoutWaitForNewBlock();
        using var client = new CoreRpcClient(RegtestChainFixture.RpcOptions(f.Rest), f.Logs.CreateLogger<CoreRpcClient>(), handler);
        using var backend = new CoreRpcBackend(
            Network.LitecoinRegtest, client, new CoreRpcBackendOptions { TipPollInterval = TimeSpan.FromMilliseconds(100) }, f.Logs.CreateLogger<CoreRpcBackend>());
        var before = (await backend.GetChainStateAsync()).Tip;

        var waiting = backend.WaitForNewTipAsync(before.Hash, TimeSpan.FromMinutes(2));
        await Eventually.TrueAsync(() => f.Logs.Entries.Any(l => l.EventId.Id == 9), "the backend has switched to polling");
        var mined = (await f.Rest.MineAsync(1))[0];

        Assert.Equal(mined, (await waiting).Hash.ToString());
        Assert.True(handler.Refused > 0);
    }

    [Fact]
    public async Task A_call_that_outlives_its_timeout_is_reported_as_timed_out()
    {
        var e = await Assert.ThrowsAsync<BackendUnavailableException>(() => f.RestBackend.Rpc.CallAsync(
            new RpcRequest("waitfornewblock", [3000]),
            new RpcCallOptions { Timeout = TimeSpan.FromMilliseconds(200), RetryTransientFailures = false }));
        Assert.True(e.TimedOut);
        Assert.Equal(1, e.Attempts);
        Assert.Contains("no answer within 0.2 s", e.Reason, StringComparison.Ordinal);
    }

    /// <summary>Passes everything to the node except waitfornewblock, which gets Core's "Method not found" answer.</summary>
    private sealed class WithoutWaitForNewBlock() : DelegatingHandler(new SocketsHttpHandler())
    {
        public int Refused;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Content is not null)
            {
                var body = await request.Content.ReadAsStringAsync(cancellationToken);
                using var json = JsonDocument.Parse(body);
                if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.GetProperty("method").GetString() == "waitfornewblock")
                {
                    Interlocked.Increment(ref Refused);
                    var id = json.RootElement.GetProperty("id").GetRawText();
                    return new HttpResponseMessage(HttpStatusCode.NotFound)
                    {
                        Content = new StringContent($$"""{"result":null,"error":{"code":-32601,"message":"Method not found"},"id":{{id}}}"""),
                    };
                }
            }
            return await base.SendAsync(request, cancellationToken);
        }
    }

    [Fact]
    public async Task Harness_peers_disconnect_and_reconnect()
    {
        await f.Plain.DisconnectFromAsync(f.Rest);
        var mined = (await f.Rest.MineAsync(2))[^1];
        await f.Plain.ConnectToAsync(f.Rest);
        await LitecoindNode.SyncAsync(f.Rest, f.Plain);
        Assert.Equal(mined, await f.Plain.GetBestBlockHashAsync());
    }
}
