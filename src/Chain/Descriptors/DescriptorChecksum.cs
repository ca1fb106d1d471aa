namespace Coinshard.Chain.Descriptors;

/// <summary>
/// The BIP380 descriptor checksum: 8 characters from the bech32 alphabet after <c>#</c>, a BCH
/// code over the descriptor's characters that catches typos in keys, paths and hex.
/// </summary>
public static class DescriptorChecksum
{
    /// <summary>The characters a descriptor may contain, in the order the checksum's symbol mapping needs.</summary>
    public const string InputCharset = "0123456789()[],'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~ijklmnopqrstuvwxyzABCDEFGH`#\"\\ ";

    private const string ChecksumCharset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

    /// <summary>Length of a checksum.</summary>
    public const int Length = 8;

    /// <summary>The checksum of <paramref name="descriptor"/> (which must not include one).</summary>
    /// <exception cref="InvalidDescriptorException">A character is outside <see cref="InputCharset"/>.</exception>
    public static string Compute(string descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ulong c = 1;
        var groups = 0;
        var groupCount = 0;
        for (var i = 0; i < descriptor.Length; i++)
        {
            var position = InputCharset.IndexOf(descriptor[i], StringComparison.Ordinal);
            if (position < 0)
            {
                throw new InvalidDescriptorException($"character '{descriptor[i]}' is not allowed in a descriptor", i);
            }
            c = PolyMod(c, position & 31);
            groups = (groups * 3) + (position >> 5);
            if (++groupCount == 3)
            {
                c = PolyMod(c, groups);
                groups = 0;
                groupCount = 0;
            }
        }
        if (groupCount > 0)
        {
            c = PolyMod(c, groups);
        }
        for (var i = 0; i < Length; i++)
        {
            c = PolyMod(c, 0);
        }
        c ^= 1;
        var result = new char[Length];
        for (var i = 0; i < Length; i++)
        {
            result[i] = ChecksumCharset[(int)((c >> (5 * (7 - i))) & 31)];
        }
        return new string(result);
    }

    /// <summary><paramref name="descriptor"/> followed by <c>#</c> and its checksum.</summary>
    public static string Append(string descriptor) => $"{descriptor}#{Compute(descriptor)}";

    /// <summary>True when <paramref name="text"/> ends in <c>#</c> and the correct checksum.</summary>
    public static bool IsValid(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            var (_, checksum) = Split(text, requireChecksum: true);
            return checksum is not null;
        }
        catch (ChainFormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// Separates the descriptor from its checksum and verifies the checksum when present. Returns
    /// the descriptor body and the checksum (null when absent and not required).
    /// </summary>
    /// <exception cref="InvalidDescriptorException">Bad characters, several <c>#</c>, a checksum that is not 8 characters, or a required checksum missing.</exception>
    /// <exception cref="InvalidChecksumException">The checksum does not match.</exception>
    public static (string Descriptor, string? Checksum) Split(string text, bool requireChecksum)
    {
        ArgumentNullException.ThrowIfNull(text);
        var hash = text.IndexOf('#', StringComparison.Ordinal);
        if (hash < 0)
        {
            if (requireChecksum)
            {
                throw new InvalidDescriptorException("the descriptor has no checksum ('#' and 8 characters) and one is required");
            }
            Compute(text); // validates the character set
            return (text, null);
        }
        var second = text.IndexOf('#', hash + 1);
        if (second >= 0)
        {
            throw new InvalidDescriptorException("a descriptor may contain only one '#'", second);
        }
        var body = text[..hash];
        var given = text[(hash + 1)..];
        if (given.Length != Length)
        {
            throw new InvalidDescriptorException($"a descriptor checksum is {Length} characters after '#', got {given.Length}", hash + 1);
        }
        var computed = Compute(body);
        if (!string.Equals(computed, given, StringComparison.Ordinal))
        {
            throw new InvalidChecksumException($"descriptor checksum '{given}' does not match the computed checksum '{computed}'");
        }
        return (body, given);
    }

    private static ulong PolyMod(ulong c, int value)
    {
        var c0 = (byte)(c >> 35);
        c = ((c & 0x7ffffffffUL) << 5) ^ (ulong)value;
        if ((c0 & 1) != 0)
        {
            c ^= 0xf5dee51989;
        }
        if ((c0 & 2) != 0)
        {
            c ^= 0xa9fdca3312;
        }
        if ((c0 & 4) != 0)
        {
            c ^= 0x1bab10e32d;
        }
        if ((c0 & 8) != 0)
        {
            c ^= 0x3706b1677a;
        }
        if ((c0 & 16) != 0)
        {
            c ^= 0x644d626ffd;
        }
        return c;
    }
}
