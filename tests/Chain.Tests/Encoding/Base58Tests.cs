using Coinshard.Chain.Encoding;

using Xunit;

namespace Coinshard.Chain.Tests.Encoding;

public class Base58Tests
{
    public static TheoryData<string, string> CoreVectors()
    {
        var data = new TheoryData<string, string>();
        using var json = Fixture.Json("bitcoin-core/base58_encode_decode.json");
        foreach (var entry in json.RootElement.EnumerateArray())
        {
            data.Add(entry[0].GetString()!, entry[1].GetString()!);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(CoreVectors))]
    public void Encodes_core_vectors(string hex, string base58)
    {
        Assert.Equal(base58, Base58.Encode(Hex.Decode(hex)));
    }

    [Theory]
    [MemberData(nameof(CoreVectors))]
    public void Decodes_core_vectors(string hex, string base58)
    {
        Assert.Equal(hex.ToLowerInvariant(), Hex.Encode(Base58.Decode(base58)));
        Assert.True(Base58.TryDecode(base58, out var bytes));
        Assert.Equal(hex.ToLowerInvariant(), Hex.Encode(bytes));
    }

    [Theory]
    [InlineData("3SEo3LWLoPntC0", '0', 13)]
    [InlineData("O3SEo3LWLoPntC", 'O', 0)]
    [InlineData("3SEIo3LWLoPntC", 'I', 3)]
    [InlineData("3SEo3LWlLoPntC", 'l', 7)]
    [InlineData("3SEo3LW+LoPntC", '+', 7)]
    public void Rejects_characters_outside_the_alphabet_naming_character_and_index(string text, char bad, int index)
    {
        var ex = Assert.Throws<InvalidEncodingException>(() => Base58.Decode(text));
        Assert.Contains($"'{bad}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"index {index}", ex.Message, StringComparison.Ordinal);
        Assert.False(Base58.TryDecode(text, out _));
    }

    [Theory]
    [InlineData(" 3SEo3LWLoPntC", "U+0020", 0)]
    [InlineData("3SEo3LWLoPntC ", "U+0020", 13)]
    [InlineData("3SEo3LW\u00e9LoPntC", "U+00E9", 7)]
    [InlineData("3SEo3LW\nLoPntC", "U+000A", 7)]
    public void Rejects_whitespace_and_non_ascii_showing_the_code_point(string text, string shown, int index)
    {
        var ex = Assert.Throws<InvalidEncodingException>(() => Base58.Decode(text));
        Assert.Contains(shown, ex.Message, StringComparison.Ordinal);
        Assert.Contains($"index {index}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_text_longer_than_the_limit_before_decoding()
    {
        var huge = new string('z', 1_000_000);
        var ex = Assert.Throws<SizeLimitExceededException>(() => Base58.Decode(huge));
        Assert.Contains("1000000", ex.Message, StringComparison.Ordinal);
        Assert.Throws<SizeLimitExceededException>(() => Base58.DecodeCheck(huge));
        Assert.Throws<SizeLimitExceededException>(() => Base58.Decode("a3gV", maxLength: 3));
        Assert.Equal("626262", Hex.Encode(Base58.Decode("a3gV", maxLength: 4))); // Core vector, at the limit
        Assert.False(Base58.TryDecodeCheck(huge, out _));
    }

    // Core's key_io_valid.json: 1FsSia… pays OP_DUP OP_HASH160 a31c06bd…0717 OP_EQUALVERIFY OP_CHECKSIG.
    private const string CoreP2pkh = "1FsSia9rv4NeEwvJ2GvXrX7LyxYspbN2mo";
    private const string CoreP2pkhPayload = "00a31c06bd463e3923bc1aadbde48b16976c080717";

    [Fact]
    public void Check_variant_round_trips_a_core_address_payload()
    {
        Assert.Equal(CoreP2pkhPayload, Hex.Encode(Base58.DecodeCheck(CoreP2pkh)));
        Assert.Equal(CoreP2pkh, Base58.EncodeCheck(Hex.Decode(CoreP2pkhPayload)));
        Assert.True(Base58.TryDecodeCheck(CoreP2pkh, out var payload));
        Assert.Equal(CoreP2pkhPayload, Hex.Encode(payload));
    }

    [Fact]
    public void Check_variant_rejects_every_single_character_substitution()
    {
        const string alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
        var chars = CoreP2pkh.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            var original = chars[i];
            foreach (var replacement in alphabet.Where(c => c != original))
            {
                chars[i] = replacement;
                var text = new string(chars);
                var ex = Assert.ThrowsAny<ChainFormatException>(() => Base58.DecodeCheck(text));
                Assert.IsType<InvalidChecksumException>(ex);
            }
            chars[i] = original;
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("111")]
    [InlineData("2g")]
    public void Check_variant_rejects_data_shorter_than_the_checksum(string text)
    {
        var ex = Assert.Throws<InvalidEncodingException>(() => Base58.DecodeCheck(text));
        Assert.Contains("checksum", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_variant_of_empty_payload_is_just_the_checksum()
    {
        var text = Base58.EncodeCheck([]);
        Assert.Empty(Base58.DecodeCheck(text));
    }

    [Fact]
    public void Random_round_trips_with_fixed_seed()
    {
        const int seed = 58;
        var random = new Random(seed);
        for (var round = 0; round < 300; round++)
        {
            var data = new byte[random.Next(0, 80)];
            random.NextBytes(data);
            // Leading zeros are the special case; make them frequent.
            data.AsSpan(0, Math.Min(data.Length, random.Next(0, 4))).Clear();
            var hex = Hex.Encode(data);
            Assert.True(hex == Hex.Encode(Base58.Decode(Base58.Encode(data))), $"seed {seed}, round {round}: {hex}");
            Assert.True(hex == Hex.Encode(Base58.DecodeCheck(Base58.EncodeCheck(data))), $"seed {seed}, round {round}: {hex}");
        }
    }
}
