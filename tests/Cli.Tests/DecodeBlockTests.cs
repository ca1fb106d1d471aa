using System.Globalization;
using System.Text.Json;

using Xunit;

namespace Coinshard.Cli.Tests;

public class DecodeBlockTests
{
    public static TheoryData<string> LitecoinRegtestBlocks() =>
        [.. Directory.GetFiles(CliRunner.Fixture("litecoin-regtest"), "block-*.hex").Select(p => Path.GetFileNameWithoutExtension(p)!).Order(StringComparer.Ordinal)];

    /// <summary>Our decode of each real litecoind block equals the node's own getblock verbosity-2 JSON.</summary>
    [Theory]
    [MemberData(nameof(LitecoinRegtestBlocks))]
    public async Task Agrees_with_litecoind_getblock(string name)
    {
        var result = await CliRunner.RunAsync("decode", "block", CliRunner.Fixture($"litecoin-regtest/{name}.hex"), "--network", "litecoin-regtest");
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var nodeDoc = JsonDocument.Parse(File.ReadAllText(CliRunner.Fixture($"litecoin-regtest/{name}.json")));
        var node = nodeDoc.RootElement;
        var ours = result.Json;
        Assert.Equal(node.GetProperty("hash").GetString(), ours.GetProperty("hash").GetString());
        Assert.Equal(node.GetProperty("previousblockhash").GetString(), ours.GetProperty("prev").GetString());
        Assert.Equal(node.GetProperty("merkleroot").GetString(), ours.GetProperty("merkle_root").GetString());
        var nodeTxs = node.GetProperty("tx").EnumerateArray().ToList();
        var ourTxs = ours.GetProperty("tx").EnumerateArray().ToList();
        Assert.Equal(nodeTxs.Count, ourTxs.Count);
        for (var i = 0; i < nodeTxs.Count; i++)
        {
            Assert.Equal(nodeTxs[i].GetProperty("txid").GetString(), ourTxs[i].GetProperty("txid").GetString());
            var nodeVin = nodeTxs[i].GetProperty("vin").EnumerateArray().ToList();
            var ourVin = ourTxs[i].GetProperty("vin").EnumerateArray().ToList();
            Assert.Equal(nodeVin.Count, ourVin.Count);
            for (var j = 0; j < nodeVin.Count; j++)
            {
                if (nodeVin[j].TryGetProperty("coinbase", out _))
                {
                    Assert.True(ourVin[j].GetProperty("coinbase").GetBoolean());
                    continue;
                }
                Assert.Equal(nodeVin[j].GetProperty("txid").GetString(), ourVin[j].GetProperty("txid").GetString());
                Assert.Equal(nodeVin[j].GetProperty("vout").GetInt32(), ourVin[j].GetProperty("vout").GetInt32());
            }
            var nodeVout = nodeTxs[i].GetProperty("vout").EnumerateArray().ToList();
            var ourVout = ourTxs[i].GetProperty("vout").EnumerateArray().ToList();
            Assert.Equal(nodeVout.Count, ourVout.Count);
            for (var j = 0; j < nodeVout.Count; j++)
            {
                // The node prints LTC with 8 decimals; parse the text exactly, never through a double.
                var coins = decimal.Parse(nodeVout[j].GetProperty("value").GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture);
                Assert.Equal((long)(coins * 100_000_000m), ourVout[j].GetProperty("value").GetInt64());
                Assert.Equal(nodeVout[j].GetProperty("scriptPubKey").GetProperty("hex").GetString(), ourVout[j].GetProperty("script").GetString());
                Assert.Equal(j, ourVout[j].GetProperty("n").GetInt32());
            }
        }
        Assert.Equal(node.TryGetProperty("mweb", out _), ours.TryGetProperty("mweb", out _));
    }

    [Fact]
    public async Task Raw_bitcoin_block_from_a_file_and_hex_from_stdin_without_network()
    {
        var path = CliRunner.Fixture("bitcoin-core/block413567.raw");
        var raw = await CliRunner.RunAsync("decode", "block", path);
        Assert.Equal(0, raw.ExitCode);
        Assert.Equal("0000000000000000025aff8be8a55df8f89c77296db6198f272d6577325d4069", raw.Json.GetProperty("hash").GetString());
        Assert.Equal(1557, raw.Json.GetProperty("tx").GetArrayLength());
        Assert.Equal(1557, raw.Json.GetProperty("tx_count").GetInt32());

        var hex = System.Text.Encoding.ASCII.GetBytes(Convert.ToHexStringLower(File.ReadAllBytes(path)) + "\n");
        var piped = await CliRunner.RunWithInputAsync(hex, "decode", "block", "-");
        Assert.Equal(0, piped.ExitCode);
        Assert.Equal(raw.Stdout, piped.Stdout);
    }

    [Fact]
    public async Task Mweb_block_is_summarized_without_a_network()
    {
        var result = await CliRunner.RunAsync("decode", "block", CliRunner.Fixture("litecoin-regtest/block-434.hex"));
        Assert.Equal(0, result.ExitCode);
        var mweb = result.Json.GetProperty("mweb");
        Assert.Equal(434, mweb.GetProperty("height").GetInt32());
        var hogex = result.Json.GetProperty("tx").EnumerateArray().Last();
        Assert.True(hogex.GetProperty("hogex").GetBoolean());
        // Each peg-out is paid by a HogEx output after output 0.
        var pegOuts = mweb.GetProperty("pegouts").EnumerateArray().ToList();
        Assert.NotEmpty(pegOuts);
        var hogexOutputs = hogex.GetProperty("vout").EnumerateArray().Skip(1).ToList();
        Assert.Equal(pegOuts.Select(p => (p.GetProperty("value").GetInt64(), p.GetProperty("script").GetString())),
            hogexOutputs.Select(o => (o.GetProperty("value").GetInt64(), o.GetProperty("script").GetString())));
    }

    [Fact]
    public async Task Truncated_block_names_the_offset()
    {
        var truncated = File.ReadAllBytes(CliRunner.Fixture("bitcoin-core/block413567.raw"))[..5000];
        var result = await CliRunner.RunWithInputAsync(truncated, "decode", "block", "-", "--network", "btc");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Stdout);
        var line = Assert.Single(result.Stderr.TrimEnd().Split('\n'));
        Assert.Contains("byte offset", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("file not found")]
    public async Task Missing_file_is_a_usage_error(string expected)
    {
        var result = await CliRunner.RunAsync("decode", "block", "/nonexistent/block.bin");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_and_garbage_input_fail_cleanly()
    {
        var empty = await CliRunner.RunWithInputAsync([], "decode", "block", "-");
        Assert.Equal(2, empty.ExitCode);
        var garbage = await CliRunner.RunWithInputAsync(System.Text.Encoding.ASCII.GetBytes("zz not a block"), "decode", "block", "-");
        Assert.Equal(2, garbage.ExitCode);
        Assert.StartsWith("error: ", garbage.Stderr, StringComparison.Ordinal);
    }
}
