namespace Coinshard.Chain.Transactions;

/// <summary>
/// Where the parts of one serialized transaction lie (offsets relative to its first byte), as found
/// by <see cref="TransactionFormat.ReadLayout"/>. The object model and the block scanner both work
/// from this, so they can never disagree about a transaction's structure.
/// </summary>
internal struct TransactionLayout
{
    /// <summary>nVersion.</summary>
    public int Version;

    /// <summary>nLockTime.</summary>
    public uint LockTime;

    /// <summary>The optional-data flags byte as serialized (0 for the legacy format).</summary>
    public byte Flags;

    /// <summary>Number of canonical inputs.</summary>
    public int InputCount;

    /// <summary>Number of canonical outputs.</summary>
    public int OutputCount;

    /// <summary>Offset of the input-count CompactSize that starts the no-witness serialization's vin.</summary>
    public int VinOffset;

    /// <summary>Offset of the first input.</summary>
    public int InputsOffset;

    /// <summary>Offset of the first output.</summary>
    public int OutputsOffset;

    /// <summary>Offset just after the last output (start of the witness, MWEB data or nLockTime).</summary>
    public int OutputsEnd;

    /// <summary>Offset just after the witness section (equal to <see cref="OutputsEnd"/> without witness).</summary>
    public int WitnessEnd;

    /// <summary>Offset of the MWEB OptionalPtr marker byte, or -1 when the MWEB flag is absent.</summary>
    public int MwebOffset;

    /// <summary>Offset just after the MWEB data (equal to <see cref="WitnessEnd"/> without it).</summary>
    public int MwebEnd;

    /// <summary>Total serialized size.</summary>
    public int Size;

    /// <summary>True when at least one input has a non-empty witness stack.</summary>
    public bool HasWitness;

    /// <summary>True for Litecoin's HogEx (MWEB flag with a null MWEB transaction).</summary>
    public bool IsHogEx;

    /// <summary>True when an MWEB transaction (mw::Transaction) is attached.</summary>
    public bool HasMwebTransaction;

    /// <summary>True when no MWEB flag and no witness flag is set: the bytes are their own txid preimage.</summary>
    public readonly bool IsLegacyFormat => Flags == 0;

    /// <summary>Litecoin's MWEB-only transaction: MWEB data and no canonical inputs or outputs.</summary>
    public readonly bool IsMwebOnly => HasMwebTransaction && InputCount == 0 && OutputCount == 0;

    /// <summary>Size of the serialization without witness and without MWEB data (BIP141 "stripped size").</summary>
    public readonly int StrippedSize => IsLegacyFormat ? Size : 4 + (OutputsEnd - VinOffset) + 4;

    /// <summary>Size of the serialization with witness but without MWEB data.</summary>
    public readonly int SizeWithoutMweb
    {
        get
        {
            if (MwebOffset < 0)
            {
                return Size;
            }
            // Without MWEB the flags byte is 1 (witness) or absent.
            return HasWitness ? 4 + 2 + (WitnessEnd - VinOffset) + 4 : StrippedSize;
        }
    }
}
