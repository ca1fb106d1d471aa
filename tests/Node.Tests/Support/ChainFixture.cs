using Coinshard.TestSupport.Litecoind;

using Xunit;

namespace Coinshard.Node.Tests.Support;

/// <summary>One litecoind regtest node with coins on every wallet address type, shared by a test class.</summary>
public sealed class ChainFixture : IAsyncLifetime
{
    public LitecoindNode Litecoind { get; private set; } = null!;

    /// <summary>Addresses that received coins: legacy, p2sh-segwit and bech32, some paid twice, one spent again.</summary>
    public List<string> Addresses { get; } = [];

    public async Task InitializeAsync()
    {
        Litecoind = await LitecoindNode.StartAsync(new LitecoindNodeOptions { Name = "node-tests" });
        await Litecoind.EnsureFundsAsync(50 * LitecoindNode.SatoshisPerCoin);
        foreach (var kind in new[] { AddressKind.Legacy, AddressKind.P2shSegwit, AddressKind.Bech32 })
        {
            var address = await Litecoind.NewAddressAsync(kind);
            Addresses.Add(address);
            await Litecoind.SendAsync(address, 100_000_000 + Addresses.Count);
            await Litecoind.SendAsync(address, 7_000 + Addresses.Count);
        }
        await Litecoind.MineAsync(1);
        await Litecoind.SendManyAsync(Addresses.ToDictionary(a => a, a => 5_000_000L));
        await Litecoind.MineAsync(1);
    }

    public async Task DisposeAsync()
    {
        if (Litecoind is not null)
        {
            await Litecoind.DisposeAsync();
        }
    }
}
