using System.Globalization;
using System.Text.Json;

using Coinshard.Backends.Core;
using Coinshard.Chain.Networks;
using Coinshard.TestSupport.Litecoind;
using Coinshard.TestSupport.Logging;

using Xunit;

namespace Coinshard.Backends.Tests.Core;

/// <summary>
/// Two real regtest nodes shared by a test class: <see cref="Rest"/> (REST, txindex, wallet) mines a
/// chain through MWEB activation with coins on every address type; <see cref="Plain"/> (no REST, no
/// txindex, no wallet) follows it over P2P. One Core backend per node.
/// </summary>
public sealed class RegtestChainFixture : IAsyncLifetime
{
    public const long Coin = 100_000_000;

    public LitecoindNode Rest { get; private set; } = null!;

    public LitecoindNode Plain { get; private set; } = null!;

    public CoreRpcBackend RestBackend { get; private set; } = null!;

    public CoreRpcBackend PlainBackend { get; private set; } = null!;

    public CapturingLoggerFactory Logs { get; } = new();

    /// <summary>Funded wallet addresses: legacy, p2sh-segwit, bech32 (each with confirmed coins).</summary>
    public IReadOnlyDictionary<AddressKind, string> FundedAddresses { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var start = await Task.WhenAll(
            LitecoindNode.StartAsync(new LitecoindNodeOptions { Name = "rest", Rest = true }),
            LitecoindNode.StartAsync(new LitecoindNodeOptions { Name = "plain", Rest = false, TxIndex = false, Wallet = false }));
        (Rest, Plain) = (start[0], start[1]);
        await Plain.ConnectToAsync(Rest);

        await Rest.EnsureFundsAsync(100 * Coin);
        await Rest.MinePastMwebActivationAsync(extraBlocks: 3);

        // Fund one address of each type last, with explicit inputs: the wallet's own coin selection could
        // otherwise spend these coins again (they are its coins too), and tests compare them with scans.
        var funded = new Dictionary<AddressKind, string>();
        foreach (var kind in new[] { AddressKind.Legacy, AddressKind.P2shSegwit, AddressKind.Bech32 })
        {
            funded[kind] = await Rest.NewAddressAsync(kind);
        }
        FundedAddresses = funded;
        await PayFromOneCoinAsync(new Dictionary<string, long>
        {
            [funded[AddressKind.Legacy]] = 3 * Coin,
            [funded[AddressKind.P2shSegwit]] = 123_456_789,
            [funded[AddressKind.Bech32]] = 7 * Coin + 1,
        });
        await PayFromOneCoinAsync(new Dictionary<string, long>
        {
            [funded[AddressKind.Bech32]] = 250_000_000,
            [funded[AddressKind.Legacy]] = 50_000_001,
        });
        await Rest.MineAsync(1);
        await LitecoindNode.SyncAsync(Rest, Plain);

        RestBackend = CreateBackend(Rest, Network.LitecoinRegtest);
        PlainBackend = CreateBackend(Plain, Network.LitecoinRegtest);
    }

    public CoreRpcBackend CreateBackend(LitecoindNode node, Network network) =>
        CoreRpcBackend.Create(network, RpcOptions(node), loggerFactory: Logs);

    public static CoreRpcOptions RpcOptions(LitecoindNode node) => new()
    {
        Url = node.RpcUrl,
        Credentials = node.CookieAuth ? RpcCredentials.FromCookieFile(node.CookiePath) : RpcCredentials.FromUserPassword(node.RpcUser, node.RpcPassword),
    };

    public async Task DisposeAsync()
    {
        RestBackend?.Dispose();
        PlainBackend?.Dispose();
        await Task.WhenAll(
            Rest is null ? Task.CompletedTask : Rest.DisposeAsync().AsTask(),
            Plain is null ? Task.CompletedTask : Plain.DisposeAsync().AsTask());
    }

    /// <summary>
    /// A confirmed wallet coin worth more than 1 LTC that tests may spend: never one of <see cref="FundedAddresses"/>,
    /// whose coins other tests compare against scans. Returns the <c>listunspent</c> entry.
    /// </summary>
    public async Task<JsonElement> SpendableCoinAsync()
    {
        var funded = FundedAddresses?.Values.ToHashSet() ?? [];
        return (await Rest.Rpc.CallAsync("listunspent", 1)).EnumerateArray()
            // Wallet coins without an address (bare scripts) have no "address" field; the order of listunspent varies.
            .First(u => u.TryGetProperty("address", out var address) && !funded.Contains(address.GetString()!) && Sats(u.GetProperty("amount")) > Coin);
    }

    /// <summary>Pays <paramref name="outputs"/> from one explicitly chosen wallet coin (change to a new address, fixed fee).</summary>
    private async Task PayFromOneCoinAsync(IReadOnlyDictionary<string, long> outputs)
    {
        const long Fee = 100_000;
        var coin = await SpendableCoinAsync();
        var change = Sats(coin.GetProperty("amount")) - outputs.Values.Sum() - Fee;
        var payments = outputs.ToDictionary(o => o.Key, o => o.Value / (decimal)Coin);
        payments[await Rest.NewAddressAsync()] = change / (decimal)Coin;
        var raw = await Rest.Rpc.CallStringAsync(
            "createrawtransaction",
            new[] { new Dictionary<string, object> { ["txid"] = coin.GetProperty("txid").GetString()!, ["vout"] = coin.GetProperty("vout").GetInt32() } },
            payments);
        var signed = await Rest.Rpc.CallAsync("signrawtransactionwithwallet", raw);
        await Rest.Rpc.CallAsync("sendrawtransaction", signed.GetProperty("hex").GetString());
    }

    /// <summary>Satoshis from a JSON amount, parsed independently of the production parser.</summary>
    public static long Sats(JsonElement amount) =>
        (long)(decimal.Parse(amount.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture) * Coin);
}
