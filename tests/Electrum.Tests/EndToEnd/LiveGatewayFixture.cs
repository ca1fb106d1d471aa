using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

using Coinshard.Actors;
using Coinshard.Backends.Core;
using Coinshard.Chain.Networks;
using Coinshard.Electrum.Gateway;
using Coinshard.Electrum.Methods;
using Coinshard.Electrum.Server;
using Coinshard.Electrum.Tests.Support;
using Coinshard.Indexing;
using Coinshard.Storage;
using Coinshard.TestSupport;
using Coinshard.TestSupport.Electrum;
using Coinshard.TestSupport.Litecoind;
using Coinshard.TestSupport.Logging;

using Xunit;

namespace Coinshard.Electrum.Tests.EndToEnd;

/// <summary>The test collection sharing one <see cref="LiveGatewayFixture"/>: its classes run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class LiveGatewayTests : ICollectionFixture<LiveGatewayFixture>
{
    public const string Name = "live-gateway";
}

/// <summary>One index (utxo or full mode) with its real gateway on four loopback listeners.</summary>
public sealed class LiveGateway(IndexMode mode, CurrencyIndexer index, ElectrumGateway gateway, ElectrumServerOptions options)
{
    public IndexMode Mode { get; } = mode;

    public CurrencyIndexer Index { get; } = index;

    public ElectrumGateway Gateway { get; } = gateway;

    public ElectrumServerOptions Options { get; } = options;

    public int TcpPort => Options.Tcp.Port;

    public int TlsPort => Options.Tls.Port;

    public int WsPort => Options.WebSocket.Port;

    public int WssPort => Options.SecureWebSocket.Port;

    public Task<ElectrumTestClient> ConnectAsync() => ElectrumTestClient.ConnectTcpAsync("127.0.0.1", TcpPort);

    /// <summary>A TCP client that has negotiated <paramref name="version"/>.</summary>
    public async Task<ElectrumTestClient> ConnectNegotiatedAsync(string version = "1.4")
    {
        var client = await ConnectAsync();
        await client.CallAsync("server.version", "coinshard-e2e", version);
        return client;
    }

    public override string ToString() => Mode == IndexMode.Full ? "full" : "utxo";
}

/// <summary>
/// A real litecoind regtest node with a random scenario (every wallet address type, single and batched sends,
/// spends of scenario coins, same-block spends, and a mempool left with a plain payment, a spend of a confirmed
/// coin, an unconfirmed chain and a fee-bumped replacement), indexed twice by the real <see cref="CurrencyIndexer"/>
/// on SQLite (utxo mode and full mode), each served by the real <see cref="ElectrumGateway"/> on TCP, TLS, WS and
/// WSS with a certificate made at test time. Tests may add transactions and blocks; expectations are always read
/// from the node as it is then (<see cref="NodeView"/>).
/// </summary>
public sealed class LiveGatewayFixture : IAsyncLifetime
{
    public const long Coin = LitecoindNode.SatoshisPerCoin;

    private readonly List<Func<ValueTask>> _cleanup = [];
    private string _directory = null!;

    /// <summary>The scenario's seed (in failure messages, to replay a run).</summary>
    public int Seed { get; } = Environment.GetEnvironmentVariable("COINSHARD_E2E_SEED") is { Length: > 0 } s
        ? int.Parse(s, CultureInfo.InvariantCulture)
        : Random.Shared.Next();

    public LitecoindNode Node { get; private set; } = null!;

    public CapturingLoggerFactory Logs { get; } = new();

    internal TestCertificate Certificate { get; private set; } = null!;

    /// <summary>The certificate as .NET sees it (for the C# client's TLS pinning).</summary>
    public X509Certificate2 TrustedCertificate { get; private set; } = null!;

    public LiveGateway Utxo { get; private set; } = null!;

    public LiveGateway Full { get; private set; } = null!;

    public IEnumerable<LiveGateway> Gateways => [Utxo, Full];

    /// <summary>Wallet addresses the scenario paid (of every type).</summary>
    public List<string> Addresses { get; } = [];

    /// <summary>Blocks read from the node, by hash (verbosity 2); the chain is never reorganised here.</summary>
    internal Dictionary<string, JsonElement> BlockCache { get; } = [];

    /// <summary>The txid replaced by a fee bump (no longer anywhere), or null when bumpfee is unavailable.</summary>
    public string? ReplacedTxId { get; private set; }

    /// <summary>Why bumpfee failed, when it did.</summary>
    public string? BumpFeeError { get; private set; }

    /// <summary>The fee-bumped replacement of <see cref="ReplacedTxId"/>.</summary>
    public string? ReplacementTxId { get; private set; }

    public async Task InitializeAsync()
    {
        var directory = new TempDirectory("electrum-e2e");
        _cleanup.Add(() =>
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Dispose();
            return ValueTask.CompletedTask;
        });
        _directory = directory.Path;
        Certificate = TestCertificate.Create(_directory);
        TrustedCertificate = X509Certificate2.CreateFromPemFile(Certificate.CertPath, Certificate.KeyPath);
        Node = await LitecoindNode.StartAsync(new LitecoindNodeOptions
        {
            Name = "electrum-e2e",
            // Litecoin Core turns mempool replacement off by default; the scenario's fee bump needs it.
            ExtraArguments = ["-mempoolreplacement=1"],
        });
        _cleanup.Add(Node.DisposeAsync);
        await Node.EnsureFundsAsync(60 * Coin);
        await BuildScenarioAsync(new Random(Seed));

        Utxo = await StartGatewayAsync(IndexMode.Utxo);
        Full = await StartGatewayAsync(IndexMode.Full);
        await WaitForSyncAsync();
    }

    public async Task DisposeAsync()
    {
        for (var i = _cleanup.Count - 1; i >= 0; i--)
        {
            await _cleanup[i]();
        }
        TrustedCertificate?.Dispose();
    }

    /// <summary>Waits until both indexes are at the node's tip and both gateways track exactly the node's mempool.</summary>
    public async Task WaitForSyncAsync()
    {
        foreach (var live in Gateways)
        {
            await Eventually.TrueAsync(
                async () =>
                {
                    var best = await Node.GetBestBlockHashAsync();
                    var tip = await live.Gateway.Services.Store.GetTipAsync();
                    if (tip?.Hash.ToString() != best)
                    {
                        return false;
                    }
                    var mempool = (await Node.Rpc.CallAsync("getrawmempool")).GetArrayLength();
                    return live.Gateway.Services.Mempool.Current.Count == mempool &&
                        (await live.Gateway.Services.Store.GetTipAsync())?.Hash.ToString() == await Node.GetBestBlockHashAsync();
                },
                $"the {live} index is at the node's tip and its gateway tracks the node's mempool (seed {Seed}, follower {live.Index.Status.State}, {live.Index.Status.LastError})",
                timeout: TimeSpan.FromSeconds(60),
                interval: TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>A new wallet address of a random canonical type.</summary>
    public Task<string> NewAddressAsync(Random random) =>
        Node.NewAddressAsync((AddressKind)random.Next(3));

    public static decimal Coins(long satoshis) => satoshis / (decimal)Coin;

    /// <summary>Builds, signs and sends a transaction spending <paramref name="inputs"/> to <paramref name="outputs"/> (no change); returns the txid.</summary>
    public async Task<string> SendRawAsync(IEnumerable<(string TxId, int Vout)> inputs, IReadOnlyDictionary<string, long> outputs)
    {
        var hex = await SignRawAsync(inputs, outputs);
        return await Node.Rpc.CallStringAsync("sendrawtransaction", hex);
    }

    /// <summary>Builds and signs (without sending) a transaction from wallet coins.</summary>
    public async Task<string> SignRawAsync(IEnumerable<(string TxId, int Vout)> inputs, IReadOnlyDictionary<string, long> outputs)
    {
        var raw = await Node.Rpc.CallStringAsync(
            "createrawtransaction",
            inputs.Select(i => new Dictionary<string, object> { ["txid"] = i.TxId, ["vout"] = i.Vout }).ToArray(),
            outputs.ToDictionary(o => o.Key, o => (object)Coins(o.Value)));
        var signed = await Node.Rpc.CallAsync("signrawtransactionwithwallet", raw);
        if (!signed.GetProperty("complete").GetBoolean())
        {
            throw new InvalidOperationException("the wallet could not sign " + raw);
        }
        return signed.GetProperty("hex").GetString()!;
    }

    /// <summary>Mines one block holding only <paramref name="txids"/>; returns its hash.</summary>
    public async Task<string> MineOnlyAsync(params string[] txids)
    {
        var to = await Node.NewAddressAsync();
        var block = await Node.Rpc.CallAsync("generateblock", to, txids);
        return block.GetProperty("hash").GetString()!;
    }

    /// <summary>
    /// A signed payment to <paramref name="address"/> from one confirmed wallet coin that no mempool transaction spends
    /// (listunspent leaves those out, so it can be mined alone), with change back to the wallet; not sent.
    /// </summary>
    public async Task<(string Hex, string TxId)> PaymentFromConfirmedCoinAsync(string address, long amount)
    {
        var coins = (await Node.Rpc.CallAsync("listunspent", 101)).EnumerateArray()
            .Where(c => NodeUtxos.Satoshis(c.GetProperty("amount")) > amount + Coin)
            .ToList();
        var coin = coins[new Random().Next(coins.Count)];
        var value = NodeUtxos.Satoshis(coin.GetProperty("amount"));
        var hex = await SignRawAsync(
            [(coin.GetProperty("txid").GetString()!, coin.GetProperty("vout").GetInt32())],
            new Dictionary<string, long> { [address] = amount, [await Node.NewAddressAsync()] = value - amount - 50_000 });
        var txid = (await Node.Rpc.CallAsync("decoderawtransaction", hex)).GetProperty("txid").GetString()!;
        return (hex, txid);
    }

    /// <summary>The output of <paramref name="txid"/> paying <paramref name="address"/> (vout and satoshis).</summary>
    public async Task<(int Vout, long Value)> OutputToAsync(string txid, string address)
    {
        var tx = await Node.Rpc.CallAsync("getrawtransaction", txid, true);
        var output = tx.GetProperty("vout").EnumerateArray().First(o =>
            o.GetProperty("scriptPubKey").TryGetProperty("addresses", out var a) && a.EnumerateArray().Any(x => x.GetString() == address) ||
            o.GetProperty("scriptPubKey").TryGetProperty("address", out var single) && single.GetString() == address);
        return (output.GetProperty("n").GetInt32(), NodeUtxos.Satoshis(output.GetProperty("value")));
    }

    private async Task BuildScenarioAsync(Random random)
    {
        foreach (var kind in new[] { AddressKind.Legacy, AddressKind.P2shSegwit, AddressKind.Bech32 })
        {
            for (var i = 0; i < 3; i++)
            {
                Addresses.Add(await Node.NewAddressAsync(kind));
            }
        }
        string Pick() => Addresses[random.Next(Addresses.Count)];
        long Amount() => random.NextInt64(Coin / 10, 2 * Coin);

        for (var round = 0; round < 4; round++)
        {
            for (var i = random.Next(1, 4); i > 0; i--)
            {
                await Node.SendAsync(Pick(), Amount());
            }
            // A batched send: several scenario addresses in one transaction.
            var batch = new Dictionary<string, long>();
            for (var i = random.Next(2, 5); i > 0; i--)
            {
                batch[Pick()] = Amount();
            }
            await Node.SendManyAsync(batch);
            if (round > 0)
            {
                await SpendScenarioCoinAsync(random, Pick());
            }
            await SameBlockSpendAsync(Pick(), Pick(), Amount());
            await Node.MineAsync(random.Next(1, 3));
        }

        // Left unconfirmed: a plain payment (height 0), a spend of a confirmed scenario coin (a negative
        // unconfirmed balance), an unconfirmed chain (the child has height -1) and a fee-bumped replacement.
        await Node.SendAsync(Pick(), Amount());
        await SpendScenarioCoinAsync(random, Pick());
        var parentTo = Pick();
        var parent = await Node.SendAsync(parentTo, 3 * Coin);
        var (vout, value) = await OutputToAsync(parent, parentTo);
        await SendRawAsync([(parent, vout)], new Dictionary<string, long> { [Pick()] = value - 20_000 });
        var replaceable = await Node.Rpc.CallStringAsync("sendtoaddress", Pick(), Coins(Amount()), "", "", false, true);
        try
        {
            var bumped = await Node.Rpc.CallAsync("bumpfee", replaceable);
            var replacement = bumped.GetProperty("txid").GetString()!;
            // The wallet keeps a replacement the mempool refused without an error: make sure it is there.
            await Node.Rpc.CallAsync("getmempoolentry", replacement);
            ReplacedTxId = replaceable;
            ReplacementTxId = replacement;
        }
        catch (NodeRpcException e)
        {
            // Not every node build has a wallet that can bump; the replacement check then says why it is skipped.
            BumpFeeError = e.Message;
        }
    }

    /// <summary>Spends one confirmed coin of a scenario address to <paramref name="to"/>.</summary>
    private async Task SpendScenarioCoinAsync(Random random, string to)
    {
        var unspent = await Node.Rpc.CallAsync("listunspent", 1, 9_999_999, Addresses.ToArray());
        var coins = unspent.EnumerateArray().ToList();
        if (coins.Count == 0)
        {
            return;
        }
        var coin = coins[random.Next(coins.Count)];
        var value = NodeUtxos.Satoshis(coin.GetProperty("amount"));
        await SendRawAsync([(coin.GetProperty("txid").GetString()!, coin.GetProperty("vout").GetInt32())], new Dictionary<string, long> { [to] = value - 10_000 });
    }

    /// <summary>Pays <paramref name="first"/>, then spends that unconfirmed output to <paramref name="second"/> before a block is mined.</summary>
    private async Task SameBlockSpendAsync(string first, string second, long amount)
    {
        var parent = await Node.SendAsync(first, amount);
        var (vout, value) = await OutputToAsync(parent, first);
        await SendRawAsync([(parent, vout)], new Dictionary<string, long> { [second] = value - 10_000 });
    }

    private async Task<LiveGateway> StartGatewayAsync(IndexMode mode)
    {
        var backend = CoreRpcBackend.Create(Network.LitecoinRegtest, new CoreRpcOptions
        {
            Url = Node.RpcUrl,
            Credentials = RpcCredentials.FromUserPassword(Node.RpcUser, Node.RpcPassword),
            MaxRetries = 2,
            RetryBaseDelay = TimeSpan.FromMilliseconds(100),
            RetryMaxDelay = TimeSpan.FromMilliseconds(500),
        }, loggerFactory: Logs);
        _cleanup.Add(() =>
        {
            backend.Dispose();
            return ValueTask.CompletedTask;
        });
        var system = new ActorSystem("e2e-" + mode, new ActorSystemOptions { LoggerFactory = Logs });
        _cleanup.Add(system.DisposeAsync);
        var indexerOptions = new IndexerOptions(Network.LitecoinRegtest)
        {
            Mode = mode,
            ShardCount = 2,
            PollInterval = TimeSpan.FromMilliseconds(100),
            Owner = "e2e-" + mode,
        };
        var store = StoreOptions.Sqlite(Path.Combine(_directory, $"{mode}.db"));
        var index = await CurrencyIndexer.StartAsync(indexerOptions, backend, store, system, Logs);
        _cleanup.Add(index.DisposeAsync);
        await Eventually.TrueAsync(
            async () => index.Status.IndexTip?.Hash.ToString() == await Node.GetBestBlockHashAsync(),
            $"the {mode} index reaches the node's tip (follower {index.Status.State}, {index.Status.LastError})",
            timeout: TimeSpan.FromSeconds(90));

        var options = TestServer.DefaultOptions(Certificate);
        options.Limits.ExemptLoopback = true;
        var gatewayOptions = new ElectrumGatewayOptions(Network.LitecoinRegtest, mode, options, new ElectrumServerInfo())
        {
            NotifyInterval = TimeSpan.FromMilliseconds(100),
        };
        var gateway = await ElectrumGateway.StartAsync(gatewayOptions, index.Store, backend, Logs);
        _cleanup.Add(gateway.DisposeAsync);
        return new LiveGateway(mode, index, gateway, options);
    }
}
