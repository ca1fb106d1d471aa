using System.Text.Json;

using Coinshard.Chain.Descriptors;
using Coinshard.Chain.Encoding;
using Coinshard.Chain.Keys;
using Coinshard.Chain.Networks;

using Xunit;

namespace Coinshard.Chain.Tests.Descriptors;

/// <summary>Descriptor behaviour beyond the BIP vector lists: BIP86 wallets, networks, ranges, limits, seams.</summary>
public class OutputDescriptorTests
{
    private const string K33 = "03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd";
    private const string XOnly = "a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd";
    private const string Xpub = "xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL";
    private static readonly Network Main = Network.BitcoinMainnet;

    private static JsonElement Bip86()
    {
        using var doc = Fixture.Json("bips/descriptor_vectors.json");
        return doc.RootElement.GetProperty("bip86").Clone();
    }

    [Fact]
    public void Bip86_keys_internal_keys_output_keys_and_scripts()
    {
        var v = Bip86();
        var root = ExtKey.Parse(v.GetProperty("rootpriv").GetString()!, Main);
        Assert.Equal(v.GetProperty("rootpub").GetString(), root.Neuter().ToBase58());
        var account = v.GetProperty("account");
        Assert.Equal(account.GetProperty("xprv").GetString(), root.Derive(KeyPath.Parse(account.GetProperty("path").GetString()!)).ToBase58());
        Assert.Equal(account.GetProperty("xpub").GetString(), root.Derive(KeyPath.Parse(account.GetProperty("path").GetString()!)).Neuter().ToBase58());
        Assert.Equal(3, v.GetProperty("addresses").GetArrayLength());
        foreach (var a in v.GetProperty("addresses").EnumerateArray())
        {
            var key = root.Derive(KeyPath.Parse(a.GetProperty("path").GetString()!));
            Assert.Equal(a.GetProperty("xprv").GetString(), key.ToBase58());
            Assert.Equal(a.GetProperty("xpub").GetString(), key.Neuter().ToBase58());
            var internalKey = key.PublicKey[1..].ToArray();
            Assert.Equal(a.GetProperty("internal_key").GetString(), Hex.Encode(internalKey));
            Assert.Equal(a.GetProperty("output_key").GetString(), Hex.Encode(Taproot.TweakPublicKey(internalKey)));
        }
    }

    [Theory]
    [InlineData("tr([73c5da0a/86'/0'/0']{0}/0/*)", 0, "m/86'/0'/0'/0/0")]
    [InlineData("tr([73c5da0a/86h/0h/0h]{0}/0/*)#", 1, "m/86'/0'/0'/0/1")]
    [InlineData("tr({0}/1/*)", 0, "m/86'/0'/0'/1/0")]
    [InlineData("tr({1}/86'/0'/0'/1/0)", 5, "m/86'/0'/0'/1/0")]
    public void Bip86_tr_descriptors_give_the_wallets_scripts(string template, uint index, string path)
    {
        var v = Bip86();
        var accountXpub = v.GetProperty("account").GetProperty("xpub").GetString()!;
        var rootPrv = v.GetProperty("rootpriv").GetString()!;
        var text = string.Format(System.Globalization.CultureInfo.InvariantCulture, template.TrimEnd('#'), accountXpub, rootPrv);
        var expected = v.GetProperty("addresses").EnumerateArray().Single(a => a.GetProperty("path").GetString() == path).GetProperty("scriptPubKey").GetString();
        var descriptor = OutputDescriptor.Parse(text, Main);
        Assert.Equal(expected, Hex.Encode(descriptor.GetScript(index)));
        Assert.Equal("tr", descriptor.Function);
    }

    [Fact]
    public void Litecoin_accepts_its_own_extended_key_versions_and_refuses_testnet_ones()
    {
        // Re-version BIP32 vector 1's m/0' xpub as Ltub (0x019DA462); scripts are those of the xpub.
        var payload = Base58.DecodeCheck("xpub68Gmy5EdvgibQVfPdqkBBCHxA5htiqg55crXYuXoQRKfDBFA1WEjWgP6LHhwBZeNK1VTsfTFUHCdrfp1bgwQ9xv5ski8PX9rL2dZXvgGDnw");
        var xpub = Base58.EncodeCheck(payload);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(payload, 0x019DA462);
        var ltub = Base58.EncodeCheck(payload);
        Assert.StartsWith("Ltub", ltub, StringComparison.Ordinal);

        var viaLtub = OutputDescriptor.Parse($"wpkh({ltub}/0/*)", Network.LitecoinMainnet);
        var viaXpub = OutputDescriptor.Parse($"wpkh({xpub}/0/*)", Network.LitecoinMainnet);
        Assert.Equal(viaXpub.Expand(0, 4).Select(s => Hex.Encode(s)), viaLtub.Expand(0, 4).Select(s => Hex.Encode(s)));

        var wrong = Assert.Throws<InvalidDescriptorException>(() => OutputDescriptor.Parse($"wpkh({ltub}/0/*)", Network.BitcoinMainnet));
        Assert.Equal(InvalidKeyReason.WrongNetwork, Assert.IsType<InvalidKeyException>(wrong.InnerException).Reason);
        Assert.Throws<InvalidDescriptorException>(() => OutputDescriptor.Parse($"wpkh({xpub})", Network.LitecoinTestnet));
    }

    [Fact]
    public void Ranges_expand_lazily_or_bounded()
    {
        var d = OutputDescriptor.Parse($"wpkh({Xpub}/0/*)", Main);
        Assert.True(d.IsRange);
        var listed = d.Expand(10, 14);
        Assert.Equal(5, listed.Count);
        Assert.Equal(Hex.Encode(d.GetScript(12)), Hex.Encode(listed[2]));
        var lazy = d.EnumerateScripts(10, 14).ToList();
        Assert.Equal(Enumerable.Range(10, 5).Select(i => (uint)i), lazy.Select(x => x.Index));
        Assert.Equal(listed.Select(s => Hex.Encode(s)), lazy.Select(x => Hex.Encode(x.Script)));
        Assert.Equal(1000, d.EnumerateScripts(0, OutputDescriptor.MaxIndex).Take(1000).Count());

        Assert.Throws<ArgumentOutOfRangeException>(() => d.Expand(0, 10, maxCount: 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => d.Expand(0, OutputDescriptor.MaxIndex));
        Assert.Throws<ArgumentOutOfRangeException>(() => d.Expand(5, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => d.Expand(0, OutputDescriptor.MaxIndex + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => d.GetScript(KeyPath.HardenedBit));
        // The last index below 2^31 is derivable.
        Assert.Equal(22, d.GetScript(OutputDescriptor.MaxIndex).Length);

        var fixedOne = OutputDescriptor.Parse($"wpkh({K33})", Main);
        Assert.False(fixedOne.IsRange);
        Assert.Single(fixedOne.Expand(0, 100));
        Assert.Single(fixedOne.EnumerateScripts(0, 100));
    }

    [Fact]
    public void Hardened_wildcard_needs_a_private_key()
    {
        var pub = OutputDescriptor.Parse($"wpkh({Xpub}/0/*h)", Main);
        Assert.False(pub.CanDerive);
        Assert.Equal(InvalidKeyReason.HardenedDerivationFromPublicKey,
            Assert.Throws<InvalidKeyException>(() => pub.Expand(0, 2)).Reason);
        var prv = OutputDescriptor.Parse("wpkh(xprvA1RpRA33e1JQ7ifknakTFpgNXPmW2YvmhqLQYMmrj4xJXXWYpDPS3xz7iAxn8L39njGVyuoseXzU6rcxFLJ8HFsTjSyQbLYnMpCqE2VbFWc/0/*h)", Main);
        Assert.True(prv.CanDerive);
        Assert.True(prv.HasPrivateKeys);
        Assert.NotEqual(Hex.Encode(prv.GetScript(0)), Hex.Encode(prv.GetScript(1)));
    }

    [Fact]
    public void Checksum_can_be_required()
    {
        var options = new DescriptorParseOptions { RequireChecksum = true };
        Assert.Throws<InvalidDescriptorException>(() => OutputDescriptor.Parse("raw(deadbeef)", Main, options));
        Assert.Equal("raw(deadbeef)#89f8spxm", OutputDescriptor.Parse("raw(deadbeef)#89f8spxm", Main, options).ToString());
        Assert.Throws<InvalidChecksumException>(() => OutputDescriptor.Parse("raw(deadbeef)#89f8spxn", Main));
    }

    [Fact]
    public void Addr_and_wif_use_the_address_codec()
    {
        Assert.Equal("a914eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee87",
            Hex.Encode(OutputDescriptor.Parse("addr(3PUNyaW7M55oKWJ3kDukwk9bsKvryra15j)", Main).GetScript()));
        // BIP382's vector: wpkh(L4rK...) pays to 00149a1c78a507689f6f54b847ad1cef1e614ee23f1e.
        Assert.Equal("00149a1c78a507689f6f54b847ad1cef1e614ee23f1e",
            Hex.Encode(OutputDescriptor.Parse("wpkh(L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1)", Main).GetScript()));
        var wrongNet = Assert.Throws<InvalidDescriptorException>(() => OutputDescriptor.Parse("addr(bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4)", Network.LitecoinMainnet));
        Assert.Contains("litecoin-mainnet", wrongNet.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pkh(" + XOnly + ")", 4, "x-only")]
    [InlineData("wsh(multi(1," + K33 + "," + K33 + "," + K33 + "," + K33 + ")", 12 + (4 * 67), "missing its closing")]
    [InlineData("multi(1," + K33 + "," + K33 + "," + K33 + "," + K33 + ")", 0, "at most 3 keys")]
    [InlineData("wpkh(" + K33 + ")x", 72, "unexpected 'x'")]
    [InlineData("wpkh(" + K33, 71, "missing its closing ')'")]
    [InlineData("combo(" + K33 + ")", 0, "not supported")]
    [InlineData("foo(" + K33 + ")", 0, "not a descriptor function")]
    [InlineData("tr(" + XOnly + ",pkh(" + K33 + "))", 68, "only pk()")]
    [InlineData("tr(" + XOnly + ", pk(" + K33 + "))", 68, "space")]
    [InlineData("pk(" + "020000000000000000000000000000000000000000000000000000000000000005" + ")", 3, "not a valid public key")]
    [InlineData("pk(" + "0679be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8" + ")", 3, "not a valid public key")]
    [InlineData("pk(0279be)", 3, "expected 33")]
    [InlineData("raw()", 4, "hex")]
    [InlineData("", 0, "expected a script expression")]
    [InlineData("[deadbeef/0h/*]" + K33, 0, "expected a script expression")]
    public void Errors_name_the_problem_and_where(string descriptor, int position, string fragment)
    {
        var error = Assert.Throws<InvalidDescriptorException>(() => OutputDescriptor.Parse(descriptor, Main));
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        Assert.Equal(position, error.Position);
    }

    [Fact]
    public void Multisig_key_count_limits()
    {
        var keys = Enumerable.Range(1, 21)
            .Select(i => Hex.Encode(ExtKey.FromSeed(new byte[16]).Derive((uint)i).PublicKey)).ToList();
        Assert.Equal(20, keys.Take(20).Distinct().Count());
        var twenty = OutputDescriptor.Parse($"wsh(multi(20,{string.Join(',', keys.Take(20))}))", Main);
        Assert.Equal(34, twenty.GetScript().Length);
        Assert.Contains("at most 20", Assert.Throws<InvalidDescriptorException>(
            () => OutputDescriptor.Parse($"wsh(multi(1,{string.Join(',', keys)}))", Main)).Message, StringComparison.Ordinal);
        Assert.NotNull(OutputDescriptor.Parse($"sh(sortedmulti(15,{string.Join(',', keys.Take(15))}))", Main));
    }

    [Fact]
    public void Deep_taproot_trees_are_refused_without_exhausting_the_stack()
    {
        var leaf = $"pk({XOnly})";
        var deep = string.Concat(Enumerable.Repeat("{" + leaf + ",", 200)) + leaf + new string('}', 200);
        var error = Assert.Throws<InvalidDescriptorException>(() => OutputDescriptor.Parse($"tr({XOnly},{deep})", Main));
        Assert.Contains("deeper than 128", error.Message, StringComparison.Ordinal);

        var ok = string.Concat(Enumerable.Repeat("{" + leaf + ",", 128)) + leaf + new string('}', 128);
        Assert.Equal(34, OutputDescriptor.Parse($"tr({XOnly},{ok})", Main).GetScript().Length);
    }

    [Fact]
    public void Tr_accepts_compressed_keys_as_x_only()
    {
        Assert.Equal(
            Hex.Encode(OutputDescriptor.Parse($"tr({XOnly})", Main).GetScript()),
            Hex.Encode(OutputDescriptor.Parse($"tr({K33})", Main).GetScript()));
        Assert.Equal("512077aab6e066f8a7419c5ab714c12c67d25007ed55a43cadcacb4d7a970a093f11", Hex.Encode(OutputDescriptor.Parse($"tr({K33})", Main).GetScript()));
    }
}
