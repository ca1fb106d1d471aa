namespace Coinshard.Chain.Serialization;

/// <summary>
/// Bitcoin's VARINT (serialize.h <c>WriteVarInt</c>): MSB base-128 where each continuation byte
/// implicitly adds one, so every value has exactly one encoding. Reading is in <see cref="SpanReader.ReadVarInt"/>.
/// </summary>
public static class VarInt
{
    /// <summary>Largest encoding of a 64-bit value.</summary>
    public const int MaxSize = 10;

    /// <summary>Writes <paramref name="value"/>; returns the bytes written (at most <see cref="MaxSize"/>).</summary>
    public static int Write(Span<byte> destination, ulong value)
    {
        Span<byte> tmp = stackalloc byte[MaxSize];
        var len = 0;
        while (true)
        {
            tmp[len] = (byte)((value & 0x7F) | (len != 0 ? 0x80u : 0u));
            if (value <= 0x7F)
            {
                break;
            }
            value = (value >> 7) - 1;
            len++;
        }
        for (var i = 0; i <= len; i++)
        {
            destination[i] = tmp[len - i];
        }
        return len + 1;
    }

    /// <summary>Encoded size of <paramref name="value"/>.</summary>
    public static int GetSize(ulong value)
    {
        var size = 1;
        while (value > 0x7F)
        {
            value = (value >> 7) - 1;
            size++;
        }
        return size;
    }
}
