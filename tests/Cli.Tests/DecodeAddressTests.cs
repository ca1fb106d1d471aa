using Xunit;

namespace Coinshard.Cli.Tests;

public class DecodeAddressTests
{
    [Fact]
    public async Task Genesis_address_matches_electrum_protocol_example()
    {
        // The Electrum protocol documentation's script hash example.
        var result = await CliRunner.RunAsync("decode", "address", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa");
        Assert.Equal(0, result.ExitCode);
        var json = result.Json;
        Assert.Equal("bitcoin-mainnet", json.GetProperty("network").GetString());
        Assert.Equal("p2pkh", json.GetProperty("type").GetString());
        Assert.Equal("76a91462e907b15cbf27d5425399ebf6f0fb50ebb88f1888ac", json.GetProperty("script").GetString());
        Assert.Equal("8b01df4e368ea28f8dc0423bcf7a4923e3a12d307c875e47a0cfbf90b5c39161", json.GetProperty("scripthash").GetString());
    }

    [Theory]
    // Vectors from BIP350 and Litecoin Core's key_io_valid.json.
    [InlineData("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", null, "bitcoin-mainnet", "p2wpkh", "0014751e76e8199196d454941c45d1b3a323f1433bd6")]
    [InlineData("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", null, "bitcoin-mainnet", "p2wpkh", "0014751e76e8199196d454941c45d1b3a323f1433bd6")]
    [InlineData("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", null, "bitcoin-mainnet", "p2tr", "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")]
    [InlineData("tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy", "bitcoin-signet", "bitcoin-signet", "p2wsh", "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433")]
    public async Task Decodes_every_address_form(string address, string? network, string expectedNetwork, string type, string script)
    {
        var args = network is null ? new[] { "decode", "address", address } : ["decode", "address", address, "--network", network];
        var result = await CliRunner.RunAsync(args);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(expectedNetwork, result.Json.GetProperty("network").GetString());
        Assert.Equal(type, result.Json.GetProperty("type").GetString());
        Assert.Equal(script, result.Json.GetProperty("script").GetString());
    }

    [Theory]
    [InlineData("is for bitcoin-mainnet, not litecoin-mainnet", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "--network", "ltc")]
    [InlineData("checksum", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5")]
    [InlineData("mixes upper and lower", "bc1qW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")]
    [InlineData("unknown network", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "--network", "dogecoin")]
    [InlineData("empty", "")]
    public async Task Bad_input_is_one_line_on_stderr_with_exit_code_2(string expectedWords, params string[] rest)
    {
        var result = await CliRunner.RunAsync(["decode", "address", .. rest]);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Stdout);
        var line = Assert.Single(result.Stderr.TrimEnd().Split('\n'));
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains(expectedWords, line, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Missing_argument_is_a_usage_error()
    {
        var result = await CliRunner.RunAsync("decode", "address");
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Real_process_exit_codes_and_streams()
    {
        var ok = await CliRunner.RunProcessAsync("decode", "address", "ltc1qhdhvrwe6rgqns8fz28tee0hphr5x7ulw5exv4w");
        Assert.Equal(0, ok.ExitCode);
        Assert.Contains("\"litecoin-mainnet\"", ok.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"0014bb6ec1bb3a1a01381d2251d79cbee1b8e86f73ee\"", ok.Stdout, StringComparison.Ordinal);
        var bad = await CliRunner.RunProcessAsync("decode", "address", "notanaddress");
        Assert.Equal(2, bad.ExitCode);
        Assert.StartsWith("error: ", bad.Stderr, StringComparison.Ordinal);
        Assert.Equal("", bad.Stdout);
    }
}
