using System.Text.Json;

using Xunit;

namespace Coinshard.Cli.Tests;

public class DecodeDescriptorTests
{
    /// <summary>The BIP381–386 valid vectors (vendored in Fixtures/bips/descriptor_vectors.json).</summary>
    public static TheoryData<string, string[]> ValidVectors()
    {
        var data = new TheoryData<string, string[]>();
        using var doc = JsonDocument.Parse(File.ReadAllText(CliRunner.Fixture("bips/descriptor_vectors.json")));
        foreach (var v in doc.RootElement.GetProperty("valid").EnumerateArray())
        {
            data.Add(v.GetProperty("descriptor").GetString()!, [.. v.GetProperty("scripts").EnumerateArray().Select(s => s.GetString()!)]);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ValidVectors))]
    public async Task Expands_bip_vectors_to_their_scripts(string descriptor, string[] scripts)
    {
        var args = new List<string> { "decode", "descriptor", descriptor, "--network", "bitcoin-mainnet" };
        var ranged = descriptor.Contains("/*", StringComparison.Ordinal);
        if (ranged)
        {
            args.AddRange(["--range", $"0-{scripts.Length - 1}"]);
        }
        var result = await CliRunner.RunAsync([.. args]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        var json = result.Json;
        Assert.Equal(ranged, json.GetProperty("is_range").GetBoolean());
        Assert.Equal(scripts, json.GetProperty("scripts").EnumerateArray().Select(s => s.GetProperty("script").GetString()!).ToArray());
        Assert.EndsWith("#" + json.GetProperty("checksum").GetString(), json.GetProperty("descriptor").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ranged_descriptor_defaults_to_ten_indexes_with_addresses()
    {
        var result = await CliRunner.RunAsync("decode", "descriptor",
            "wpkh(tpubD6NzVbkrYhZ4XgiXtGrdW5XDAPFCL9h7we1vwNCpn8tGbBcgfVYjXyhWo4E1xkh56hjod1RhGjxbaTLV3X4FyWuejifB9jusQ46QzG87VKp/0/*)");
        Assert.Equal(0, result.ExitCode);
        var scripts = result.Json.GetProperty("scripts");
        Assert.Equal(10, scripts.GetArrayLength());
        Assert.Equal("bitcoin-testnet3", result.Json.GetProperty("network").GetString()); // tpub: first test network
        Assert.All(scripts.EnumerateArray(), s => Assert.StartsWith("tb1q", s.GetProperty("address").GetString(), StringComparison.Ordinal));
        Assert.Equal(9, scripts[9].GetProperty("index").GetInt32());
    }

    [Theory]
    [InlineData("does not match", "raw(deadbeef)#89f8spxn")]
    [InlineData("ranged descriptors", "raw(deadbeef)", "--range", "1-2")]
    [InlineData("--range must be", "wpkh(tpubD6NzVbkrYhZ4XgiXtGrdW5XDAPFCL9h7we1vwNCpn8tGbBcgfVYjXyhWo4E1xkh56hjod1RhGjxbaTLV3X4FyWuejifB9jusQ46QzG87VKp/0/*)", "--range", "x-2")]
    [InlineData("at most", "wpkh(tpubD6NzVbkrYhZ4XgiXtGrdW5XDAPFCL9h7we1vwNCpn8tGbBcgfVYjXyhWo4E1xkh56hjod1RhGjxbaTLV3X4FyWuejifB9jusQ46QzG87VKp/0/*)", "--range", "0-2000000")]
    [InlineData("pk() takes a key expression, not a script expression", "pk(pk(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd))")]
    public async Task Bad_descriptors_fail_with_one_line(string expected, params string[] rest)
    {
        var result = await CliRunner.RunAsync(["decode", "descriptor", .. rest]);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Stdout);
        var line = Assert.Single(result.Stderr.TrimEnd().Split('\n'));
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }
}
