namespace Coinshard.Chain.Encoding;

/// <summary>Lower-case hexadecimal, as Bitcoin tools print it. Byte order is never changed here.</summary>
public static class Hex
{
    /// <summary>Encodes bytes as lower-case hex.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>Decodes hex (either case); throws <see cref="InvalidEncodingException"/> naming the problem.</summary>
    public static byte[] Decode(ReadOnlySpan<char> hex)
    {
        if ((hex.Length & 1) != 0)
        {
            throw new InvalidEncodingException($"hex string has an odd number of digits ({hex.Length})");
        }
        var result = new byte[hex.Length / 2];
        var status = Convert.FromHexString(hex, result, out _, out _);
        if (status != System.Buffers.OperationStatus.Done)
        {
            var bad = IndexOfNonHex(hex);
            throw new InvalidEncodingException($"invalid hex digit '{hex[bad]}'", bad);
        }
        return result;
    }

    /// <summary>Decodes hex when it is valid; returns false instead of throwing.</summary>
    public static bool TryDecode(ReadOnlySpan<char> hex, out byte[] bytes)
    {
        bytes = [];
        if ((hex.Length & 1) != 0 || IndexOfNonHex(hex) >= 0)
        {
            return false;
        }
        bytes = Convert.FromHexString(hex);
        return true;
    }

    private static int IndexOfNonHex(ReadOnlySpan<char> hex)
    {
        for (var i = 0; i < hex.Length; i++)
        {
            if (!char.IsAsciiHexDigit(hex[i]))
            {
                return i;
            }
        }
        return -1;
    }
}
