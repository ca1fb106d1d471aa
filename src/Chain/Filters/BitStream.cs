namespace Coinshard.Chain.Filters;

/// <summary>Appends bits most-significant first, as BIP158's Golomb-Rice coding is defined.</summary>
internal sealed class BitWriter
{
    private readonly List<byte> _bytes = [];
    private int _bitsInLast = 8;

    /// <summary>Writes the low <paramref name="count"/> bits of <paramref name="value"/> (0..64), most significant first.</summary>
    public void Write(ulong value, int count)
    {
        while (count > 0)
        {
            if (_bitsInLast == 8)
            {
                _bytes.Add(0);
                _bitsInLast = 0;
            }
            var take = Math.Min(8 - _bitsInLast, count);
            var chunk = (byte)((value >> (count - take)) & ((1UL << take) - 1));
            _bytes[^1] |= (byte)(chunk << (8 - _bitsInLast - take));
            _bitsInLast += take;
            count -= take;
        }
    }

    /// <summary>Writes <paramref name="count"/> one-bits (a unary quotient).</summary>
    public void WriteOnes(ulong count)
    {
        while (count >= 64)
        {
            Write(ulong.MaxValue, 64);
            count -= 64;
        }
        if (count > 0)
        {
            Write(ulong.MaxValue, (int)count);
        }
    }

    /// <summary>The bytes written, the last one zero-padded.</summary>
    public byte[] ToArray() => [.. _bytes];
}

/// <summary>Reads bits most-significant first from a span; running past the end raises <see cref="TruncatedDataException"/>.</summary>
internal ref struct BitReader(ReadOnlySpan<byte> data, long baseOffset)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private long _bitPosition;

    /// <summary>Bytes touched so far (a partially read byte counts as consumed).</summary>
    public readonly int BytesConsumed => (int)((_bitPosition + 7) >> 3);

    /// <summary>Reads one bit.</summary>
    public bool ReadBit()
    {
        var byteIndex = _bitPosition >> 3;
        if (byteIndex >= _data.Length)
        {
            throw new TruncatedDataException("compact filter bit stream ended early", baseOffset + byteIndex);
        }
        var bit = (_data[(int)byteIndex] >> (7 - (int)(_bitPosition & 7))) & 1;
        _bitPosition++;
        return bit != 0;
    }

    /// <summary>Reads <paramref name="count"/> bits (0..64) as an unsigned number, most significant first.</summary>
    public ulong ReadBits(int count)
    {
        ulong value = 0;
        while (count > 0)
        {
            var byteIndex = _bitPosition >> 3;
            if (byteIndex >= _data.Length)
            {
                throw new TruncatedDataException("compact filter bit stream ended early", baseOffset + byteIndex);
            }
            var used = (int)(_bitPosition & 7);
            var take = Math.Min(8 - used, count);
            var chunk = (_data[(int)byteIndex] >> (8 - used - take)) & ((1 << take) - 1);
            value = (value << take) | (uint)chunk;
            _bitPosition += take;
            count -= take;
        }
        return value;
    }
}
