using System.Text.Json;

using Coinshard.Cli;
using Coinshard.Node.Admin;
using Coinshard.Node.Tests.Support;
using Coinshard.TestSupport.Litecoind;

using Xunit;

namespace Coinshard.Node.Tests.Admin;

/// <summary>The CLI verbs that call the admin API, run in-process against a running node.</summary>
public sealed class CliVerbTests(ChainFixture chain) : IClassFixture<ChainFixture>, IAsyncLifetime
{
    private RunningNode _node = null!;

    public async Task InitializeAsync()
    {
        _node = await RunningNode.StartAsync(chain.Litecoind);
        await _node.WaitForTipAsync(chain.Litecoind);
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args) =>
        await RunWithEnvironmentAsync(_ => null, args);

    private static async Task<(int Code, string Out, string Err)> RunWithEnvironmentAsync(Func<string, string?> environment, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, () => Stream.Null, output, error, environment);
        return (code, output.ToString(), error.ToString());
    }

    private string[] Admin => ["--admin", _node.Node.Admin!.Url.ToString(), "--token", _node.Token];

    [Fact]
    public async Task Status_prints_a_table_and_json_with_the_nodes_tip()
    {
        var height = await chain.Litecoind.GetBlockCountAsync();
        var (code, output, error) = await RunAsync(["status", .. Admin]);
        Assert.Equal(0, code);
        Assert.Equal("", error);
        var row = output.Split('\n').Single(l => l.StartsWith("litecoin ", StringComparison.Ordinal));
        Assert.Matches($@"^litecoin\s+litecoin-regtest\s+utxo\s+following\s+{height}\s+{height}\s+0\s+yes\s+serving tcp://", row);

        (code, output, _) = await RunAsync(["status", "--json", "--coin", "ltc", .. Admin]);
        Assert.Equal(0, code);
        var document = JsonSerializer.Deserialize<NodeStatusDocument>(output, AdminJson.Options)!;
        Assert.Equal(height, document.Currencies[0].IndexTip!.Height);
    }

    [Fact]
    public async Task Utxos_and_balance_print_the_nodes_coins()
    {
        var address = chain.Addresses[1];
        var expected = (await NodeUtxos.ScanAsync(chain.Litecoind, [address]))[address];
        var (code, output, _) = await RunAsync(["utxos", address, "--coin", "litecoin", .. Admin]);
        Assert.Equal(0, code);
        foreach (var utxo in expected)
        {
            Assert.Contains($"{utxo.TxId}:{utxo.Vout}  ", output, StringComparison.Ordinal);
        }
        Assert.Contains($"{expected.Count} output(s), total", output, StringComparison.Ordinal);
        Assert.Contains($"({expected.Sum(u => u.Value):N0} sat)", output, StringComparison.Ordinal);

        (code, output, _) = await RunAsync(["balance", address, "-c", "ltc", "--json", .. Admin]);
        Assert.Equal(0, code);
        Assert.Equal(expected.Sum(u => u.Value), JsonSerializer.Deserialize<BalanceDocument>(output, AdminJson.Options)!.Confirmed);
    }

    [Fact]
    public async Task The_token_is_found_in_the_environment_or_the_data_directory()
    {
        var url = _node.Node.Admin!.Url.ToString();
        var (code, _, _) = await RunWithEnvironmentAsync(n => n switch { "COINSHARD_ADMIN_TOKEN" => _node.Token, "COINSHARD_ADMIN_URL" => url, _ => null }, "status");
        Assert.Equal(0, code);

        await File.WriteAllTextAsync(_node.Directory.Combine("admin.token"), _node.Token + "\n");
        (code, _, _) = await RunAsync("status", "--admin", url, "--data-dir", _node.Directory.Path);
        Assert.Equal(0, code);
    }

    [Fact]
    public async Task Mistakes_exit_with_code_2_and_an_unreachable_node_with_code_1()
    {
        var (code, _, error) = await RunAsync(["balance", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "--coin", "ltc", .. Admin]);
        Assert.Equal(2, code);
        Assert.StartsWith("error: '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2' is neither a litecoin-regtest address", error, StringComparison.Ordinal);

        (code, _, error) = await RunAsync(["utxos", chain.Addresses[0], "--coin", "doge", .. Admin]);
        Assert.Equal(2, code);
        Assert.Contains("--coin 'doge' is not a currency", error, StringComparison.Ordinal);

        (code, _, error) = await RunAsync("status", "--admin", _node.Node.Admin!.Url.ToString(), "--token", "wrong-token-0123456789");
        Assert.Equal(2, code);
        Assert.Contains("missing or wrong admin token", error, StringComparison.Ordinal);

        using var empty = new TestSupport.TempDirectory("no-token");
        (code, _, error) = await RunAsync("status", "--admin", _node.Node.Admin.Url.ToString(), "--data-dir", empty.Path);
        Assert.Equal(2, code);
        Assert.Contains("no admin token", error, StringComparison.Ordinal);

        (code, _, error) = await RunAsync("status", "--admin", $"http://127.0.0.1:{TestSupport.FreePorts.Next()}/", "--token", "x");
        Assert.Equal(1, code);
        Assert.Contains("cannot reach the admin API", error, StringComparison.Ordinal);

        (code, _, error) = await RunAsync(["follower", "reset", "--coin", "ltc", .. Admin]);
        Assert.Equal(2, code);
        Assert.Contains("add --yes to confirm", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Follower_rewind_goes_back_and_the_index_returns_to_the_tip()
    {
        var tip = _node.Litecoin.Index.Status.IndexTip!;
        var (code, output, _) = await RunAsync(["follower", "rewind", "--coin", "litecoin", "--height", (tip.Height - 2).ToString(System.Globalization.CultureInfo.InvariantCulture), .. Admin]);
        Assert.Equal(0, code);
        Assert.Contains($"litecoin: rewound from {tip.Height} to {tip.Height - 2} (2 block(s) disconnected)", output, StringComparison.Ordinal);
        await _node.WaitForTipAsync(chain.Litecoind);
    }
}
