using System.Text.Json;

using Coinshard.Node.Admin;
using Coinshard.Node.Tests.Support;

using Xunit;

namespace Coinshard.Node.Tests.Admin;

/// <summary>Rewind and reset through the admin API (each test indexes into its own database).</summary>
public sealed class OperatorTests(ChainFixture chain) : IClassFixture<ChainFixture>
{
    [Fact]
    public async Task Rewind_disconnects_to_the_height_then_the_follower_reconnects_the_nodes_blocks()
    {
        await using var node = await RunningNode.StartAsync(chain.Litecoind);
        await node.WaitForTipAsync(chain.Litecoind);
        var tip = node.Litecoin.Index.Status.IndexTip!;

        var (code, body) = await node.PostAsync($"v1/litecoin/follower/rewind?height={tip.Height - 3}");
        Assert.Equal(200, code);
        var result = body.Deserialize<RewindDocument>(AdminJson.Options)!;
        Assert.Equal(tip.Height, result.From.Height);
        Assert.Equal(tip.Height - 3, result.To.Height);
        Assert.Equal(3, result.BlocksDisconnected);
        await node.WaitForTipAsync(chain.Litecoind);
        Assert.Equal(tip, node.Litecoin.Index.Status.IndexTip);
    }

    [Fact]
    public async Task Rewind_below_the_undo_window_is_a_conflict_naming_the_reachable_height()
    {
        await using var node = await RunningNode.StartAsync(chain.Litecoind, c => c["Coinshard:Currencies:litecoin:UndoDepth"] = "5");
        await node.WaitForTipAsync(chain.Litecoind);
        var (code, body) = await node.PostAsync("v1/litecoin/follower/rewind?height=1");
        Assert.Equal(409, code);
        var error = body.GetProperty("error").GetString()!;
        Assert.Contains("undo", error, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("coinshard follower reset --coin litecoin", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reset_empties_the_index_and_rebuilds_it_to_the_tip()
    {
        await using var node = await RunningNode.StartAsync(chain.Litecoind);
        await node.WaitForTipAsync(chain.Litecoind);
        var blocksBefore = node.Litecoin.Index.WriteCounters.Blocks;
        var (code, _) = await node.PostAsync("v1/litecoin/follower/reset");
        Assert.Equal(200, code);
        await node.WaitForTipAsync(chain.Litecoind);
        var height = await chain.Litecoind.GetBlockCountAsync();
        Assert.True(node.Litecoin.Index.WriteCounters.Blocks >= blocksBefore + height, "every block was connected again");
        var expected = await TestSupport.Litecoind.NodeUtxos.ScanAsync(chain.Litecoind, chain.Addresses);
        foreach (var address in chain.Addresses)
        {
            var utxos = await node.GetDocumentAsync<UtxosDocument>($"v1/litecoin/utxos/{address}");
            Assert.Equal(expected[address].Sum(u => u.Value), utxos.Total);
        }
    }

    [Fact]
    public async Task A_generated_token_is_written_to_the_data_directory_readable_by_its_owner_only()
    {
        await using var node = await RunningNode.StartAsync(chain.Litecoind, c => c["Coinshard:Admin:Token"] = null);
        var file = node.Directory.Combine("admin.token");
        var token = (await File.ReadAllTextAsync(file)).Trim();
        Assert.Equal(64, token.Length);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        using var client = new HttpClient { BaseAddress = node.Node.Admin!.Url };
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        Assert.Equal(200, (await node.GetAsync("v1/status", client)).Status);
    }
}
