using Coinshard.Chain.Encoding;

using Xunit;

namespace Coinshard.Chain.Tests.Encoding;

public class Bech32Tests
{
    private const string Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

    public static TheoryData<string, Bech32Variant> ValidStrings()
    {
        var data = new TheoryData<string, Bech32Variant>();
        using var json = Fixture.Json("bips/bech32_vectors.json");
        foreach (var (section, variant) in new[] { ("bech32", Bech32Variant.Bech32), ("bech32m", Bech32Variant.Bech32m) })
        {
            foreach (var text in json.RootElement.GetProperty(section).GetProperty("valid").EnumerateArray())
            {
                data.Add(text.GetString()!, variant);
            }
        }
        return data;
    }

    public static TheoryData<string, string> InvalidStrings()
    {
        var data = new TheoryData<string, string>();
        using var json = Fixture.Json("bips/bech32_vectors.json");
        foreach (var section in new[] { "bech32", "bech32m" })
        {
            foreach (var entry in json.RootElement.GetProperty(section).GetProperty("invalid").EnumerateArray())
            {
                data.Add(entry.GetProperty("string").GetString()!, entry.GetProperty("reason").GetString()!);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ValidStrings))]
    public void Decodes_bip_valid_strings_with_their_variant_and_re_encodes_them(string text, Bech32Variant variant)
    {
        var decoded = Bech32.Decode(text);
        Assert.Equal(variant, decoded.Variant);
        Assert.Equal(text[..text.LastIndexOf('1')].ToLowerInvariant(), decoded.Hrp);
        Assert.Equal(text.ToLowerInvariant(), Bech32.Encode(decoded.Hrp, decoded.Data, variant));
        Assert.True(Bech32.TryDecode(text, out _));
    }

    // Each BIP reason maps to the exception a caller would need to react to, and a word of the message.
    private static readonly Dictionary<string, (Type Type, string Words)> s_reasons = new(StringComparer.Ordinal)
    {
        ["HRP character out of range"] = (typeof(InvalidEncodingException), "outside printable ASCII"),
        ["overall max length exceeded"] = (typeof(InvalidEncodingException), "longer than the limit of 90"),
        ["No separator character"] = (typeof(InvalidEncodingException), "no separator"),
        ["Empty HRP"] = (typeof(InvalidEncodingException), "human-readable part is empty"),
        ["empty HRP"] = (typeof(InvalidEncodingException), "human-readable part is empty"),
        ["Invalid data character"] = (typeof(InvalidEncodingException), "invalid Bech32 data character"),
        ["Too short checksum"] = (typeof(InvalidEncodingException), "shorter than the 6-character checksum"),
        ["Invalid character in checksum"] = (typeof(InvalidEncodingException), "character"),
        ["checksum calculated with uppercase form of HRP"] = (typeof(InvalidChecksumException), "checksum"),
    };

    [Theory]
    [MemberData(nameof(InvalidStrings))]
    public void Rejects_bip_invalid_strings_for_the_stated_reason(string text, string reason)
    {
        Assert.True(s_reasons.TryGetValue(reason, out var expected), $"no expectation for BIP reason '{reason}'");
        var ex = Assert.ThrowsAny<ChainFormatException>(() => Bech32.Decode(text));
        Assert.IsType(expected.Type, ex);
        Assert.Contains(expected.Words, ex.Message, StringComparison.Ordinal);
        Assert.False(Bech32.TryDecode(text, out _));
    }

    [Fact]
    public void Rejects_mixed_case()
    {
        var ex = Assert.Throws<InvalidEncodingException>(() => Bech32.Decode("A12uEL5L"));
        Assert.Contains("mixes upper and lower case", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Longer_limit_is_opt_in()
    {
        // "an83…tt5tgs" is the longest BIP173 string (90); a 91-character string needs a larger limit.
        var hrp = new string('a', 40);
        var text = Bech32.Encode(hrp, new byte[44], Bech32Variant.Bech32, maxLength: 91);
        Assert.Equal(91, text.Length);
        Assert.Throws<InvalidEncodingException>(() => Bech32.Decode(text));
        Assert.Equal(hrp, Bech32.Decode(text, 91).Hrp);
        Assert.Throws<ArgumentException>(() => Bech32.Encode(hrp, new byte[44], Bech32Variant.Bech32));
    }

    [Fact]
    public void Detects_every_single_character_substitution_in_bip_strings()
    {
        // BIP173: the checksum detects any error affecting at most 4 characters; try all single ones.
        foreach (var text in new[] { "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw", "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx" })
        {
            var chars = text.ToCharArray();
            for (var i = text.IndexOf('1', StringComparison.Ordinal) + 1; i < chars.Length; i++)
            {
                var original = chars[i];
                foreach (var replacement in Charset.Where(c => c != original))
                {
                    chars[i] = replacement;
                    var mutated = new string(chars);
                    Assert.True(!Bech32.TryDecode(mutated, out _), $"{mutated} decoded");
                    Assert.Throws<InvalidChecksumException>(() => Bech32.Decode(mutated));
                }
                chars[i] = original;
            }
        }
    }

    [Fact]
    public void Encode_refuses_what_it_could_not_decode()
    {
        Assert.Throws<ArgumentException>(() => Bech32.Encode("BC", [0], Bech32Variant.Bech32));
        Assert.Throws<ArgumentException>(() => Bech32.Encode("", [0], Bech32Variant.Bech32));
        Assert.Throws<ArgumentException>(() => Bech32.Encode("b c", [0], Bech32Variant.Bech32));
        Assert.Throws<ArgumentException>(() => Bech32.Encode("bc", [32], Bech32Variant.Bech32));
    }

    [Theory]
    // BIP173/BIP350 segwit vector programs and their 5-bit forms (from the addresses in bech32_vectors.json).
    [InlineData("751e76e8199196d454941c45d1b3a323f1433bd6", "w508d6qejxtdg4y5r3zarvary0c5xw7k")]
    [InlineData("751e", "w50q")]
    public void Converts_8_to_5_bits_with_padding_and_back(string hex, string fiveBitText)
    {
        var fiveBit = fiveBitText.Select(c => (byte)Charset.IndexOf(c, StringComparison.Ordinal)).ToArray();
        Assert.Equal(fiveBit, Bech32.ConvertBits(Hex.Decode(hex), 8, 5, pad: true));
        Assert.Equal(hex, Hex.Encode(Bech32.ConvertBits(fiveBit, 5, 8, pad: false)));
    }

    [Fact]
    public void Five_to_eight_rejects_bad_padding()
    {
        // 3 symbols = 15 bits: one byte and 7 leftover bits (more than 4).
        var ex = Assert.Throws<InvalidEncodingException>(() => Bech32.ConvertBits([1, 2, 3], 5, 8, pad: false));
        Assert.Contains("padding", ex.Message, StringComparison.Ordinal);
        // 2 symbols = 10 bits: one byte and 2 leftover bits, which must be zero.
        Assert.Equal([0x08], Bech32.ConvertBits([1, 0], 5, 8, pad: false));
        ex = Assert.Throws<InvalidEncodingException>(() => Bech32.ConvertBits([1, 1], 5, 8, pad: false));
        Assert.Contains("zero", ex.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidEncodingException>(() => Bech32.ConvertBits([32], 5, 8, pad: false));
    }
}
