using Coinshard.Backends.Core;
using Coinshard.Backends.Routing;
using Coinshard.Backends.Tests.Core;
using Coinshard.Chain.Networks;
using Coinshard.TestSupport;
using Coinshard.TestSupport.Litecoind;
using Coinshard.TestSupport.Logging;

using Microsoft.Extensions.Logging;

using Xunit;

namespace Coinshard.Backends.Tests.Routing;

/// <summary>
/// Two connected regtest nodes for routing tests: <see cref="Primary"/> (REST, txindex, a funded wallet
/// that signs test transactions) and <see cref="Secondary"/> (no REST, no txindex, no wallet).
/// </summary>
public sealed class RouterNodesFixture : IAsyncLifetime
{
    private readonly List<IDisposable> _backends = [];

    public LitecoindNode Primary { get; private set; } = null!;

    public LitecoindNode Secondary { get; private set; } = null!;

    public CapturingLoggerFactory Logs { get; } = new();

    public async Task InitializeAsync()
    {
        var nodes = await Task.WhenAll(
            LitecoindNode.StartAsync(new LitecoindNodeOptions { Name = "primary" }),
            LitecoindNode.StartAsync(new LitecoindNodeOptions { Name = "secondary", Rest = false, TxIndex = false, Wallet = false }));
        (Primary, Secondary) = (nodes[0], nodes[1]);
        await Secondary.ConnectToAsync(Primary);
        await Primary.EnsureFundsAsync(1000 * RegtestChainFixture.Coin);
        await LitecoindNode.SyncAsync(Primary, Secondary);
    }

    /// <summary>A Core backend that gives up quickly (one retry), as backends behind a router should.</summary>
    public CoreRpcBackend Backend(LitecoindNode node, Network? network = null) =>
        Track(CoreRpcBackend.Create(network ?? Network.LitecoinRegtest, QuickOptions(RegtestChainFixture.RpcOptions(node)), loggerFactory: Logs));

    /// <summary>A Core backend pointing at a loopback port nothing listens on.</summary>
    public CoreRpcBackend ClosedPortBackend() =>
        Track(CoreRpcBackend.Create(
            Network.LitecoinRegtest,
            QuickOptions(new CoreRpcOptions { Url = new Uri($"http://127.0.0.1:{FreePorts.Next()}/"), Credentials = RpcCredentials.FromUserPassword("user", "unused-password") }),
            loggerFactory: Logs));

    /// <summary>A Core backend with the right node but a wrong password.</summary>
    public CoreRpcBackend WrongPasswordBackend(LitecoindNode node, string password) =>
        Track(CoreRpcBackend.Create(
            Network.LitecoinRegtest,
            QuickOptions(new CoreRpcOptions { Url = node.RpcUrl, Credentials = RpcCredentials.FromUserPassword(node.RpcUser, password) }),
            loggerFactory: Logs));

    public BackendRouter Router(BackendRouterOptions? options, params IBackend[] adapters) =>
        new(Network.LitecoinRegtest, adapters, options ?? LongCoolDown, Logs.CreateLogger<BackendRouter>());

    /// <summary>Cool-down long enough that no probe happens during a test: out of service stays out.</summary>
    public static BackendRouterOptions LongCoolDown { get; } = new()
    {
        CoolDown = TimeSpan.FromHours(1),
        RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        RetryMaxDelay = TimeSpan.FromMilliseconds(50),
    };

    public static CoreRpcOptions QuickOptions(CoreRpcOptions options) => options with
    {
        MaxRetries = 1,
        RetryBaseDelay = TimeSpan.FromMilliseconds(20),
        RetryMaxDelay = TimeSpan.FromMilliseconds(50),
    };

    /// <summary>A signed transaction spending one confirmed wallet coin (locked, so no later one spends it again).</summary>
    public async Task<(byte[] Bytes, string Txid)> SignedSpendAsync()
    {
        var coin = (await Primary.Rpc.CallAsync("listunspent", 1)).EnumerateArray()
            .First(u => RegtestChainFixture.Sats(u.GetProperty("amount")) > RegtestChainFixture.Coin);
        var input = new Dictionary<string, object> { ["txid"] = coin.GetProperty("txid").GetString()!, ["vout"] = coin.GetProperty("vout").GetInt32() };
        await Primary.Rpc.CallAsync("lockunspent", false, new[] { input });
        var amount = RegtestChainFixture.Sats(coin.GetProperty("amount")) - 20_000;
        var raw = await Primary.Rpc.CallStringAsync(
            "createrawtransaction", new[] { input }, new Dictionary<string, decimal> { [await Primary.NewAddressAsync()] = amount / (decimal)RegtestChainFixture.Coin });
        var signed = await Primary.Rpc.CallAsync("signrawtransactionwithwallet", raw);
        Assert.True(signed.GetProperty("complete").GetBoolean(), signed.ToString());
        var hex = signed.GetProperty("hex").GetString()!;
        var txid = (await Primary.Rpc.CallAsync("decoderawtransaction", hex)).GetProperty("txid").GetString()!;
        return (Convert.FromHexString(hex), txid);
    }

    /// <summary>A transaction spending an output that never existed: every node refuses it (missing inputs).</summary>
    public async Task<byte[]> PhantomSpendAsync()
    {
        var raw = await Primary.Rpc.CallStringAsync(
            "createrawtransaction",
            new[] { new Dictionary<string, object> { ["txid"] = new string('a', 64), ["vout"] = 0 } },
            new Dictionary<string, decimal> { [await Primary.NewAddressAsync()] = 0.001m });
        return Convert.FromHexString(raw);
    }

    public async Task DisposeAsync()
    {
        foreach (var backend in _backends)
        {
            backend.Dispose();
        }
        await Task.WhenAll(
            Primary is null ? Task.CompletedTask : Primary.DisposeAsync().AsTask(),
            Secondary is null ? Task.CompletedTask : Secondary.DisposeAsync().AsTask());
    }

    private CoreRpcBackend Track(CoreRpcBackend backend)
    {
        lock (_backends)
        {
            _backends.Add(backend);
        }
        return backend;
    }
}

/// <summary>Status lookups by adapter name.</summary>
public static class RouterStatusExtensions
{
    public static RoutedBackendStatus Of(this BackendRouterStatus status, IBackend backend) =>
        status.Backends.Single(b => b.Name == backend.Name);
}
