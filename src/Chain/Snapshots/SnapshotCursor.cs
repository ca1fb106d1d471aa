using System.Buffers.Binary;
using System.Runtime.CompilerServices;

using Coinshard.Chain.Hashing;

namespace Coinshard.Chain.Snapshots;

/// <summary>
/// Reads the primitives of a snapshot file from a buffered window, failing with a
/// <see cref="SnapshotFormatException"/> at the absolute file offset. It differs from
/// <see cref="Serialization.SpanReader"/> where Core's snapshot loader does: VARINTs are limited to the
/// field's width (Core's <c>ReadVarInt&lt;uint32_t&gt;</c> for codes and script sizes), and every error is a
/// snapshot error (truncation inside a coin, overflow, non-canonical CompactSize).
/// </summary>
internal ref struct SnapshotCursor
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly long _baseOffset;
    private int _position;

    public SnapshotCursor(ReadOnlySpan<byte> data, long baseOffset)
    {
        _data = data;
        _baseOffset = baseOffset;
        _position = 0;
    }

    /// <summary>Bytes consumed.</summary>
    public readonly int Position => _position;

    /// <summary>Bytes left in the window.</summary>
    public readonly int Remaining => _data.Length - _position;

    /// <summary>Absolute file offset of the next byte.</summary>
    public readonly long Offset => _baseOffset + _position;

    /// <summary>The absolute file offset of window position <paramref name="position"/>.</summary>
    public readonly long OffsetOf(int position) => _baseOffset + position;

    /// <summary>A slice of the window by position (for bytes already consumed).</summary>
    public readonly ReadOnlySpan<byte> Slice(int start, int length) => _data.Slice(start, length);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte ReadByte(string what)
    {
        if ((uint)_position >= (uint)_data.Length)
        {
            ThrowTruncated(what, 1);
        }
        return _data[_position++];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> ReadBytes(int count, string what)
    {
        if (count > _data.Length - _position)
        {
            ThrowTruncated(what, count);
        }
        var slice = _data.Slice(_position, count);
        _position += count;
        return slice;
    }

    /// <summary>Moves past <paramref name="count"/> bytes without reading them (the caller checked they exist).</summary>
    public void Advance(int count) => _position += count;

    public ushort ReadUInt16(string what) => BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2, what));

    public uint ReadUInt32(string what) => BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4, what));

    public ulong ReadUInt64(string what) => BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8, what));

    public Hash256 ReadHash(string what) => new(ReadBytes(Hash256.Size, what));

    /// <summary>
    /// Core's <c>ReadVarInt</c> for an unsigned type whose largest value is <paramref name="max"/>: MSB base-128
    /// with one added per continuation byte; an encoding that would exceed <paramref name="max"/> is rejected.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadVarInt(ulong max, string what)
    {
        if ((uint)_position < (uint)_data.Length && _data[_position] < 0x80)
        {
            return _data[_position++];
        }
        return ReadVarIntSlow(max, what);
    }

    private ulong ReadVarIntSlow(ulong max, string what)
    {
        var start = Offset;
        ulong n = 0;
        while (true)
        {
            var b = ReadByte(what);
            if (n > (max >> 7))
            {
                throw new SnapshotFormatException(SnapshotError.VarIntOverflow, $"{what}: VARINT exceeds {BitWidth(max)} bits", start);
            }
            n = (n << 7) | (uint)(b & 0x7F);
            if ((b & 0x80) == 0)
            {
                return n;
            }
            if (n == max)
            {
                throw new SnapshotFormatException(SnapshotError.VarIntOverflow, $"{what}: VARINT exceeds {BitWidth(max)} bits", start);
            }
            n++;
        }
    }

    /// <summary>A CompactSize in its shortest form (Core rejects the others).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadCompactSize(string what)
    {
        if ((uint)_position < (uint)_data.Length && _data[_position] < 0xFD)
        {
            return _data[_position++];
        }
        return ReadCompactSizeSlow(what);
    }

    private ulong ReadCompactSizeSlow(string what)
    {
        var start = Offset;
        var first = ReadByte(what);
        ulong value, minimum;
        switch (first)
        {
            case 0xFD:
                value = ReadUInt16(what);
                minimum = 0xFD;
                break;
            case 0xFE:
                value = ReadUInt32(what);
                minimum = 0x1_0000;
                break;
            default:
                value = ReadUInt64(what);
                minimum = 0x1_0000_0000;
                break;
        }
        if (value < minimum)
        {
            throw new SnapshotFormatException(
                SnapshotError.NonCanonicalCompactSize, $"{what}: non-canonical CompactSize {value} with prefix 0x{first:X2}", start);
        }
        return value;
    }

    private static int BitWidth(ulong max) => 64 - System.Numerics.BitOperations.LeadingZeroCount(max);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly void ThrowTruncated(string what, int needed) =>
        throw new SnapshotFormatException(
            SnapshotError.Truncated, $"the file ends inside {what}: {needed} bytes needed, {Remaining} left", Offset);
}
