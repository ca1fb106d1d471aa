using System.Text.Json;

using Coinshard.TestSupport.Litecoind;

namespace Coinshard.Integration.Tests.Support;

/// <summary>
/// Random wallet traffic on a litecoind with a wallet: payments to addresses of every type the wallet hands
/// out (legacy, p2sh-segwit, bech32) and to bare scripts (P2PK, 1-of-2 bare multisig) of wallet keys, single
/// sends, batched sends (<c>sendmany</c>), and chains of transactions that spend each other's outputs before
/// being mined together. Every script it pays is a <see cref="Target"/> to compare.
/// </summary>
public sealed class WalletActivity(LitecoindNode node, int seed)
{
    private readonly Random _random = new(seed);
    private readonly Lock _randomLock = new();
    private int _sent;
    private readonly List<Target> _targets = [];

    /// <summary>Every script this activity paid (or may pay).</summary>
    public IReadOnlyList<Target> Targets => _targets;

    /// <summary>Transactions sent so far.</summary>
    public int Sent => Volatile.Read(ref _sent);

    /// <summary>Makes <paramref name="perKind"/> wallet addresses of each type and <paramref name="bare"/> bare scripts of each kind.</summary>
    public async Task CreateTargetsAsync(int perKind, int bare)
    {
        foreach (var kind in new[] { AddressKind.Legacy, AddressKind.P2shSegwit, AddressKind.Bech32 })
        {
            for (var i = 0; i < perKind; i++)
            {
                var address = await node.NewAddressAsync(kind);
                _targets.Add(new Target(KindName(kind), await NodeUtxos.ScriptOfAsync(node, address), address));
            }
        }
        for (var i = 0; i < bare; i++)
        {
            var key1 = await PublicKeyAsync();
            var key2 = await PublicKeyAsync();
            _targets.Add(new Target("p2pk", $"21{key1}ac", null));
            _targets.Add(new Target("bare-multisig", $"5121{key1}21{key2}52ae", null));
        }
    }

    /// <summary>Adds targets made elsewhere (e.g. MWEB peg-in change, another node's addresses).</summary>
    public void Add(Target target) => _targets.Add(target);

    /// <summary>
    /// Sends about <paramref name="transactions"/> random transactions into the mempool: single payments, batches
    /// of 2-30 outputs, and chains of 2-5 transactions each spending the last one's payment; <paramref name="workers"/>
    /// send concurrently (the node has several RPC threads).
    /// </summary>
    public async Task SendRandomAsync(int transactions, int workers = 1)
    {
        var goal = Sent + transactions;
        var refused = 0;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
        {
            while (Sent < goal)
            {
                try
                {
                    await SendOneRandomAsync();
                }
                catch (NodeRpcException e) when (Retryable(e) && Interlocked.Increment(ref refused) < 50)
                {
                    // Funded from a long unconfirmed chain, or from a coin a concurrent send just took: draw again.
                }
            }
        }));
    }

    private static bool Retryable(NodeRpcException e) =>
        e.RpcMessage.Contains("too-long-mempool-chain", StringComparison.Ordinal) || e.RpcMessage.Contains("txn-mempool-conflict", StringComparison.Ordinal);

    private async Task SendOneRandomAsync()
    {
        var roll = NextDouble();
        if (roll < 0.55)
        {
            await PayAsync(Pick(), Amount());
        }
        else if (roll < 0.8)
        {
            var count = Next(2, 31);
            var outputs = new Dictionary<string, decimal>();
            var bare = new List<(string Script, long Value)>();
            for (var i = 0; i < count; i++)
            {
                var target = Pick();
                if (target.Address is { } address)
                {
                    outputs[address] = Coins(Amount());
                }
                else
                {
                    bare.Add((target.ScriptHex, Amount()));
                }
            }
            if (bare.Count > 0)
            {
                await SendToScriptsAsync(outputs, bare);
            }
            else
            {
                await node.Rpc.CallAsync("sendmany", "", outputs);
                Interlocked.Increment(ref _sent);
            }
        }
        else
        {
            await SendChainAsync(Next(2, 6));
        }
    }

    /// <summary>Pays one target (a bare script through a raw transaction).</summary>
    public async Task<string> PayAsync(Target target, long satoshis)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.Address is { } address)
        {
            Interlocked.Increment(ref _sent);
            return await node.SendAsync(address, satoshis);
        }
        return await SendToScriptsAsync([], [(target.ScriptHex, satoshis)]);
    }

    /// <summary>
    /// A chain of unconfirmed transactions: a payment to an address target, then transactions each spending the
    /// previous one's payment (to another target, minus a fee), all in the mempool at once.
    /// </summary>
    public async Task SendChainAsync(int length)
    {
        var target = PickAddress();
        var value = Amount() + 1_000_000;
        var txid = await PayAsync(target, value);
        for (var i = 1; i < length; i++)
        {
            if (await VoutPayingAsync(txid, target.ScriptHex) is not { } vout)
            {
                return; // past MWEB activation the wallet may pay from MWEB coins: no canonical output to chain on
            }
            value -= 10_000;
            target = PickAddress();
            var raw = await node.Rpc.CallStringAsync(
                "createrawtransaction",
                new object[] { new Dictionary<string, object> { ["txid"] = txid, ["vout"] = vout } },
                new Dictionary<string, decimal> { [target.Address!] = Coins(value) });
            txid = await SignAndSendAsync(raw);
        }
    }

    /// <summary>A wallet-funded transaction paying addresses and bare scripts.</summary>
    private async Task<string> SendToScriptsAsync(Dictionary<string, decimal> outputs, List<(string Script, long Value)> bare)
    {
        // createrawtransaction only takes addresses: pay placeholders, then swap their scripts for the bare ones.
        var placeholders = new List<(string Address, string Script, string Bare)>();
        var all = new Dictionary<string, decimal>(outputs);
        foreach (var (script, value) in bare)
        {
            var placeholder = await node.NewAddressAsync(AddressKind.Legacy);
            placeholders.Add((placeholder, await NodeUtxos.ScriptOfAsync(node, placeholder), script));
            all[placeholder] = Coins(value);
        }
        var raw = await node.Rpc.CallStringAsync("createrawtransaction", Array.Empty<object>(), all);
        foreach (var (_, script, bareScript) in placeholders)
        {
            var from = $"{script.Length / 2:x2}{script}";
            var index = raw.IndexOf(from, StringComparison.Ordinal);
            if (index < 0)
            {
                throw new InvalidOperationException($"placeholder script {script} not found in {raw}");
            }
            raw = string.Concat(raw.AsSpan(0, index), $"{bareScript.Length / 2:x2}{bareScript}", raw.AsSpan(index + from.Length));
        }
        var funded = await node.Rpc.CallAsync("fundrawtransaction", raw, new Dictionary<string, object> { ["lockUnspents"] = true });
        return await SignAndSendAsync(funded.GetProperty("hex").GetString()!);
    }

    private async Task<string> SignAndSendAsync(string raw)
    {
        var signed = await node.Rpc.CallAsync("signrawtransactionwithwallet", raw);
        if (!signed.GetProperty("complete").GetBoolean())
        {
            throw new InvalidOperationException($"the wallet could not sign {raw}: {signed}");
        }
        Interlocked.Increment(ref _sent);
        return await node.Rpc.CallStringAsync("sendrawtransaction", signed.GetProperty("hex").GetString()!);
    }

    private async Task<int?> VoutPayingAsync(string txid, string scriptHex)
    {
        JsonElement tx;
        try
        {
            tx = await node.Rpc.CallAsync("getrawtransaction", txid, true);
        }
        catch (NodeRpcException e) when (e.Code == -5)
        {
            return null; // an MWEB transaction (its id is not a canonical txid)
        }
        foreach (var output in tx.GetProperty("vout").EnumerateArray())
        {
            if (output.TryGetProperty("scriptPubKey", out var script) && script.GetProperty("hex").GetString() == scriptHex)
            {
                return output.GetProperty("n").GetInt32();
            }
        }
        return null;
    }

    private async Task<string> PublicKeyAsync()
    {
        var address = await node.NewAddressAsync(AddressKind.Bech32);
        var info = await node.Rpc.CallAsync("getaddressinfo", address);
        return info.GetProperty("pubkey").GetString()!;
    }

    private int Next(int min, int max)
    {
        lock (_randomLock)
        {
            return _random.Next(min, max);
        }
    }

    private double NextDouble()
    {
        lock (_randomLock)
        {
            return _random.NextDouble();
        }
    }

    private Target Pick() => _targets[Next(0, _targets.Count)];

    private Target PickAddress()
    {
        while (true)
        {
            var target = Pick();
            if (target.Address is not null)
            {
                return target;
            }
        }
    }

    /// <summary>0.001 to about 0.5 LTC, skewed to small amounts, never round.</summary>
    private long Amount() => 100_000 + (long)(Math.Pow(NextDouble(), 3) * 50_000_000) + Next(1, 1000);

    private static decimal Coins(long satoshis) => satoshis / (decimal)LitecoindNode.SatoshisPerCoin;

    private static string KindName(AddressKind kind) => kind switch
    {
        AddressKind.Legacy => "legacy",
        AddressKind.P2shSegwit => "p2sh-segwit",
        AddressKind.Bech32 => "bech32",
        _ => kind.ToString().ToLowerInvariant(),
    };

    /// <summary>The wallet's confirmed coins on address scripts worth more than 0.01 (txid, vout, amount, script).</summary>
    public async Task<List<(string TxId, int Vout, long Value, string Script)>> ConfirmedCoinsAsync()
    {
        var list = await node.Rpc.CallAsync("listunspent", 1);
        return list.EnumerateArray()
            .Where(u => u.GetProperty("spendable").GetBoolean() && u.TryGetProperty("address", out _) && NodeUtxos.Satoshis(u.GetProperty("amount")) > 1_000_000)
            .Select(u => (u.GetProperty("txid").GetString()!, u.GetProperty("vout").GetInt32(), NodeUtxos.Satoshis(u.GetProperty("amount")), u.GetProperty("scriptPubKey").GetString()!))
            .ToList();
    }

    /// <summary>Number of transactions in the node's mempool.</summary>
    public async Task<int> MempoolSizeAsync() => (await node.Rpc.CallAsync("getmempoolinfo")).GetProperty("size").GetInt32();
}
