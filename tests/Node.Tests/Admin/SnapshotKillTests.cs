using System.Net.Sockets;
using System.Text.Json;

using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Snapshots;
using Coinshard.Node.Tests.Support;
using Coinshard.TestSupport;
using Coinshard.TestSupport.Snapshots;

using Xunit;

namespace Coinshard.Node.Tests.Admin;

/// <summary>
/// kill -9 of the real <c>coinshard run</c> in the middle of a snapshot load: the index is never served half
/// loaded (admin status loading/faulted, reads refused, Electrum not listening); a restart without the file
/// faults with the way out, a restart with it starts over and completes.
/// </summary>
public sealed class SnapshotKillTests(ChainFixture chain) : IClassFixture<ChainFixture>
{
    private const ulong Coins = 1_500_000;

    [Fact]
    public async Task A_load_killed_midway_is_never_served_and_a_restart_starts_over()
    {
        var litecoind = chain.Litecoind;
        using var directory = new TempDirectory("snapshot-kill");
        var tip = await litecoind.GetBlockCountAsync();
        var file = directory.Combine("synthetic.dat");
        // A file big enough to be caught midway, based on the node's real tip so that its headers check out.
        SyntheticSnapshot.WriteFile(file, new SyntheticSnapshotOptions
        {
            Network = Network.LitecoinRegtest,
            Format = UtxoSnapshotFormat.Legacy,
            LegacyChainTx = true,
            CoinCount = Coins,
            BaseHeight = tip,
            BaseBlockHash = Hash256.Parse(await litecoind.GetBestBlockHashAsync()),
        });
        var settings = RunningNode.Configuration(litecoind, directory.Combine("data"), "kill-test-token-0123456789");
        var electrumPort = int.Parse(settings["Coinshard:Currencies:litecoin:Electrum:Tcp:Port"]!, System.Globalization.CultureInfo.InvariantCulture);
        settings["Coinshard:Currencies:litecoin:Snapshot:File"] = file;
        var address = chain.Addresses[0];

        await using (var first = CoinshardProcess.Start(settings))
        {
            await WaitAsync(first, async () =>
                await first.TryGetAsync("v1/litecoin/snapshot") is { Status: 200 } s && s.Body.GetProperty("state").GetString() == "coins"
                    && s.Body.GetProperty("coins").GetInt64() is > 0 and < (long)Coins,
                "the load is writing coins", TimeSpan.FromSeconds(60));
            await AssertNotServedAsync(first, address, electrumPort, "loading_snapshot");
            await first.KillAsync();
        }

        // Restarted without the file: faulted with the way out; still nothing served.
        var withoutFile = new Dictionary<string, string?>(settings) { ["Coinshard:Currencies:litecoin:Snapshot:File"] = null };
        await using (var second = CoinshardProcess.Start(withoutFile))
        {
            await WaitAsync(second, async () =>
                await second.TryGetAsync("v1/litecoin/status") is { Status: 200 } s && s.Body.GetProperty("state").GetString() == "faulted",
                "the restarted node faults on the interrupted load", TimeSpan.FromSeconds(60));
            var status = (await second.TryGetAsync("v1/litecoin/status"))!.Value.Body;
            Assert.Contains("interrupted snapshot load", status.GetProperty("last_error").GetString(), StringComparison.Ordinal);
            Assert.Contains("coinshard snapshot load FILE --coin litecoin", status.GetProperty("last_error").GetString(), StringComparison.Ordinal);
            var snapshot = (await second.TryGetAsync("v1/litecoin/snapshot"))!.Value.Body;
            Assert.Equal("interrupted", snapshot.GetProperty("state").GetString());
            await AssertNotServedAsync(second, address, electrumPort, "faulted");
            await second.KillAsync();
        }

        // Restarted with the file: the interrupted load is discarded and the file loaded again, completely.
        await using var third = CoinshardProcess.Start(settings);
        await WaitAsync(third, async () =>
            await third.TryGetAsync("v1/litecoin/status") is { Status: 200 } s && s.Body.GetProperty("state").GetString() == "following",
            "the node loads the file again and follows", TimeSpan.FromSeconds(120));
        var stats = (await third.TryGetAsync("v1/litecoin/stats"))!.Value.Body;
        Assert.Equal((long)Coins, stats.GetProperty("coins").GetInt64());
        Assert.Equal(tip, stats.GetProperty("tip").GetProperty("height").GetInt32());
        Assert.Contains("discarding it and loading", third.Output, StringComparison.Ordinal);
    }

    private static async Task WaitAsync(CoinshardProcess node, Func<Task<bool>> condition, string because, TimeSpan timeout)
    {
        try
        {
            await Eventually.TrueAsync(condition, because, timeout);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; the node printed:\n{node.Output}", e);
        }
    }

    /// <summary>Admin status in the given state, coin reads refused (503), the Electrum port closed.</summary>
    private static async Task AssertNotServedAsync(CoinshardProcess node, string address, int electrumPort, string state)
    {
        var status = await node.TryGetAsync("v1/litecoin/status");
        Assert.Equal(state, status!.Value.Body.GetProperty("state").GetString());
        Assert.NotEqual("serving", status.Value.Body.GetProperty("electrum").GetProperty("state").GetString());
        var utxos = await node.TryGetAsync($"v1/litecoin/utxos/{address}");
        Assert.True(utxos is { Status: 503 }, $"reads are refused while not loaded: {utxos?.Status} {utxos?.Body}");
        Assert.Contains("not served", utxos!.Value.Body.GetProperty("error").GetString(), StringComparison.Ordinal);
        using var client = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => client.ConnectAsync("127.0.0.1", electrumPort));
    }
}
