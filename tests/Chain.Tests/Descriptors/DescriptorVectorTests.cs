using System.Text.Json;

using Coinshard.Chain.Descriptors;
using Coinshard.Chain.Encoding;
using Coinshard.Chain.Networks;

using Xunit;

namespace Coinshard.Chain.Tests.Descriptors;

/// <summary>BIP380–386 test vectors (bips/descriptor_vectors.json, transcribed from the BIP texts).</summary>
public class DescriptorVectorTests
{
    private static readonly Network Main = Network.BitcoinMainnet;

    private static JsonDocument Load() => Fixture.Json("bips/descriptor_vectors.json");

    public static TheoryData<string, string[]> Valid()
    {
        using var doc = Load();
        var data = new TheoryData<string, string[]>();
        foreach (var v in doc.RootElement.GetProperty("valid").EnumerateArray())
        {
            data.Add(v.GetProperty("descriptor").GetString()!, [.. v.GetProperty("scripts").EnumerateArray().Select(s => s.GetString()!)]);
        }
        return data;
    }

    public static TheoryData<string, string> Invalid()
    {
        using var doc = Load();
        var data = new TheoryData<string, string>();
        foreach (var v in doc.RootElement.GetProperty("invalid").EnumerateArray())
        {
            data.Add(v.GetProperty("descriptor").GetString()!, v.GetProperty("reason").GetString()!);
        }
        return data;
    }

    public static TheoryData<string, string, bool> Checksums()
    {
        using var doc = Load();
        var data = new TheoryData<string, string, bool>();
        foreach (var v in doc.RootElement.GetProperty("checksums").EnumerateArray())
        {
            data.Add(v.GetProperty("descriptor").GetString()!, v.GetProperty("note").GetString()!, v.GetProperty("valid").GetBoolean());
        }
        return data;
    }

    public static TheoryData<string, string> KeyExpressions(string kind)
    {
        using var doc = Load();
        var data = new TheoryData<string, string>();
        foreach (var v in doc.RootElement.GetProperty("key_expressions").GetProperty(kind).EnumerateArray())
        {
            data.Add(v.GetProperty("key").GetString()!, v.GetProperty("note").GetString()!);
        }
        return data;
    }

    [Fact]
    public void Fixture_counts_match_the_bips()
    {
        Assert.Equal(47, Valid().Count);
        Assert.Equal(30, Invalid().Count);
        Assert.Equal(8, Checksums().Count);
        Assert.Equal(21, KeyExpressions("valid").Count);
        Assert.Equal(15, KeyExpressions("invalid").Count);
    }

    [Theory]
    [MemberData(nameof(Valid))]
    public void Valid_descriptors_produce_the_expected_scripts(string descriptor, string[] scripts)
    {
        var parsed = OutputDescriptor.Parse(descriptor, Main);
        Assert.Equal(scripts.Length > 1, parsed.IsRange);
        Assert.True(parsed.CanDerive);
        for (var i = 0; i < scripts.Length; i++)
        {
            Assert.Equal(scripts[i], Hex.Encode(parsed.GetScript((uint)i)));
        }
        Assert.Equal(scripts, parsed.Expand(0, (uint)scripts.Length - 1).Select(s => Hex.Encode(s)).ToArray());

        // With its checksum the descriptor parses again, and checksum-required parsing accepts it.
        var withChecksum = parsed.ToString();
        Assert.Equal(descriptor + "#" + parsed.Checksum, withChecksum);
        var again = OutputDescriptor.Parse(withChecksum, Main, new DescriptorParseOptions { RequireChecksum = true });
        Assert.Equal(scripts[0], Hex.Encode(again.GetScript()));
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Invalid_descriptors_are_rejected(string descriptor, string reason)
    {
        var error = Assert.Throws<InvalidDescriptorException>(() => OutputDescriptor.Parse(descriptor, Main));
        Assert.False(string.IsNullOrWhiteSpace(error.Message), reason);
        Assert.NotNull(error.Position);
    }

    [Theory]
    [MemberData(nameof(Checksums))]
    public void Checksum_vectors(string descriptor, string note, bool valid)
    {
        if (valid)
        {
            Assert.Equal("deadbeef", Hex.Encode(OutputDescriptor.Parse(descriptor, Main).GetScript()));
            return;
        }
        var error = Assert.ThrowsAny<ChainFormatException>(() => OutputDescriptor.Parse(descriptor, Main));
        Assert.True(error is InvalidChecksumException or InvalidDescriptorException, note);
        if (note == "Error in payload")
        {
            Assert.IsType<InvalidChecksumException>(error);
        }
    }

    [Fact]
    public void Checksum_of_the_bip380_example_is_computed()
    {
        Assert.Equal("89f8spxm", DescriptorChecksum.Compute("raw(deadbeef)"));
        Assert.Equal("raw(deadbeef)#89f8spxm", DescriptorChecksum.Append("raw(deadbeef)"));
        Assert.True(DescriptorChecksum.IsValid("raw(deadbeef)#89f8spxm"));
        Assert.False(DescriptorChecksum.IsValid("raw(deadbeef)"));
        Assert.False(DescriptorChecksum.IsValid("raw(deedbeef)#89f8spxm"));
    }

    [Theory]
    [MemberData(nameof(KeyExpressions), "valid")]
    public void Valid_key_expressions_parse(string key, string note)
    {
        var parsed = OutputDescriptor.Parse($"pkh({key})", Main);
        if (note.StartsWith("Extended public key with", StringComparison.Ordinal) && note.Contains("hardened derivation", StringComparison.Ordinal))
        {
            // BIP380 calls this syntax valid, but hardened steps need the private key: no script can be derived.
            Assert.False(parsed.CanDerive, note);
            Assert.Equal(InvalidKeyReason.HardenedDerivationFromPublicKey,
                Assert.Throws<InvalidKeyException>(() => parsed.GetScript()).Reason);
            return;
        }
        Assert.True(parsed.CanDerive, note);
        Assert.Equal(25, parsed.GetScript().Length);
    }

    [Theory]
    [MemberData(nameof(KeyExpressions), "invalid")]
    public void Invalid_key_expressions_are_rejected(string key, string note)
    {
        var error = Assert.Throws<InvalidDescriptorException>(() => OutputDescriptor.Parse($"pkh({key})", Main));
        Assert.NotNull(error.Position);
        Assert.False(string.IsNullOrWhiteSpace(note));
    }

    [Fact]
    public void Hardened_xprv_steps_equal_the_neutered_xpub_at_that_point()
    {
        // BIP381: pkh(xprv…/2147483647'/0) and pkh([bd16bee5/2147483647h]xpub…/0) give the same script,
        // so deriving the hardened step and continuing publicly must agree with the given xpub.
        var fromPrivate = OutputDescriptor.Parse("pkh(xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Qn3LqFtT2emdEXVYsCzC2U/2147483647'/*)", Main);
        var fromPublic = OutputDescriptor.Parse("pkh([bd16bee5/2147483647h]xpub69H7F5dQzmVd3vPuLKtcXJziMEQByuDidnX3YdwgtNsecY5HRGtAAQC5mXTt4dsv9RzyjgDjAQs9VGVV6ydYCHnprc9vvaA5YtqWyL6hyds/*)", Main);
        Assert.Equal(fromPublic.Expand(0, 20).Select(s => Hex.Encode(s)), fromPrivate.Expand(0, 20).Select(s => Hex.Encode(s)));
    }
}
