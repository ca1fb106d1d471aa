using Coinshard.Chain.Hashing;

namespace Coinshard.Chain.Encoding;

// PLACEHOLDER (helper/keys): minimal Base58Check so that extended keys build on this branch.
// The address helper owns the real src/Chain/Encoding/Base58.cs; at merge keep theirs, drop this one.

/// <summary>Base58Check (Bitcoin's alphabet, 4-byte SHA-256d checksum), used by extended keys.</summary>
public static class Base58
{
    private const string Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    /// <summary>Encodes <paramref name="payload"/> followed by its 4-byte checksum.</summary>
    public static string EncodeCheck(ReadOnlySpan<byte> payload)
    {
        var data = new byte[payload.Length + 4];
        payload.CopyTo(data);
        Span<byte> hash = stackalloc byte[32];
        Hashes.DoubleSha256(payload, hash);
        hash[..4].CopyTo(data.AsSpan(payload.Length));
        return Encode(data);
    }

    /// <summary>Decodes Base58Check text and returns the payload without its checksum.</summary>
    /// <exception cref="InvalidEncodingException">A character is outside the alphabet or the text is too short.</exception>
    /// <exception cref="InvalidChecksumException">The checksum does not match.</exception>
    public static byte[] DecodeCheck(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var data = Decode(text);
        if (data.Length < 4)
        {
            throw new InvalidEncodingException($"Base58Check data is {data.Length} bytes; it needs at least the 4 checksum bytes");
        }
        var payload = data.AsSpan(0, data.Length - 4);
        Span<byte> hash = stackalloc byte[32];
        Hashes.DoubleSha256(payload, hash);
        if (!hash[..4].SequenceEqual(data.AsSpan(data.Length - 4)))
        {
            throw new InvalidChecksumException("Base58Check checksum mismatch");
        }
        return payload.ToArray();
    }

    private static string Encode(ReadOnlySpan<byte> data)
    {
        var zeros = 0;
        while (zeros < data.Length && data[zeros] == 0)
        {
            zeros++;
        }
        var digits = new byte[(data.Length * 138 / 100) + 1];
        var length = 0;
        foreach (var b in data[zeros..])
        {
            var carry = (int)b;
            for (var i = 0; i < length; i++)
            {
                carry += digits[i] << 8;
                digits[i] = (byte)(carry % 58);
                carry /= 58;
            }
            while (carry > 0)
            {
                digits[length++] = (byte)(carry % 58);
                carry /= 58;
            }
        }
        var chars = new char[zeros + length];
        chars.AsSpan(0, zeros).Fill('1');
        for (var i = 0; i < length; i++)
        {
            chars[zeros + i] = Alphabet[digits[length - 1 - i]];
        }
        return new string(chars);
    }

    private static byte[] Decode(string text)
    {
        var zeros = 0;
        while (zeros < text.Length && text[zeros] == '1')
        {
            zeros++;
        }
        var bytes = new byte[(text.Length * 733 / 1000) + 1];
        var length = 0;
        for (var p = zeros; p < text.Length; p++)
        {
            var carry = Alphabet.IndexOf(text[p], StringComparison.Ordinal);
            if (carry < 0)
            {
                throw new InvalidEncodingException($"invalid Base58 character '{text[p]}'", p);
            }
            for (var i = 0; i < length; i++)
            {
                carry += bytes[i] * 58;
                bytes[i] = (byte)carry;
                carry >>= 8;
            }
            while (carry > 0)
            {
                bytes[length++] = (byte)carry;
                carry >>= 8;
            }
        }
        var result = new byte[zeros + length];
        for (var i = 0; i < length; i++)
        {
            result[zeros + i] = bytes[length - 1 - i];
        }
        return result;
    }
}
