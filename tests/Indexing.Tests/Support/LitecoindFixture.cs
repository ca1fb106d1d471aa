using System.Globalization;
using System.Text.Json;

using Coinshard.Backends.Core;
using Coinshard.Chain.Networks;
using Coinshard.TestSupport.Litecoind;
using Coinshard.TestSupport.Logging;

using Xunit;

namespace Coinshard.Indexing.Tests.Support;

/// <summary>The test collection that shares one <see cref="LitecoindFixture"/>: its classes run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class LitecoindTests : ICollectionFixture<LitecoindFixture>
{
    public const string Name = "litecoind";
}

/// <summary>
/// One real litecoind regtest node shared by the follower tests: a chain through MWEB activation with coins
/// on every wallet address type, an OP_RETURN and a same-block spend. Tests add blocks and reorgs as they go;
/// each test indexes into a fresh store and compares with the node as it is at that moment.
/// </summary>
public sealed class LitecoindFixture : IAsyncLifetime
{
    public const long Coin = 100_000_000;

    public LitecoindNode Node { get; private set; } = null!;

    public CapturingLoggerFactory Logs { get; } = new();

    /// <summary>Wallet addresses that received coins (their UTXOs are compared with scantxoutset).</summary>
    public List<string> Addresses { get; } = [];

    public async Task InitializeAsync()
    {
        Node = await LitecoindNode.StartAsync(new LitecoindNodeOptions { Name = "indexing" });
        await Node.EnsureFundsAsync(100 * Coin);
        await MakeActivityAsync();
        await Node.MinePastMwebActivationAsync(extraBlocks: 2);
        await MakeActivityAsync();
    }

    public async Task DisposeAsync()
    {
        if (Node is not null)
        {
            await Node.DisposeAsync();
        }
    }

    public CoreRpcBackend CreateBackend(Network? network = null, int maxRetries = 2) =>
        CoreRpcBackend.Create(network ?? Network.LitecoinRegtest, RpcOptions(Node, maxRetries), loggerFactory: Logs);

    public static CoreRpcOptions RpcOptions(LitecoindNode node, int maxRetries = 2) => new()
    {
        Url = node.RpcUrl,
        Credentials = RpcCredentials.FromUserPassword(node.RpcUser, node.RpcPassword),
        MaxRetries = maxRetries,
        RetryBaseDelay = TimeSpan.FromMilliseconds(100),
        RetryMaxDelay = TimeSpan.FromMilliseconds(500),
    };

    /// <summary>
    /// One block of varied activity: payments to legacy, p2sh-segwit and bech32 addresses, an OP_RETURN
    /// output, and a payment that is spent again before the block is mined (a same-block spend).
    /// </summary>
    public async Task MakeActivityAsync()
    {
        foreach (var kind in new[] { AddressKind.Legacy, AddressKind.P2shSegwit, AddressKind.Bech32 })
        {
            var address = await Node.NewAddressAsync(kind);
            Addresses.Add(address);
            await Node.SendAsync(address, Coin + Addresses.Count);
        }
        var payments = new Dictionary<string, long>();
        for (var i = 0; i < 3; i++)
        {
            var address = await Node.NewAddressAsync(AddressKind.Bech32);
            Addresses.Add(address);
            payments[address] = 20_000_000 + i;
        }
        await Node.SendManyAsync(payments);

        // OP_RETURN: a raw transaction with a data output, funded and signed by the wallet.
        var raw = await Node.Rpc.CallStringAsync("createrawtransaction", Array.Empty<object>(), new Dictionary<string, object> { ["data"] = "636f696e7368617264" });
        var funded = await Node.Rpc.CallAsync("fundrawtransaction", raw);
        var signed = await Node.Rpc.CallAsync("signrawtransactionwithwallet", funded.GetProperty("hex").GetString());
        await Node.Rpc.CallAsync("sendrawtransaction", signed.GetProperty("hex").GetString());

        // Same-block spend: pay an address, then spend that unconfirmed output to another one.
        var first = await Node.NewAddressAsync(AddressKind.Bech32);
        var second = await Node.NewAddressAsync(AddressKind.Legacy);
        Addresses.Add(second);
        var parent = await Node.SendAsync(first, 3 * Coin);
        var vout = (await Node.Rpc.CallAsync("getrawtransaction", parent, true)).GetProperty("vout").EnumerateArray()
            .First(o => o.GetProperty("value").GetDecimal() == 3m).GetProperty("n").GetInt32();
        var child = await Node.Rpc.CallStringAsync(
            "createrawtransaction",
            new[] { new Dictionary<string, object> { ["txid"] = parent, ["vout"] = vout } },
            new Dictionary<string, object> { [second] = 2.999m });
        var childSigned = await Node.Rpc.CallAsync("signrawtransactionwithwallet", child);
        await Node.Rpc.CallAsync("sendrawtransaction", childSigned.GetProperty("hex").GetString());
        await Node.MineAsync(1);
    }

    /// <summary>Satoshis from a JSON amount, parsed independently of the production parser.</summary>
    public static long Sats(JsonElement amount) =>
        (long)(decimal.Parse(amount.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture) * Coin);
}
