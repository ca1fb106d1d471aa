using System.Buffers.Binary;

namespace Coinshard.Chain.Serialization;

/// <summary>Bitcoin's CompactSize length prefix (1, 3, 5 or 9 bytes). Reading is in <see cref="SpanReader.ReadCompactSize"/>.</summary>
public static class CompactSize
{
    /// <summary>Encoded size of <paramref name="value"/> in bytes.</summary>
    public static int GetSize(ulong value) => value switch
    {
        < 0xFD => 1,
        <= 0xFFFF => 3,
        <= 0xFFFF_FFFF => 5,
        _ => 9,
    };

    /// <summary>Writes the minimal encoding into <paramref name="destination"/>; returns the bytes written.</summary>
    public static int Write(Span<byte> destination, ulong value)
    {
        switch (value)
        {
            case < 0xFD:
                destination[0] = (byte)value;
                return 1;
            case <= 0xFFFF:
                destination[0] = 0xFD;
                BinaryPrimitives.WriteUInt16LittleEndian(destination[1..], (ushort)value);
                return 3;
            case <= 0xFFFF_FFFF:
                destination[0] = 0xFE;
                BinaryPrimitives.WriteUInt32LittleEndian(destination[1..], (uint)value);
                return 5;
            default:
                destination[0] = 0xFF;
                BinaryPrimitives.WriteUInt64LittleEndian(destination[1..], value);
                return 9;
        }
    }
}
