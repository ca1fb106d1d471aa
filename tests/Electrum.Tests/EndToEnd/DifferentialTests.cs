using System.Text.Json;

using Coinshard.Chain.Blocks;
using Coinshard.Chain.Hashing;
using Coinshard.Storage;
using Coinshard.TestSupport.Electrum;

using Xunit;

namespace Coinshard.Electrum.Tests.EndToEnd;

/// <summary>
/// Every scripthash of the live scenario, asked through our C# client, against what the node says
/// (<see cref="NodeView"/>): balances, unspent outputs, history and mempool in the spec's order with fees,
/// status hashes, merkle proofs against header roots, checkpoint proofs, transactions.
/// </summary>
[Collection(LiveGatewayTests.Name)]
public sealed class DifferentialTests(LiveGatewayFixture fixture)
{
    public static TheoryData<IndexMode> Modes => new() { IndexMode.Utxo, IndexMode.Full };

    private LiveGateway Gateway(IndexMode mode) => mode == IndexMode.Full ? fixture.Full : fixture.Utxo;

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Every_scripthash_agrees_with_the_node(IndexMode mode)
    {
        await fixture.WaitForSyncAsync();
        var view = await NodeView.ReadAsync(fixture);
        Assert.True(view.ByScripthash.Count >= 15, $"the scenario has only {view.ByScripthash.Count} scripts (seed {fixture.Seed})");
        Assert.True(view.MempoolTxIds.Count >= 4, $"the scenario left only {view.MempoolTxIds.Count} mempool transactions (seed {fixture.Seed})");
        await using var client = await Gateway(mode).ConnectNegotiatedAsync("1.6");
        foreach (var expected in view.ByScripthash.Values)
        {
            var sh = expected.Scripthash;
            var answers = await client.BatchAsync(
                ("blockchain.scripthash.get_balance", [sh]),
                ("blockchain.scripthash.listunspent", [sh]),
                ("blockchain.scripthash.get_history", [sh]),
                ("blockchain.scripthash.get_mempool", [sh]),
                ("blockchain.scripthash.subscribe", [sh]));
            var context = $"{mode} scripthash {sh} (script {expected.ScriptHex}, seed {fixture.Seed})";
            Assert.True(expected.Confirmed == answers[0].GetProperty("confirmed").GetInt64(), $"confirmed balance of {context}");
            Assert.True(expected.Unconfirmed == answers[0].GetProperty("unconfirmed").GetInt64(), $"unconfirmed balance of {context}");
            AssertUnspent(expected.Unspent, answers[1], context);
            AssertHistory(expected.History(mode), answers[2], context + " get_history");
            AssertHistory(expected.Mempool, answers[3], context + " get_mempool");
            Assert.True(expected.Status(mode) == (answers[4].ValueKind == JsonValueKind.Null ? null : answers[4].GetString()), $"status of {context}");
            await client.CallAsync("blockchain.scripthash.unsubscribe", sh);
        }
    }

    [Fact]
    public async Task The_scenario_covers_mempool_heights_fees_and_the_utxo_mode_caveat()
    {
        await fixture.WaitForSyncAsync();
        var view = await NodeView.ReadAsync(fixture);
        var all = view.ByScripthash.Values.ToList();
        Assert.Contains(all, e => e.Mempool.Any(m => m.Height == -1));
        Assert.Contains(all, e => e.Mempool.Any(m => m.Height == 0));
        Assert.Contains(all, e => e.Unconfirmed < 0);
        // Spent coins leave utxo-mode history: some script must have fewer entries there than in full mode.
        Assert.Contains(all, e => e.UtxoHistory.Count < e.FullHistory.Count);

        await using var utxo = await fixture.Utxo.ConnectNegotiatedAsync();
        await using var full = await fixture.Full.ConnectNegotiatedAsync();
        var genesis = await fixture.Node.Rpc.CallStringAsync("getblockhash", 0);
        foreach (var (client, mode) in new[] { (utxo, "utxo"), (full, "full") })
        {
            var features = await client.CallAsync("server.features");
            Assert.Equal(genesis, features.GetProperty("genesis_hash").GetString());
            Assert.Equal("1.4", features.GetProperty("protocol_min").GetString());
            Assert.Equal("1.6", features.GetProperty("protocol_max").GetString());
            Assert.Equal("sha256", features.GetProperty("hash_function").GetString());
            Assert.Equal(mode, features.GetProperty("coinshard_index_mode").GetString());
        }
    }

    [Fact]
    public async Task The_fee_bumped_replacement_replaces_the_original_everywhere()
    {
        Assert.True(fixture.ReplacedTxId is not null, $"bumpfee failed in the scenario: {fixture.BumpFeeError}");
        await fixture.WaitForSyncAsync();
        var view = await NodeView.ReadAsync(fixture);
        Assert.Contains(fixture.ReplacementTxId!, view.MempoolTxIds);
        Assert.DoesNotContain(fixture.ReplacedTxId!, view.MempoolTxIds);
        var touched = view.ByScripthash.Values.Where(e => e.Mempool.Any(m => m.TxHash == fixture.ReplacementTxId)).ToList();
        Assert.NotEmpty(touched);
        foreach (var live in fixture.Gateways)
        {
            await using var client = await live.ConnectNegotiatedAsync();
            foreach (var expected in touched)
            {
                var mempool = await client.CallAsync("blockchain.scripthash.get_mempool", expected.Scripthash);
                var ids = mempool.EnumerateArray().Select(m => m.GetProperty("tx_hash").GetString()).ToList();
                Assert.Contains(fixture.ReplacementTxId, ids);
                Assert.DoesNotContain(fixture.ReplacedTxId, ids);
            }
            var error = await Assert.ThrowsAsync<ElectrumErrorException>(() => client.CallAsync("blockchain.transaction.get", fixture.ReplacedTxId));
            Assert.Contains(fixture.ReplacedTxId!, error.ServerMessage, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Merkle_proofs_verify_against_the_block_headers(IndexMode mode)
    {
        await fixture.WaitForSyncAsync();
        var view = await NodeView.ReadAsync(fixture);
        await using var client = await Gateway(mode).ConnectNegotiatedAsync();
        // Every non-coinbase transaction of the scenario and the coinbases of the last blocks.
        var sample = view.Positions.Where(p => p.Value.Position > 0 || p.Value.Height > view.TipHeight - 5).ToList();
        Assert.True(sample.Count > 10, $"only {sample.Count} transactions to prove");
        var roots = new Dictionary<int, Hash256>();
        foreach (var (txid, (height, position)) in sample)
        {
            if (!roots.TryGetValue(height, out var root))
            {
                var headerHex = (await client.CallAsync("blockchain.block.header", height)).GetString()!;
                var header = BlockHeader.Parse(Convert.FromHexString(headerHex));
                Assert.Equal(await fixture.Node.Rpc.CallStringAsync("getblockhash", height), header.Hash.ToString());
                roots[height] = root = header.MerkleRoot;
            }
            var proof = await client.CallAsync("blockchain.transaction.get_merkle", txid, height);
            Assert.Equal(height, proof.GetProperty("block_height").GetInt32());
            Assert.Equal(position, proof.GetProperty("pos").GetInt32());
            var branch = Hashes(proof.GetProperty("merkle"));
            Assert.True(MerkleTree.VerifyBranch(Hash256.Parse(txid), position, branch, root), $"merkle proof of {txid} at {height}/{position}");

            var byPosition = await client.CallAsync("blockchain.transaction.id_from_pos", height, position, true);
            Assert.Equal(txid, byPosition.GetProperty("tx_hash").GetString());
            Assert.True(MerkleTree.VerifyBranch(Hash256.Parse(txid), position, Hashes(byPosition.GetProperty("merkle")), root));
            Assert.Equal(txid, (await client.CallAsync("blockchain.transaction.id_from_pos", height, position)).GetString());
        }
        var notThere = await Assert.ThrowsAsync<ElectrumErrorException>(() => client.CallAsync("blockchain.transaction.get_merkle", sample[0].Key, sample[0].Value.Height + 1));
        Assert.Contains("not in the block", notThere.ServerMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.4")]
    [InlineData("1.6")]
    public async Task Block_headers_with_cp_height_prove_against_the_nodes_header_hashes(string version)
    {
        await fixture.WaitForSyncAsync();
        var tip = await fixture.Node.GetBlockCountAsync();
        var hashes = new List<Hash256>();
        for (var h = 0; h <= tip; h++)
        {
            hashes.Add(Hash256.Parse(await fixture.Node.Rpc.CallStringAsync("getblockhash", h)));
        }
        await using var client = await fixture.Utxo.ConnectNegotiatedAsync(version);
        foreach (var (start, count, cp) in new[] { (0, 10, tip), (tip - 5, 6, tip), (50, 1, 60), (7, 25, 31), (tip, 1, tip) })
        {
            var answer = await client.CallAsync("blockchain.block.headers", start, count, cp);
            Assert.Equal(count, answer.GetProperty("count").GetInt32());
            var headers = version == "1.6"
                ? answer.GetProperty("headers").EnumerateArray().Select(h => Convert.FromHexString(h.GetString()!)).ToList()
                : Convert.FromHexString(answer.GetProperty("hex").GetString()!).Chunk(80).ToList();
            Assert.Equal(count, headers.Count);
            for (var i = 0; i < count; i++)
            {
                Assert.Equal(hashes[start + i], BlockHeader.Parse(headers[i]).Hash);
            }
            var root = new MerkleTree(hashes.Take(cp + 1)).Root;
            Assert.Equal(root.ToString(), answer.GetProperty("root").GetString());
            var last = start + count - 1;
            Assert.True(MerkleTree.VerifyBranch(hashes[last], last, Hashes(answer.GetProperty("branch")), root), $"checkpoint proof of {last} to {cp}");

            var single = await client.CallAsync("blockchain.block.header", start, cp);
            Assert.Equal(hashes[start], BlockHeader.Parse(Convert.FromHexString(single.GetProperty("header").GetString()!)).Hash);
            Assert.Equal(root.ToString(), single.GetProperty("root").GetString());
            Assert.True(MerkleTree.VerifyBranch(hashes[start], start, Hashes(single.GetProperty("branch")), root));
        }
        var above = await Assert.ThrowsAsync<ElectrumErrorException>(() => client.CallAsync("blockchain.block.headers", 0, 1, tip + 1));
        Assert.Contains("above the chain tip", above.ServerMessage, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Transactions_are_the_nodes_raw_and_verbose(IndexMode mode)
    {
        await fixture.WaitForSyncAsync();
        var view = await NodeView.ReadAsync(fixture);
        await using var client = await Gateway(mode).ConnectNegotiatedAsync();
        var sample = view.Positions.Where(p => p.Value.Position > 0).Select(p => p.Key).Take(12).Concat(view.MempoolTxIds).ToList();
        foreach (var txid in sample)
        {
            var node = await fixture.Node.Rpc.CallAsync("getrawtransaction", txid, true);
            Assert.Equal(node.GetProperty("hex").GetString(), (await client.CallAsync("blockchain.transaction.get", txid)).GetString());
            var verbose = await client.CallAsync("blockchain.transaction.get", txid, true);
            foreach (var field in new[] { "txid", "hash", "hex", "size", "vsize", "locktime" })
            {
                Assert.Equal(node.GetProperty(field).GetRawText(), verbose.GetProperty(field).GetRawText());
            }
            Assert.Equal(node.TryGetProperty("blockhash", out var b) ? b.GetString() : null, verbose.TryGetProperty("blockhash", out var v) ? v.GetString() : null);
        }
        var missing = await Assert.ThrowsAsync<ElectrumErrorException>(() => client.CallAsync("blockchain.transaction.get", new string('0', 63) + "1"));
        Assert.Contains("not found", missing.ServerMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fees_and_tips_agree_with_the_node()
    {
        await fixture.WaitForSyncAsync();
        await using var client = await fixture.Full.ConnectNegotiatedAsync();
        var relay = (await fixture.Node.Rpc.CallAsync("getnetworkinfo")).GetProperty("relayfee").GetDecimal();
        Assert.Equal(relay, (await client.CallAsync("blockchain.relayfee")).GetDecimal());
        var smart = await fixture.Node.Rpc.CallAsync("estimatesmartfee", 2);
        var expected = smart.TryGetProperty("feerate", out var rate) ? rate.GetDecimal() : -1m;
        Assert.Equal(expected, (await client.CallAsync("blockchain.estimatefee", 2)).GetDecimal());
        var tip = await client.CallAsync("blockchain.headers.subscribe");
        Assert.Equal(await fixture.Node.GetBlockCountAsync(), tip.GetProperty("height").GetInt32());
        Assert.Equal(await fixture.Node.Rpc.CallStringAsync("getblockheader", await fixture.Node.GetBestBlockHashAsync(), false), tip.GetProperty("hex").GetString());
        var histogram = await client.CallAsync("mempool.get_fee_histogram");
        Assert.True(histogram.GetArrayLength() > 0, "the scenario's mempool gives a fee histogram");
    }

    [Fact]
    public async Task Every_transport_serves_the_same_answers()
    {
        await fixture.WaitForSyncAsync();
        var view = await NodeView.ReadAsync(fixture);
        var live = fixture.Full;
        var clients = new List<(string Name, ElectrumTestClient Client)>
        {
            ("tls", await ElectrumTestClient.ConnectTlsAsync("localhost", live.TlsPort, fixture.TrustedCertificate)),
            ("ws", await ElectrumTestClient.ConnectWebSocketAsync(new Uri($"ws://127.0.0.1:{live.WsPort}/"))),
            ("wss", await ElectrumTestClient.ConnectWebSocketAsync(new Uri($"wss://localhost:{live.WssPort}/"), fixture.TrustedCertificate)),
        };
        try
        {
            foreach (var (name, client) in clients)
            {
                await client.CallAsync("server.version", "coinshard-e2e", "1.4");
                foreach (var expected in view.ByScripthash.Values.Take(10))
                {
                    var answers = await client.BatchAsync(
                        ("blockchain.scripthash.get_balance", [expected.Scripthash]),
                        ("blockchain.scripthash.get_history", [expected.Scripthash]));
                    Assert.True(expected.Confirmed == answers[0].GetProperty("confirmed").GetInt64(), $"{name}: balance of {expected.Scripthash}");
                    AssertHistory(expected.FullHistory, answers[1], $"{name}: history of {expected.Scripthash}");
                }
            }
        }
        finally
        {
            foreach (var (_, client) in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    internal static Hash256[] Hashes(JsonElement array) => [.. array.EnumerateArray().Select(h => Hash256.Parse(h.GetString()!))];

    internal static void AssertHistory(IReadOnlyList<ExpectedHistory> expected, JsonElement actual, string context)
    {
        var got = actual.EnumerateArray().Select(e => new ExpectedHistory(
            e.GetProperty("tx_hash").GetString()!,
            e.GetProperty("height").GetInt32(),
            e.TryGetProperty("fee", out var fee) ? fee.GetInt64() : null)).ToList();
        Assert.True(expected.SequenceEqual(got), $"{context}:\n expected {string.Join(", ", expected)}\n got      {string.Join(", ", got)}");
    }

    internal static void AssertUnspent(IReadOnlyList<ExpectedUnspent> expected, JsonElement actual, string context)
    {
        var got = actual.EnumerateArray().Select(e => new ExpectedUnspent(
            e.GetProperty("tx_hash").GetString()!,
            e.GetProperty("tx_pos").GetInt32(),
            e.GetProperty("value").GetInt64(),
            e.GetProperty("height").GetInt32())).ToList();
        static IEnumerable<ExpectedUnspent> Sorted(IEnumerable<ExpectedUnspent> u) => u.OrderBy(x => x.TxHash, StringComparer.Ordinal).ThenBy(x => x.TxPos);
        Assert.True(Sorted(expected).SequenceEqual(Sorted(got)), $"listunspent of {context}:\n expected {string.Join(", ", Sorted(expected))}\n got      {string.Join(", ", Sorted(got))}");
        // Confirmed outputs by height, mempool ones (height 0) last.
        var order = got.Select(u => u.Height == 0 ? int.MaxValue : u.Height).ToList();
        Assert.True(order.SequenceEqual(order.Order()), $"listunspent of {context} is not in block order, mempool last: {string.Join(", ", got)}");
    }
}
