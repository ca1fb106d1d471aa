using System.Buffers.Binary;

using Coinshard.Chain.Hashing;

namespace Coinshard.Chain.Serialization;

/// <summary>
/// Reads Bitcoin's wire encoding from a span without allocating. Every read is bounds-checked and
/// fails with a specific <see cref="ChainFormatException"/> carrying the absolute byte offset, so
/// malformed or hostile input can never cause an out-of-range access or a huge allocation.
/// </summary>
public ref struct SpanReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly long _baseOffset;
    private int _position;

    /// <summary>Creates a reader over <paramref name="data"/>; <paramref name="baseOffset"/> is added to offsets in error messages.</summary>
    public SpanReader(ReadOnlySpan<byte> data, long baseOffset = 0)
    {
        _data = data;
        _baseOffset = baseOffset;
        _position = 0;
    }

    /// <summary>Bytes consumed so far.</summary>
    public readonly int Position => _position;

    /// <summary>Bytes not yet consumed.</summary>
    public readonly int Remaining => _data.Length - _position;

    /// <summary>True when every byte has been consumed.</summary>
    public readonly bool IsAtEnd => _position == _data.Length;

    /// <summary>Absolute offset of the next byte (for error messages).</summary>
    public readonly long Offset => _baseOffset + _position;

    /// <summary>The whole underlying span.</summary>
    public readonly ReadOnlySpan<byte> Data => _data;

    /// <summary>The bytes from <paramref name="start"/> up to the current position.</summary>
    public readonly ReadOnlySpan<byte> Since(int start) => _data[start.._position];

    /// <summary>The next byte without consuming it.</summary>
    public readonly byte PeekByte()
    {
        if (_position >= _data.Length)
        {
            throw Truncated(1, "byte");
        }
        return _data[_position];
    }

    /// <summary>Reads one byte.</summary>
    public byte ReadByte()
    {
        if (_position >= _data.Length)
        {
            throw Truncated(1, "byte");
        }
        return _data[_position++];
    }

    /// <summary>Reads a little-endian unsigned 16-bit integer.</summary>
    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, "uint16"));

    /// <summary>Reads a little-endian unsigned 32-bit integer.</summary>
    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, "uint32"));

    /// <summary>Reads a little-endian signed 32-bit integer.</summary>
    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4, "int32"));

    /// <summary>Reads a little-endian unsigned 64-bit integer.</summary>
    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, "uint64"));

    /// <summary>Reads a little-endian signed 64-bit integer.</summary>
    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8, "int64"));

    /// <summary>Reads a 32-byte hash in internal order.</summary>
    public Hash256 ReadHash256() => new(Take(Hash256.Size, "256-bit hash"));

    /// <summary>Reads exactly <paramref name="count"/> bytes as a slice of the input.</summary>
    public ReadOnlySpan<byte> ReadBytes(int count, string what = "bytes")
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return Take(count, what);
    }

    /// <summary>Skips <paramref name="count"/> bytes.</summary>
    public void Skip(int count, string what = "bytes") => ReadBytes(count, what);

    /// <summary>
    /// Reads a CompactSize (1, 3, 5 or 9 bytes). Non-minimal encodings are rejected, as Bitcoin Core does.
    /// </summary>
    public ulong ReadCompactSize()
    {
        var start = Offset;
        var first = ReadByte();
        ulong value;
        ulong minimum;
        switch (first)
        {
            case < 0xFD:
                return first;
            case 0xFD:
                value = ReadUInt16();
                minimum = 0xFD;
                break;
            case 0xFE:
                value = ReadUInt32();
                minimum = 0x10000;
                break;
            default:
                value = ReadUInt64();
                minimum = 0x100000000;
                break;
        }
        if (value < minimum)
        {
            throw new NonCanonicalEncodingException($"non-canonical CompactSize: {value} encoded with prefix 0x{first:X2}", start);
        }
        return value;
    }

    /// <summary>
    /// Reads a CompactSize element count and rejects it when the remaining input cannot possibly
    /// hold that many elements of at least <paramref name="minElementSize"/> bytes, or when it
    /// exceeds <paramref name="limit"/>. This keeps hostile counts from driving allocations.
    /// </summary>
    public int ReadCount(string what, int minElementSize, int limit = int.MaxValue)
    {
        var start = Offset;
        var count = ReadCompactSize();
        if (count > (ulong)limit)
        {
            throw new SizeLimitExceededException($"{what} count {count} exceeds the limit of {limit}", start);
        }
        if (minElementSize > 0 && count > (ulong)(Remaining / minElementSize))
        {
            throw new SizeLimitExceededException(
                $"{what} count {count} needs at least {count * (ulong)minElementSize} bytes but only {Remaining} remain", start);
        }
        return (int)count;
    }

    /// <summary>Reads a CompactSize length followed by that many bytes (scripts, witness items, pushes).</summary>
    public ReadOnlySpan<byte> ReadVarBytes(string what = "byte string")
    {
        var start = Offset;
        var length = ReadCompactSize();
        if (length > (ulong)Remaining)
        {
            throw new TruncatedDataException($"{what} claims {length} bytes but only {Remaining} remain", start);
        }
        return Take((int)length, what);
    }

    /// <summary>
    /// Reads Bitcoin's VARINT: MSB base-128 where every continuation adds one, as used in the
    /// chainstate and in <c>dumptxoutset</c> coins. Overflow past 64 bits is rejected.
    /// </summary>
    public ulong ReadVarInt()
    {
        var start = Offset;
        ulong n = 0;
        while (true)
        {
            var b = ReadByte();
            if (n > (ulong.MaxValue >> 7))
            {
                throw new SizeLimitExceededException("VARINT overflows 64 bits", start);
            }
            n = (n << 7) | (uint)(b & 0x7F);
            if ((b & 0x80) == 0)
            {
                return n;
            }
            if (n == ulong.MaxValue)
            {
                throw new SizeLimitExceededException("VARINT overflows 64 bits", start);
            }
            n++;
        }
    }

    /// <summary>Throws <see cref="TrailingDataException"/> when input remains after <paramref name="what"/>.</summary>
    public readonly void EnsureAtEnd(string what)
    {
        if (!IsAtEnd)
        {
            throw new TrailingDataException($"{Remaining} unexpected bytes after {what}", Offset);
        }
    }

    private ReadOnlySpan<byte> Take(int count, string what)
    {
        if (count > _data.Length - _position)
        {
            throw Truncated(count, what);
        }
        var slice = _data.Slice(_position, count);
        _position += count;
        return slice;
    }

    private readonly TruncatedDataException Truncated(int needed, string what) =>
        new($"unexpected end of data reading {what}: needed {needed} bytes, {Remaining} remain", Offset);
}
