using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

using Coinshard.Chain.Hashing;

namespace Coinshard.Chain.Encoding;

/// <summary>
/// Base58 and Base58Check as Bitcoin Core encodes legacy addresses, WIF keys and extended keys.
/// Decoding is strict: no whitespace is skipped, and input longer than a limit is refused before
/// any work because decoding costs time quadratic in the length.
/// </summary>
public static class Base58
{
    /// <summary>
    /// Default longest text accepted by the decoders. Far above every Base58 form in use
    /// (addresses ≤ 35, WIF ≤ 52, extended keys 111 characters) yet cheap to decode.
    /// </summary>
    public const int DefaultMaxLength = 512;

    /// <summary>Length of the Base58Check checksum (first bytes of SHA-256d of the payload).</summary>
    public const int ChecksumLength = 4;

    private const string Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    // Digit value of each ASCII character, -1 when the character is not in the alphabet.
    private static readonly sbyte[] s_digits = BuildDigits();

    /// <summary>Encodes bytes as plain Base58; each leading zero byte becomes a leading '1'.</summary>
    public static string Encode(ReadOnlySpan<byte> data)
    {
        var zeros = 0;
        while (zeros < data.Length && data[zeros] == 0)
        {
            zeros++;
        }
        // log(256) / log(58) < 1.38: enough base-58 digits for the remaining bytes.
        var digits = new byte[((data.Length - zeros) * 138 / 100) + 1];
        var used = 0;
        foreach (var b in data[zeros..])
        {
            int carry = b;
            var i = 0;
            for (var k = digits.Length - 1; k >= 0 && (carry != 0 || i < used); k--, i++)
            {
                carry += 256 * digits[k];
                digits[k] = (byte)(carry % 58);
                carry /= 58;
            }
            used = i;
        }
        var start = digits.Length - used;
        while (start < digits.Length && digits[start] == 0)
        {
            start++;
        }
        return string.Create(zeros + digits.Length - start, (zeros, digits, start), static (span, state) =>
        {
            span[..state.zeros].Fill('1');
            for (var k = state.start; k < state.digits.Length; k++)
            {
                span[state.zeros + k - state.start] = Alphabet[state.digits[k]];
            }
        });
    }

    /// <summary>Decodes plain Base58 of at most <see cref="DefaultMaxLength"/> characters.</summary>
    /// <exception cref="InvalidEncodingException">A character is not in the Base58 alphabet.</exception>
    /// <exception cref="SizeLimitExceededException">The text is longer than the limit.</exception>
    public static byte[] Decode(string text) => Decode(text, DefaultMaxLength);

    /// <summary>Decodes plain Base58 of at most <paramref name="maxLength"/> characters.</summary>
    /// <exception cref="InvalidEncodingException">A character is not in the Base58 alphabet.</exception>
    /// <exception cref="SizeLimitExceededException">The text is longer than <paramref name="maxLength"/>.</exception>
    public static byte[] Decode(string text, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryDecodeCore(text, maxLength, out var data) is { } error ? throw error : data;
    }

    /// <summary>Decodes plain Base58 when valid; returns false instead of throwing.</summary>
    public static bool TryDecode(string? text, [NotNullWhen(true)] out byte[]? data, int maxLength = DefaultMaxLength)
    {
        data = null;
        if (text is null || TryDecodeCore(text, maxLength, out var decoded) is not null)
        {
            return false;
        }
        data = decoded;
        return true;
    }

    /// <summary>Encodes <paramref name="payload"/> followed by its 4-byte SHA-256d checksum.</summary>
    public static string EncodeCheck(ReadOnlySpan<byte> payload)
    {
        var buffer = new byte[payload.Length + ChecksumLength];
        payload.CopyTo(buffer);
        Span<byte> hash = stackalloc byte[32];
        Hashes.DoubleSha256(payload, hash);
        hash[..ChecksumLength].CopyTo(buffer.AsSpan(payload.Length));
        return Encode(buffer);
    }

    /// <summary>Decodes Base58Check of at most <see cref="DefaultMaxLength"/> characters and returns the payload without its checksum.</summary>
    /// <exception cref="InvalidEncodingException">A character is not in the Base58 alphabet, or the data is shorter than the checksum.</exception>
    /// <exception cref="InvalidChecksumException">The checksum does not match the payload (a typo, usually).</exception>
    /// <exception cref="SizeLimitExceededException">The text is longer than the limit.</exception>
    public static byte[] DecodeCheck(string text) => DecodeCheck(text, DefaultMaxLength);

    /// <summary>Decodes Base58Check of at most <paramref name="maxLength"/> characters; see <see cref="DecodeCheck(string)"/>.</summary>
    public static byte[] DecodeCheck(string text, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryDecodeCheckCore(text, maxLength, out var payload) is { } error ? throw error : payload;
    }

    /// <summary>Decodes Base58Check when valid; returns false instead of throwing.</summary>
    public static bool TryDecodeCheck(string? text, [NotNullWhen(true)] out byte[]? payload, int maxLength = DefaultMaxLength)
    {
        payload = null;
        if (text is null || TryDecodeCheckCore(text, maxLength, out var decoded) is not null)
        {
            return false;
        }
        payload = decoded;
        return true;
    }

    /// <summary>Decodes Base58Check; returns the error instead of throwing it so that callers can choose which error to report.</summary>
    internal static ChainFormatException? TryDecodeCheckCore(string text, int maxLength, out byte[] payload)
    {
        payload = [];
        if (TryDecodeCore(text, maxLength, out var data) is { } error)
        {
            return error;
        }
        if (data.Length < ChecksumLength)
        {
            return new InvalidEncodingException(
                $"Base58Check data is {data.Length} bytes, too short to hold its {ChecksumLength}-byte checksum");
        }
        var body = data.AsSpan(0, data.Length - ChecksumLength);
        Span<byte> hash = stackalloc byte[32];
        Hashes.DoubleSha256(body, hash);
        if (!hash[..ChecksumLength].SequenceEqual(data.AsSpan(body.Length)))
        {
            return new InvalidChecksumException("Base58Check checksum does not match (mistyped or corrupted text)");
        }
        payload = body.ToArray();
        // The data may be a private key (WIF): leave no copy behind.
        CryptographicOperations.ZeroMemory(data);
        return null;
    }

    internal static ChainFormatException? TryDecodeCore(string text, int maxLength, out byte[] data)
    {
        data = [];
        if (text.Length > maxLength)
        {
            return new SizeLimitExceededException(
                $"Base58 text is {text.Length} characters, longer than the limit of {maxLength}");
        }
        var zeros = 0;
        while (zeros < text.Length && text[zeros] == '1')
        {
            zeros++;
        }
        // log(58) / log(256) < 0.733: enough bytes for the remaining digits.
        var bytes = new byte[((text.Length - zeros) * 733 / 1000) + 1];
        var used = 0;
        for (var index = zeros; index < text.Length; index++)
        {
            var c = text[index];
            var digit = c < 128 ? s_digits[c] : -1;
            if (digit < 0)
            {
                return new InvalidEncodingException(
                    $"invalid Base58 character {TextDisplay.Describe(c)} at index {index}");
            }
            int carry = digit;
            var i = 0;
            for (var k = bytes.Length - 1; k >= 0 && (carry != 0 || i < used); k--, i++)
            {
                carry += 58 * bytes[k];
                bytes[k] = (byte)carry;
                carry >>= 8;
            }
            used = i;
        }
        var start = bytes.Length - used;
        while (start < bytes.Length && bytes[start] == 0)
        {
            start++;
        }
        data = new byte[zeros + bytes.Length - start];
        bytes.AsSpan(start).CopyTo(data.AsSpan(zeros));
        CryptographicOperations.ZeroMemory(bytes);
        return null;
    }

    private static sbyte[] BuildDigits()
    {
        var digits = new sbyte[128];
        Array.Fill(digits, (sbyte)-1);
        for (var i = 0; i < Alphabet.Length; i++)
        {
            digits[Alphabet[i]] = (sbyte)i;
        }
        return digits;
    }
}
