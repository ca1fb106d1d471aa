using System.Buffers.Binary;

using Coinshard.Chain.Encoding;

namespace Coinshard.Chain.Hashing;

/// <summary>
/// A 256-bit hash (txid, block hash, scripthash) held in internal byte order, the order in which
/// it is serialized and hashed. Text is always display order (byte-reversed), as Bitcoin Core and
/// Electrum print it: <see cref="ToString"/> and <see cref="Parse"/> are the only places that reverse.
/// </summary>
public readonly struct Hash256 : IEquatable<Hash256>, IComparable<Hash256>
{
    /// <summary>Size in bytes.</summary>
    public const int Size = 32;

    // Little-endian loads of the internal bytes: _a holds bytes 0..7, _d bytes 24..31.
    private readonly ulong _a, _b, _c, _d;

    /// <summary>The all-zero hash (a coinbase input's previous txid, a genesis block's parent).</summary>
    public static Hash256 Zero => default;

    /// <summary>Creates a hash from exactly 32 bytes in internal order.</summary>
    public Hash256(ReadOnlySpan<byte> internalBytes)
    {
        if (internalBytes.Length != Size)
        {
            throw new ArgumentException($"a 256-bit hash needs 32 bytes, got {internalBytes.Length}", nameof(internalBytes));
        }
        _a = BinaryPrimitives.ReadUInt64LittleEndian(internalBytes);
        _b = BinaryPrimitives.ReadUInt64LittleEndian(internalBytes[8..]);
        _c = BinaryPrimitives.ReadUInt64LittleEndian(internalBytes[16..]);
        _d = BinaryPrimitives.ReadUInt64LittleEndian(internalBytes[24..]);
    }

    /// <summary>
    /// The first 8 internal-order bytes as a little-endian integer: a compact, uniformly distributed
    /// key for indexes and shard routing (finding a second preimage of a given key costs 2^64 work).
    /// </summary>
    public ulong Low64 => _a;

    /// <summary>True for the all-zero hash.</summary>
    public bool IsZero => (_a | _b | _c | _d) == 0;

    /// <summary>Writes the 32 internal-order bytes to <paramref name="destination"/>.</summary>
    public void CopyTo(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException("destination is shorter than 32 bytes", nameof(destination));
        }
        BinaryPrimitives.WriteUInt64LittleEndian(destination, _a);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], _b);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], _c);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[24..], _d);
    }

    /// <summary>The 32 internal-order bytes as a new array.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        CopyTo(bytes);
        return bytes;
    }

    /// <summary>Display hex: the bytes reversed, lower case (as in Bitcoin Core and Electrum).</summary>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Size];
        CopyTo(bytes);
        bytes.Reverse();
        return Hex.Encode(bytes);
    }

    /// <summary>Parses display hex (64 digits, byte-reversed relative to internal order).</summary>
    /// <exception cref="InvalidEncodingException">The text is not 64 hex digits.</exception>
    public static Hash256 Parse(ReadOnlySpan<char> displayHex)
    {
        if (displayHex.Length != Size * 2)
        {
            throw new InvalidEncodingException($"a 256-bit hash is 64 hex digits, got {displayHex.Length}");
        }
        var bytes = Hex.Decode(displayHex);
        bytes.AsSpan().Reverse();
        return new Hash256(bytes);
    }

    /// <summary>Parses display hex; returns false instead of throwing.</summary>
    public static bool TryParse(ReadOnlySpan<char> displayHex, out Hash256 hash)
    {
        hash = default;
        if (displayHex.Length != Size * 2 || !Hex.TryDecode(displayHex, out var bytes))
        {
            return false;
        }
        bytes.AsSpan().Reverse();
        hash = new Hash256(bytes);
        return true;
    }

    /// <inheritdoc />
    public bool Equals(Hash256 other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Hash256 other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => (int)_a ^ (int)(_a >> 32);

    /// <summary>
    /// Orders like Bitcoin Core's <c>uint256</c> comparison: bytewise over the internal order
    /// (the order of the chainstate database and of <c>dumptxoutset</c> files).
    /// </summary>
    public int CompareTo(Hash256 other)
    {
        var c = BinaryPrimitives.ReverseEndianness(_a).CompareTo(BinaryPrimitives.ReverseEndianness(other._a));
        if (c != 0)
        {
            return c;
        }
        c = BinaryPrimitives.ReverseEndianness(_b).CompareTo(BinaryPrimitives.ReverseEndianness(other._b));
        if (c != 0)
        {
            return c;
        }
        c = BinaryPrimitives.ReverseEndianness(_c).CompareTo(BinaryPrimitives.ReverseEndianness(other._c));
        return c != 0 ? c : BinaryPrimitives.ReverseEndianness(_d).CompareTo(BinaryPrimitives.ReverseEndianness(other._d));
    }

    /// <summary>
    /// Orders as the display (reversed) hex strings compare: the order the Electrum protocol uses to
    /// sort mempool transactions. Equivalent to comparing <c>ToString()</c> ordinally, without allocating.
    /// </summary>
    public int CompareDisplayOrder(Hash256 other)
    {
        var c = _d.CompareTo(other._d);
        if (c != 0)
        {
            return c;
        }
        c = _c.CompareTo(other._c);
        if (c != 0)
        {
            return c;
        }
        c = _b.CompareTo(other._b);
        return c != 0 ? c : _a.CompareTo(other._a);
    }

    /// <summary>A comparer for <see cref="CompareDisplayOrder"/>.</summary>
    public static IComparer<Hash256> DisplayOrder { get; } = Comparer<Hash256>.Create((x, y) => x.CompareDisplayOrder(y));

    /// <summary>Equality.</summary>
    public static bool operator ==(Hash256 left, Hash256 right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(Hash256 left, Hash256 right) => !left.Equals(right);

    /// <summary>Internal-order bytewise comparison.</summary>
    public static bool operator <(Hash256 left, Hash256 right) => left.CompareTo(right) < 0;

    /// <summary>Internal-order bytewise comparison.</summary>
    public static bool operator >(Hash256 left, Hash256 right) => left.CompareTo(right) > 0;

    /// <summary>Internal-order bytewise comparison.</summary>
    public static bool operator <=(Hash256 left, Hash256 right) => left.CompareTo(right) <= 0;

    /// <summary>Internal-order bytewise comparison.</summary>
    public static bool operator >=(Hash256 left, Hash256 right) => left.CompareTo(right) >= 0;
}
