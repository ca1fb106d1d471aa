using System.Diagnostics.CodeAnalysis;

namespace Coinshard.Chain.Encoding;

/// <summary>Which checksum constant a Bech32 string uses; segwit v0 needs one, v1+ the other (BIP350).</summary>
public enum Bech32Variant
{
    /// <summary>BIP173 Bech32 (checksum constant 1).</summary>
    Bech32,

    /// <summary>BIP350 Bech32m (checksum constant 0x2bc830a3).</summary>
    Bech32m,
}

/// <summary>A decoded Bech32/Bech32m string.</summary>
/// <param name="Hrp">Human-readable part, lower case.</param>
/// <param name="Data">The data part as 5-bit values (0..31), checksum removed.</param>
/// <param name="Variant">The checksum variant that matched.</param>
public sealed record Bech32Decoded(string Hrp, byte[] Data, Bech32Variant Variant);

/// <summary>
/// BIP173 Bech32 and BIP350 Bech32m strings: the checksummed text form of segwit addresses
/// (and of Litecoin MWEB addresses, which are longer than BIP173 allows).
/// </summary>
public static class Bech32
{
    /// <summary>Longest string BIP173 allows; the checksum guarantees are proven up to this length.</summary>
    public const int MaxLength = 90;

    /// <summary>Longest human-readable part BIP173 allows.</summary>
    public const int MaxHrpLength = 83;

    /// <summary>Number of checksum characters at the end of the data part.</summary>
    public const int ChecksumLength = 6;

    private const string Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    private const uint Bech32Constant = 1;
    private const uint Bech32mConstant = 0x2bc830a3;

    private static readonly sbyte[] s_charsetRev = BuildCharsetRev();

    /// <summary>Encodes a lower-case HRP and 5-bit values with the checksum of <paramref name="variant"/>.</summary>
    /// <param name="hrp">Human-readable part: 1..83 characters in 33..126, no upper case.</param>
    /// <param name="data">5-bit values (0..31).</param>
    /// <param name="variant">Checksum variant.</param>
    /// <param name="maxLength">Longest result allowed; above <see cref="MaxLength"/> only for formats that need it (MWEB).</param>
    /// <exception cref="ArgumentException">The HRP or data is not encodable, or the result would be too long.</exception>
    public static string Encode(string hrp, ReadOnlySpan<byte> data, Bech32Variant variant, int maxLength = MaxLength)
    {
        ArgumentNullException.ThrowIfNull(hrp);
        if (hrp.Length is 0 or > MaxHrpLength)
        {
            throw new ArgumentException($"HRP must be 1..{MaxHrpLength} characters, got {hrp.Length}", nameof(hrp));
        }
        foreach (var c in hrp)
        {
            if (c is < (char)33 or > (char)126 || char.IsAsciiLetterUpper(c))
            {
                throw new ArgumentException($"HRP character {TextDisplay.Describe(c)} is not lower-case printable ASCII", nameof(hrp));
            }
        }
        var length = hrp.Length + 1 + data.Length + ChecksumLength;
        if (length > maxLength)
        {
            throw new ArgumentException($"encoded string would be {length} characters, above the limit of {maxLength}", nameof(data));
        }
        foreach (var value in data)
        {
            if (value > 31)
            {
                throw new ArgumentException($"data value {value} is not a 5-bit value", nameof(data));
            }
        }
        var checksum = PolyMod(hrp, data, appendZeros: true) ^ ConstantOf(variant);
        return string.Create(length, (hrp, values: data.ToArray(), checksum), static (span, state) =>
        {
            state.hrp.AsSpan().CopyTo(span);
            var at = state.hrp.Length;
            span[at++] = '1';
            foreach (var value in state.values)
            {
                span[at++] = Charset[value];
            }
            for (var i = 0; i < ChecksumLength; i++)
            {
                span[at++] = Charset[(int)(state.checksum >> (5 * (5 - i))) & 31];
            }
        });
    }

    /// <summary>Decodes a Bech32 or Bech32m string of at most <see cref="MaxLength"/> characters.</summary>
    /// <exception cref="InvalidEncodingException">A BIP173 rule is broken; the message names which one.</exception>
    /// <exception cref="InvalidChecksumException">The checksum matches neither variant.</exception>
    public static Bech32Decoded Decode(string text) => Decode(text, MaxLength);

    /// <summary>Decodes a Bech32 or Bech32m string of at most <paramref name="maxLength"/> characters; see <see cref="Decode(string)"/>.</summary>
    public static Bech32Decoded Decode(string text, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryDecodeCore(text, maxLength, out var decoded) is { } error ? throw error : decoded!;
    }

    /// <summary>Decodes when valid; returns false instead of throwing.</summary>
    public static bool TryDecode(string? text, [NotNullWhen(true)] out Bech32Decoded? decoded, int maxLength = MaxLength)
    {
        decoded = null;
        return text is not null && TryDecodeCore(text, maxLength, out decoded) is null;
    }

    /// <summary>
    /// Regroups bits, most significant first: 8→5 before encoding (with <paramref name="pad"/>: the
    /// last group is zero-padded) and 5→8 after decoding (without pad: at most 4 leftover bits,
    /// all zero, as BIP173 requires).
    /// </summary>
    /// <exception cref="InvalidEncodingException">A value does not fit in <paramref name="fromBits"/>, or the padding is invalid.</exception>
    public static byte[] ConvertBits(ReadOnlySpan<byte> data, int fromBits, int toBits, bool pad) =>
        TryConvertBitsCore(data, fromBits, toBits, pad, out var result) is { } error ? throw error : result;

    internal static ChainFormatException? TryConvertBitsCore(ReadOnlySpan<byte> data, int fromBits, int toBits, bool pad, out byte[] result)
    {
        if (fromBits is < 1 or > 8 || toBits is < 1 or > 8)
        {
            throw new ArgumentOutOfRangeException(nameof(fromBits), "bit group sizes are 1..8");
        }
        result = new byte[((data.Length * fromBits) + (pad ? toBits - 1 : 0)) / toBits];
        var count = 0;
        var accumulator = 0;
        var bits = 0;
        var maxValue = (1 << toBits) - 1;
        for (var i = 0; i < data.Length; i++)
        {
            var value = data[i];
            if (value >> fromBits != 0)
            {
                return new InvalidEncodingException($"value {value} at index {i} does not fit in {fromBits} bits");
            }
            accumulator = (accumulator << fromBits) | value;
            bits += fromBits;
            while (bits >= toBits)
            {
                bits -= toBits;
                result[count++] = (byte)((accumulator >> bits) & maxValue);
            }
            accumulator &= (1 << bits) - 1;
        }
        if (pad)
        {
            if (bits > 0)
            {
                result[count++] = (byte)((accumulator << (toBits - bits)) & maxValue);
            }
        }
        else if (bits >= fromBits)
        {
            return new InvalidEncodingException($"invalid padding: {bits} leftover bits, at most {fromBits - 1} allowed");
        }
        else if (accumulator != 0)
        {
            return new InvalidEncodingException("invalid padding: leftover bits must be zero");
        }
        if (count != result.Length)
        {
            result = result[..count];
        }
        return null;
    }

    internal static ChainFormatException? TryDecodeCore(string text, int maxLength, out Bech32Decoded? decoded)
    {
        decoded = null;
        if (text.Length > maxLength)
        {
            return new InvalidEncodingException(
                $"Bech32 string is {text.Length} characters, longer than the limit of {maxLength}");
        }
        bool lower = false, upper = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is < (char)33 or > (char)126)
            {
                return new InvalidEncodingException(
                    $"Bech32 character {TextDisplay.Describe(c)} at index {i} is outside printable ASCII 33..126");
            }
            lower |= char.IsAsciiLetterLower(c);
            upper |= char.IsAsciiLetterUpper(c);
        }
        if (lower && upper)
        {
            return new InvalidEncodingException("Bech32 string mixes upper and lower case");
        }
        var separator = text.LastIndexOf('1');
        if (separator < 0)
        {
            return new InvalidEncodingException("Bech32 string has no separator '1'");
        }
        if (separator == 0)
        {
            return new InvalidEncodingException("Bech32 human-readable part is empty");
        }
        if (separator > MaxHrpLength)
        {
            return new InvalidEncodingException(
                $"Bech32 human-readable part is {separator} characters, longer than {MaxHrpLength}");
        }
        var dataLength = text.Length - separator - 1;
        if (dataLength < ChecksumLength)
        {
            return new InvalidEncodingException(
                $"Bech32 data part is {dataLength} characters, shorter than the {ChecksumLength}-character checksum");
        }
        var values = new byte[dataLength];
        for (var i = 0; i < dataLength; i++)
        {
            var c = text[separator + 1 + i];
            var value = s_charsetRev[c];
            if (value < 0)
            {
                return new InvalidEncodingException(
                    $"invalid Bech32 data character {TextDisplay.Describe(c)} at index {separator + 1 + i}");
            }
            values[i] = (byte)value;
        }
        var hrp = text[..separator].ToLowerInvariant();
        Bech32Variant variant;
        switch (PolyMod(hrp, values, appendZeros: false))
        {
            case Bech32Constant:
                variant = Bech32Variant.Bech32;
                break;
            case Bech32mConstant:
                variant = Bech32Variant.Bech32m;
                break;
            default:
                return new InvalidChecksumException("Bech32 checksum matches neither Bech32 nor Bech32m (mistyped or corrupted text)");
        }
        decoded = new Bech32Decoded(hrp, values[..^ChecksumLength], variant);
        return null;
    }

    private static uint ConstantOf(Bech32Variant variant) => variant switch
    {
        Bech32Variant.Bech32 => Bech32Constant,
        Bech32Variant.Bech32m => Bech32mConstant,
        _ => throw new ArgumentOutOfRangeException(nameof(variant), variant, "unknown Bech32 variant"),
    };

    // BIP173 checksum over the expanded HRP, the values and (when creating a checksum) six zeros.
    private static uint PolyMod(string hrp, ReadOnlySpan<byte> values, bool appendZeros)
    {
        uint chk = 1;
        foreach (var c in hrp)
        {
            chk = Step(chk, (uint)(c >> 5));
        }
        chk = Step(chk, 0);
        foreach (var c in hrp)
        {
            chk = Step(chk, (uint)(c & 31));
        }
        foreach (var value in values)
        {
            chk = Step(chk, value);
        }
        if (appendZeros)
        {
            for (var i = 0; i < ChecksumLength; i++)
            {
                chk = Step(chk, 0);
            }
        }
        return chk;
    }

    private static uint Step(uint chk, uint value)
    {
        var top = chk >> 25;
        chk = ((chk & 0x1ffffff) << 5) ^ value;
        if ((top & 1) != 0)
        {
            chk ^= 0x3b6a57b2;
        }
        if ((top & 2) != 0)
        {
            chk ^= 0x26508e6d;
        }
        if ((top & 4) != 0)
        {
            chk ^= 0x1ea119fa;
        }
        if ((top & 8) != 0)
        {
            chk ^= 0x3d4233dd;
        }
        if ((top & 16) != 0)
        {
            chk ^= 0x2a1462b3;
        }
        return chk;
    }

    private static sbyte[] BuildCharsetRev()
    {
        var rev = new sbyte[128];
        Array.Fill(rev, (sbyte)-1);
        for (var i = 0; i < Charset.Length; i++)
        {
            rev[Charset[i]] = (sbyte)i;
            rev[char.ToUpperInvariant(Charset[i])] = (sbyte)i;
        }
        return rev;
    }
}
