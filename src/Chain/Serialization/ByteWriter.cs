using System.Buffers.Binary;

using Coinshard.Chain.Hashing;

namespace Coinshard.Chain.Serialization;

/// <summary>A growable buffer that writes Bitcoin's wire encoding (the counterpart of <see cref="SpanReader"/>).</summary>
public sealed class ByteWriter
{
    private byte[] _buffer;
    private int _length;

    /// <summary>Creates a writer with an initial capacity.</summary>
    public ByteWriter(int capacity = 256) => _buffer = new byte[Math.Max(capacity, 16)];

    /// <summary>Bytes written so far.</summary>
    public int Length => _length;

    /// <summary>The written bytes (valid until the next write).</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    /// <summary>A copy of the written bytes.</summary>
    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    /// <summary>Forgets the content, keeping the buffer.</summary>
    public void Clear() => _length = 0;

    /// <summary>Writes one byte.</summary>
    public void WriteByte(byte value) => Reserve(1)[0] = value;

    /// <summary>Writes a little-endian unsigned 16-bit integer.</summary>
    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Reserve(2), value);

    /// <summary>Writes a little-endian unsigned 32-bit integer.</summary>
    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Reserve(4), value);

    /// <summary>Writes a little-endian signed 32-bit integer.</summary>
    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Reserve(4), value);

    /// <summary>Writes a little-endian unsigned 64-bit integer.</summary>
    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Reserve(8), value);

    /// <summary>Writes a little-endian signed 64-bit integer.</summary>
    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Reserve(8), value);

    /// <summary>Writes a hash in internal order.</summary>
    public void WriteHash256(Hash256 value) => value.CopyTo(Reserve(Hash256.Size));

    /// <summary>Writes raw bytes.</summary>
    public void WriteBytes(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Reserve(bytes.Length));

    /// <summary>Writes a minimal CompactSize.</summary>
    public void WriteCompactSize(ulong value) => CompactSize.Write(Reserve(CompactSize.GetSize(value)), value);

    /// <summary>Writes a CompactSize length followed by the bytes.</summary>
    public void WriteVarBytes(ReadOnlySpan<byte> bytes)
    {
        WriteCompactSize((ulong)bytes.Length);
        WriteBytes(bytes);
    }

    /// <summary>Writes Bitcoin's VARINT (see <see cref="SpanReader.ReadVarInt"/>).</summary>
    public void WriteVarInt(ulong value)
    {
        Span<byte> tmp = stackalloc byte[VarInt.MaxSize];
        var written = VarInt.Write(tmp, value);
        WriteBytes(tmp[..written]);
    }

    private Span<byte> Reserve(int count)
    {
        if (_length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        }
        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
