using System.Globalization;
using System.Text.Json;

using Coinshard.Backends;
using Coinshard.Backends.Core;
using Coinshard.Chain.Encoding;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Scripts;
using Coinshard.Chain.Transactions;
using Coinshard.Electrum.Mempool;
using Coinshard.Storage;
using Coinshard.TestSupport.Litecoind;

using Microsoft.Extensions.Logging.Abstractions;

using Xunit;

namespace Coinshard.Electrum.Tests.Mempool;

/// <summary>
/// The tracker against a real litecoind mempool. Confirmed prevouts are resolved through the node's
/// own <c>gettxout</c> (standing in for the UTXO index, which has its own differential tests).
/// </summary>
public sealed class MempoolTrackerTests : IAsyncLifetime
{
    private LitecoindNode _node = null!;
    private CoreRpcBackend _backend = null!;

    public async Task InitializeAsync()
    {
        // Litecoin Core disables replacement by default (-mempoolreplacement=0); Bitcoin Core allows it.
        _node = await LitecoindNode.StartAsync(new LitecoindNodeOptions { Name = "mempool", ExtraArguments = ["-mempoolreplacement=1"] });
        await _node.EnsureFundsAsync(50 * 100_000_000L);
        _backend = CoreRpcBackend.Create(Network.LitecoinRegtest, new CoreRpcOptions
        {
            Url = _node.RpcUrl,
            Credentials = RpcCredentials.FromUserPassword(_node.RpcUser, _node.RpcPassword),
        });
    }

    public async Task DisposeAsync()
    {
        _backend.Dispose();
        await _node.DisposeAsync();
    }

    private MempoolTracker NewTracker() =>
        new(Network.LitecoinRegtest, _backend, _backend, LookupThroughNodeAsync, NullLogger.Instance);

    private async Task<IReadOnlyList<StoredCoin>> LookupThroughNodeAsync(IReadOnlyCollection<OutPoint> outPoints, CancellationToken ct)
    {
        var coins = new List<StoredCoin>();
        foreach (var outPoint in outPoints)
        {
            var result = await _node.Rpc.CallAsync("gettxout", outPoint.TxId.ToString(), outPoint.Index, false);
            if (result.ValueKind == JsonValueKind.Null)
            {
                continue;
            }
            var script = Hex.Decode(result.GetProperty("scriptPubKey").GetProperty("hex").GetString()!);
            var value = CoinAmount.ParseSatoshis(result.GetProperty("value").GetRawText());
            coins.Add(new StoredCoin(outPoint, KeyOf(script), value, 0, false, 0));
        }
        return coins;
    }

    private static ulong KeyOf(ReadOnlySpan<byte> script) => ScripthashKeys.Of(ElectrumScripthash.Compute(script));

    private async Task<ulong> KeyOfAddressAsync(string address)
    {
        var info = await _node.Rpc.CallAsync("getaddressinfo", address);
        return KeyOf(Hex.Decode(info.GetProperty("scriptPubKey").GetString()!));
    }

    private async Task<(string TxId, int Vout)> FindOutputAsync(string txid, string address)
    {
        var tx = await _node.Rpc.CallAsync("getrawtransaction", txid, true);
        foreach (var output in tx.GetProperty("vout").EnumerateArray())
        {
            if (output.GetProperty("scriptPubKey").TryGetProperty("addresses", out var addresses) &&
                addresses.EnumerateArray().Any(a => a.GetString() == address))
            {
                return (txid, output.GetProperty("n").GetInt32());
            }
        }
        throw new InvalidOperationException($"{txid} does not pay {address}");
    }

    /// <summary>Spends exactly one given output to <paramref name="to"/> (a child of an unconfirmed parent when that output is unconfirmed).</summary>
    private async Task<string> SpendAsync((string TxId, int Vout) input, string to, long satoshis, bool replaceable = false)
    {
        var inputs = new[] { new Dictionary<string, object> { ["txid"] = input.TxId, ["vout"] = input.Vout, ["sequence"] = replaceable ? 0xFFFFFFFD : 0xFFFFFFFE } };
        var outputs = new Dictionary<string, string> { [to] = (satoshis / 100_000_000m).ToString("0.00000000", CultureInfo.InvariantCulture) };
        var raw = await _node.Rpc.CallStringAsync("createrawtransaction", inputs, outputs);
        var signed = await _node.Rpc.CallAsync("signrawtransactionwithwallet", raw);
        return await _node.Rpc.CallStringAsync("sendrawtransaction", signed.GetProperty("hex").GetString()!);
    }

    private async Task<long> NodeFeeAsync(string txid)
    {
        var entry = await _node.Rpc.CallAsync("getmempoolentry", txid);
        return CoinAmount.ParseSatoshis(entry.GetProperty("fees").GetProperty("base").GetRawText());
    }

    [Fact]
    public async Task Funding_spending_heights_fees_and_confirmation_match_the_node()
    {
        var a = await _node.NewAddressAsync(AddressKind.Bech32);
        var b = await _node.NewAddressAsync(AddressKind.Legacy);
        var keyA = await KeyOfAddressAsync(a);
        var keyB = await KeyOfAddressAsync(b);
        var tracker = NewTracker();

        var parent = await _node.SendAsync(a, 300_000_000);
        var output = await FindOutputAsync(parent, a);
        var child = await SpendAsync(output, b, 299_990_000);

        var refresh = await tracker.RefreshAsync();

        Assert.Contains(keyA, refresh.TouchedKeys);
        Assert.Contains(keyB, refresh.TouchedKeys);
        var mempoolA = tracker.Current.Get(keyA)!;
        Assert.Equal(
            [(parent, 0, await NodeFeeAsync(parent)), (child, -1, await NodeFeeAsync(child))],
            mempoolA.Transactions.Select(t => (t.TxId.ToString(), t.Height, t.Fee)));
        Assert.Equal(0, mempoolA.BalanceDelta); // funded 3 LTC and spent them again, all unconfirmed
        Assert.True(tracker.Current.IsSpent(new OutPoint(Hash256.Parse(parent), (uint)output.Vout)));
        var mempoolB = tracker.Current.Get(keyB)!;
        Assert.Equal(299_990_000, mempoolB.BalanceDelta);
        Assert.Equal([(child, -1)], mempoolB.Transactions.Select(t => (t.TxId.ToString(), t.Height)));
        Assert.NotEmpty(tracker.Current.FeeHistogram);

        // Confirmation empties both scripthashes' mempool view and reports them touched.
        await _node.MineAsync(1);
        var afterBlock = await tracker.RefreshAsync();

        Assert.Equal(2, afterBlock.Removed);
        Assert.Contains(keyA, afterBlock.TouchedKeys);
        Assert.Contains(keyB, afterBlock.TouchedKeys);
        Assert.Null(tracker.Current.Get(keyA));
        Assert.Null(tracker.Current.Get(keyB));
        Assert.Equal(0, tracker.Current.Count);
    }

    [Fact]
    public async Task A_confirmed_coin_spent_in_the_mempool_is_a_negative_delta_and_a_spend_of_an_unconfirmed_output_has_height_minus_one()
    {
        var a = await _node.NewAddressAsync(AddressKind.P2shSegwit);
        var b = await _node.NewAddressAsync(AddressKind.Bech32);
        var keyA = await KeyOfAddressAsync(a);
        var funding = await _node.SendAsync(a, 100_000_000);
        await _node.MineAsync(1);
        var tracker = NewTracker();

        var spend = await SpendAsync(await FindOutputAsync(funding, a), b, 99_990_000);
        await tracker.RefreshAsync();

        var mempoolA = tracker.Current.Get(keyA)!;
        Assert.Equal(-100_000_000, mempoolA.BalanceDelta);
        Assert.Equal([(spend, 0)], mempoolA.Transactions.Select(t => (t.TxId.ToString(), t.Height)));

        // A spend of that unconfirmed output has an unconfirmed input: height -1.
        var c = await _node.NewAddressAsync(AddressKind.Bech32);
        var grandChild = await SpendAsync(await FindOutputAsync(spend, b), c, 99_980_000);
        await tracker.RefreshAsync();
        var keyC = await KeyOfAddressAsync(c);
        Assert.Equal(-1, tracker.Current.Get(keyC)!.Transactions.Single().Height);
        Assert.Equal(grandChild, tracker.Current.Get(keyC)!.Transactions.Single().TxId.ToString());
    }

    [Fact]
    public async Task A_replaced_transaction_leaves_and_its_replacement_enters()
    {
        var a = await _node.NewAddressAsync(AddressKind.Bech32);
        var b = await _node.NewAddressAsync(AddressKind.Bech32);
        var keyA = await KeyOfAddressAsync(a);
        var keyB = await KeyOfAddressAsync(b);
        var funding = await _node.SendAsync(a, 100_000_000);
        await _node.MineAsync(1);
        var coin = await FindOutputAsync(funding, a);
        var tracker = NewTracker();

        // Two signals-RBF spends of the same coin; the second pays more fee and replaces the first.
        var original = await SpendAsync(coin, b, 99_990_000, replaceable: true);
        await tracker.RefreshAsync();
        Assert.Equal(original, tracker.Current.Get(keyB)!.Transactions.Single().TxId.ToString());

        var replacement = await SpendAsync(coin, b, 99_900_000, replaceable: true);
        var refresh = await tracker.RefreshAsync();

        Assert.Equal(1, refresh.Removed);
        Assert.Equal(1, refresh.Added);
        Assert.Contains(keyA, refresh.TouchedKeys);
        Assert.Contains(keyB, refresh.TouchedKeys);
        var entry = tracker.Current.Get(keyB)!.Transactions.Single();
        Assert.Equal(replacement, entry.TxId.ToString());
        Assert.Equal(100_000, entry.Fee);
        Assert.Equal(99_900_000, tracker.Current.Get(keyB)!.BalanceDelta);
        Assert.Equal(-100_000_000, tracker.Current.Get(keyA)!.BalanceDelta);
    }

    [Fact]
    public async Task A_transaction_mined_before_the_index_connects_its_block_stays_in_view_until_the_index_tip_moves()
    {
        var a = await _node.NewAddressAsync(AddressKind.Bech32);
        var b = await _node.NewAddressAsync(AddressKind.Legacy);
        var keyA = await KeyOfAddressAsync(a);
        var keyB = await KeyOfAddressAsync(b);
        var unindexed = new HashSet<Hash256>(); // transactions of the block the index has not connected yet
        var tracker = new MempoolTracker(Network.LitecoinRegtest, _backend, _backend,
            (outPoints, ct) => LookupThroughNodeAsync([.. outPoints.Where(o => !unindexed.Contains(o.TxId))], ct), NullLogger.Instance);
        var indexTip = Hash256.Parse(await _node.Rpc.CallStringAsync("getbestblockhash"));

        var parent = await _node.SendAsync(a, 300_000_000);
        var child = await SpendAsync(await FindOutputAsync(parent, a), b, 299_990_000);
        await tracker.RefreshAsync(indexTip, CancellationToken.None);
        Assert.Equal(299_990_000, tracker.Current.Get(keyB)!.BalanceDelta);

        // Mined, but the index is still at its old tip: the wallet keeps seeing both as unconfirmed, not nothing.
        unindexed.UnionWith([Hash256.Parse(parent), Hash256.Parse(child)]);
        await _node.MineAsync(1);
        var lagging = await tracker.RefreshAsync(indexTip, CancellationToken.None);
        Assert.Equal(0, lagging.Removed);
        Assert.Empty(lagging.TouchedKeys);
        Assert.Equal([parent, child], tracker.Current.Get(keyA)!.Transactions.Select(t => t.TxId.ToString()));
        Assert.Equal(299_990_000, tracker.Current.Get(keyB)!.BalanceDelta);

        // The index connects the block: its tip moves and both leave the view, their keys touched.
        unindexed.Clear();
        var connected = await tracker.RefreshAsync(Hash256.Parse(await _node.Rpc.CallStringAsync("getbestblockhash")), CancellationToken.None);
        Assert.Equal(2, connected.Removed);
        Assert.Contains(keyA, connected.TouchedKeys);
        Assert.Contains(keyB, connected.TouchedKeys);
        Assert.Null(tracker.Current.Get(keyA));
        Assert.Null(tracker.Current.Get(keyB));
    }

    [Fact]
    public async Task A_departed_transaction_whose_outputs_are_indexed_or_that_was_replaced_leaves_at_once_even_if_the_tip_did_not_move()
    {
        var a = await _node.NewAddressAsync(AddressKind.Bech32);
        var b = await _node.NewAddressAsync(AddressKind.Bech32);
        var keyB = await KeyOfAddressAsync(b);
        var funding = await _node.SendAsync(a, 100_000_000);
        await _node.MineAsync(1);
        var coin = await FindOutputAsync(funding, a);
        var tracker = NewTracker();
        var staleTip = Hash256.Parse(await _node.Rpc.CallStringAsync("getbestblockhash"));

        // Replaced: the replacement spends the same coin, so the original cannot be waiting for a block.
        var original = await SpendAsync(coin, b, 99_990_000, replaceable: true);
        await tracker.RefreshAsync(staleTip, CancellationToken.None);
        var replacement = await SpendAsync(coin, b, 99_900_000, replaceable: true);
        var replaced = await tracker.RefreshAsync(staleTip, CancellationToken.None);
        Assert.Equal(1, replaced.Removed);
        Assert.Equal(replacement, tracker.Current.Get(keyB)!.Transactions.Single().TxId.ToString());
        Assert.NotEqual(original, replacement);

        // Mined, and the index already holds its outputs (its tip read before the block reached it): it leaves.
        await _node.MineAsync(1);
        var mined = await tracker.RefreshAsync(staleTip, CancellationToken.None);
        Assert.Equal(1, mined.Removed);
        Assert.Contains(keyB, mined.TouchedKeys);
        Assert.Null(tracker.Current.Get(keyB));
    }

    [Fact]
    public void Canonical_order_puts_height_zero_first_then_txid_as_display_hex()
    {
        // The status example of the protocol specification (protocol-basics, "Status Example").
        var entries = new[]
        {
            new MempoolTxEntry(Hash256.Parse("bb4c8ab438c13b89ca80d1d5bee25b0b6b7f55673f4d801998ba97db161d9e85"), 200, true),
            new MempoolTxEntry(Hash256.Parse("e02a1dadfa83b996b24175df807b271ea5d02937ef5b35c195fac1e1bdc3198f"), 300, false),
            new MempoolTxEntry(Hash256.Parse("80b19848aed792565ab7c5a79b7c2a00fbf985741579396ebe0ab6098e607311"), 200, false),
        }.ToList();

        entries.Sort(MempoolTracker.CanonicalOrder);

        Assert.Equal(
            ["80b19848aed792565ab7c5a79b7c2a00fbf985741579396ebe0ab6098e607311", "e02a1dadfa83b996b24175df807b271ea5d02937ef5b35c195fac1e1bdc3198f", "bb4c8ab438c13b89ca80d1d5bee25b0b6b7f55673f4d801998ba97db161d9e85"],
            entries.Select(e => e.TxId.ToString()));
    }
}
