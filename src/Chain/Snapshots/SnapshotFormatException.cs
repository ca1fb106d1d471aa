namespace Coinshard.Chain.Snapshots;

/// <summary>What is wrong with a <c>dumptxoutset</c> file (see <see cref="SnapshotFormatException"/>).</summary>
public enum SnapshotError
{
    /// <summary>The file ends inside the header or inside a coin.</summary>
    Truncated,

    /// <summary>The file ends cleanly between coins, before the header's coin count is reached.</summary>
    MissingCoins,

    /// <summary>Bytes follow the last coin the header counts (Core: "coins left over").</summary>
    TrailingData,

    /// <summary>The magic bytes are not <c>utxo</c> 0xFF, or the file is not in the format the caller required.</summary>
    BadMagic,

    /// <summary>A version other than 2 follows the magic bytes.</summary>
    UnsupportedVersion,

    /// <summary>The header names another network (or an unknown one) than the one expected.</summary>
    WrongNetwork,

    /// <summary>A txid group claims more coins than the header leaves, or more than Core's CompactSize limit.</summary>
    GroupTooLarge,

    /// <summary>A coin's height is above the base block's height.</summary>
    HeightAboveBase,

    /// <summary>An output index is 0xFFFFFFFF (or, in the current format, above Core's CompactSize limit).</summary>
    InvalidOutputIndex,

    /// <summary>An amount is outside 0 … MAX_MONEY of the currency.</summary>
    AmountOutOfRange,

    /// <summary>A VARINT does not fit the field's 32 or 64 bits.</summary>
    VarIntOverflow,

    /// <summary>A CompactSize is not in its shortest form.</summary>
    NonCanonicalCompactSize,

    /// <summary>A compressed uncompressed-key script (nSize 4/5) holds an x-coordinate that is not on secp256k1.</summary>
    InvalidCompressedPubKey,

    /// <summary>Coins are not in chainstate order (or repeat), which every Core dump is in.</summary>
    OutOfOrder,

    /// <summary>
    /// An older-format header could be 40 or 44 bytes and the first coins do not tell which (both readings give
    /// valid coins, or the better one holds a coin Core never writes); set <see cref="UtxoSnapshotReaderOptions.LegacyHeader"/>.
    /// </summary>
    AmbiguousHeader,
}

/// <summary>
/// A <c>dumptxoutset</c> file is malformed. <see cref="SnapshotError"/> says how, and
/// <see cref="ChainFormatException.Offset"/> (always set) says where: the absolute byte offset in the file.
/// </summary>
public sealed class SnapshotFormatException : ChainFormatException
{
    /// <summary>Creates the exception; the message gets the offset appended.</summary>
    public SnapshotFormatException(SnapshotError error, string message, long offset, Exception? inner = null)
        : base(message, offset, inner)
    {
        Error = error;
        Detail = message;
    }

    /// <summary>The kind of problem.</summary>
    public SnapshotError Error { get; }

    /// <summary>The message without the offset.</summary>
    public string Detail { get; }
}
