using System.Globalization;

using Coinshard.Chain.Hashing;

namespace Coinshard.Chain.Transactions;

/// <summary>
/// A reference to one output of an earlier transaction: the key of the UTXO set. The null
/// outpoint (zero txid, index 0xFFFFFFFF) is what a coinbase input "spends".
/// </summary>
public readonly struct OutPoint : IEquatable<OutPoint>, IComparable<OutPoint>
{
    /// <summary>Index value of the null outpoint.</summary>
    public const uint NullIndex = uint.MaxValue;

    /// <summary>Creates an outpoint.</summary>
    public OutPoint(Hash256 txId, uint index)
    {
        TxId = txId;
        Index = index;
    }

    /// <summary>The outpoint a coinbase input refers to.</summary>
    public static OutPoint Null => new(Hash256.Zero, NullIndex);

    /// <summary>Id of the transaction holding the output.</summary>
    public Hash256 TxId { get; }

    /// <summary>Position of the output in that transaction's outputs.</summary>
    public uint Index { get; }

    /// <summary>True for the coinbase's null outpoint.</summary>
    public bool IsNull => Index == NullIndex && TxId.IsZero;

    /// <inheritdoc />
    public bool Equals(OutPoint other) => TxId == other.TxId && Index == other.Index;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is OutPoint other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(TxId, Index);

    /// <summary>Orders like Core's COutPoint: by txid (internal bytes), then index.</summary>
    public int CompareTo(OutPoint other)
    {
        var c = TxId.CompareTo(other.TxId);
        return c != 0 ? c : Index.CompareTo(other.Index);
    }

    /// <summary><c>txid:index</c> with the txid in display order, as Electrum and Core print outpoints.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{TxId}:{Index}");

    /// <summary>Equality.</summary>
    public static bool operator ==(OutPoint left, OutPoint right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(OutPoint left, OutPoint right) => !left.Equals(right);

    /// <summary>Core's ordering.</summary>
    public static bool operator <(OutPoint left, OutPoint right) => left.CompareTo(right) < 0;

    /// <summary>Core's ordering.</summary>
    public static bool operator >(OutPoint left, OutPoint right) => left.CompareTo(right) > 0;

    /// <summary>Core's ordering.</summary>
    public static bool operator <=(OutPoint left, OutPoint right) => left.CompareTo(right) <= 0;

    /// <summary>Core's ordering.</summary>
    public static bool operator >=(OutPoint left, OutPoint right) => left.CompareTo(right) >= 0;

    internal static OutPoint FromBytes(ReadOnlySpan<byte> serialized) =>
        new(new Hash256(serialized[..Hash256.Size]), System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(serialized[Hash256.Size..]));
}
