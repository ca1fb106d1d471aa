using System.Security.Cryptography;

using Coinshard.Chain.Hashing;
using Coinshard.Chain.Litecoin;
using Coinshard.Chain.Serialization;

namespace Coinshard.Chain.Transactions;

/// <summary>
/// The one structural reader of serialized transactions, shared by <see cref="Transaction"/> (the
/// object model) and <see cref="Blocks.BlockScanner"/> (the zero-allocation hot path). It follows
/// Bitcoin Core's <c>UnserializeTransaction</c> (and Litecoin's, for the MWEB flag) step by step.
/// </summary>
internal static class TransactionFormat
{
    /// <summary>Bitcoin Core's MAX_SIZE: the largest CompactSize accepted for a length or count.</summary>
    public const int MaxSize = 0x02000000;

    /// <summary>Smallest serialized input: 36-byte outpoint, empty script (1), sequence (4).</summary>
    public const int MinInputSize = 41;

    /// <summary>Smallest serialized output: value (8) and an empty script (1).</summary>
    public const int MinOutputSize = 9;

    /// <summary>Smallest serialized transaction: version, empty vin, zero flags, locktime.</summary>
    public const int MinTransactionSize = 10;

    /// <summary>The BIP144 witness flag.</summary>
    public const byte WitnessFlag = 0x01;

    /// <summary>Litecoin's MWEB flag.</summary>
    public const byte MwebFlag = 0x08;

    [ThreadStatic]
    private static IncrementalHash? t_sha256;

    /// <summary>
    /// Reads a CompactSize element count, rejecting counts above MAX_SIZE (as Core does) and counts
    /// the remaining bytes cannot hold, so that no hostile count can drive an allocation.
    /// </summary>
    public static int ReadCount(scoped ref SpanReader reader, string what, int minElementSize) =>
        reader.ReadCount(what, minElementSize, MaxSize);

    /// <summary>Reads a CompactSize length and that many bytes (scripts, witness items), limited like Core's.</summary>
    public static ReadOnlySpan<byte> ReadVarBytes(scoped ref SpanReader reader, string what)
    {
        var start = reader.Offset;
        var length = reader.ReadCompactSize();
        if (length > MaxSize)
        {
            throw new SizeLimitExceededException($"{what} length {length} exceeds the limit of {MaxSize}", start);
        }
        if (length > (ulong)reader.Remaining)
        {
            throw new TruncatedDataException($"{what} claims {length} bytes but only {reader.Remaining} remain", start);
        }
        return reader.ReadBytes((int)length, what);
    }

    /// <summary>Reads one input: the 36-byte outpoint (txid, index), scriptSig and nSequence.</summary>
    public static void ReadInput(scoped ref SpanReader reader, out ReadOnlySpan<byte> prevOut, out ReadOnlySpan<byte> scriptSig, out uint sequence)
    {
        prevOut = reader.ReadBytes(Hash256.Size + 4, "input outpoint");
        scriptSig = ReadVarBytes(ref reader, "scriptSig");
        sequence = reader.ReadUInt32();
    }

    /// <summary>Reads one output: value in satoshis and scriptPubKey.</summary>
    public static void ReadOutput(scoped ref SpanReader reader, out long value, out ReadOnlySpan<byte> scriptPubKey)
    {
        value = reader.ReadInt64();
        scriptPubKey = ReadVarBytes(ref reader, "scriptPubKey");
    }

    /// <summary>Reads the item count of one input's witness stack.</summary>
    public static int ReadWitnessItemCount(scoped ref SpanReader reader) => ReadCount(ref reader, "witness item", 1);

    /// <summary>Reads one witness stack item.</summary>
    public static ReadOnlySpan<byte> ReadWitnessItem(scoped ref SpanReader reader) => ReadVarBytes(ref reader, "witness item");

    /// <summary>
    /// Walks one transaction from the reader's position, validating its structure exactly as Core's
    /// <c>UnserializeTransaction</c> does, and returns where its parts lie. The MWEB flag (0x08) is
    /// accepted only when <paramref name="allowMweb"/> (Litecoin); elsewhere it is an unknown flag.
    /// </summary>
    public static TransactionLayout ReadLayout(scoped ref SpanReader reader, bool allowMweb)
    {
        var start = reader.Position;
        var layout = new TransactionLayout { MwebOffset = -1 };
        layout.Version = reader.ReadInt32();
        layout.VinOffset = reader.Position - start;
        var inputCount = ReadCount(ref reader, "transaction input", MinInputSize);
        long flagsOffset = -1;
        byte flags = 0;
        if (inputCount == 0)
        {
            // Either an empty vin or the extended format's dummy: the next byte is the flags.
            flagsOffset = reader.Offset;
            flags = reader.ReadByte();
            if (flags != 0)
            {
                layout.VinOffset = reader.Position - start;
                inputCount = ReadCount(ref reader, "transaction input", MinInputSize);
                layout.InputsOffset = reader.Position - start;
                SkipInputs(ref reader, inputCount);
                layout.OutputCount = ReadCount(ref reader, "transaction output", MinOutputSize);
                layout.OutputsOffset = reader.Position - start;
                SkipOutputs(ref reader, layout.OutputCount);
            }
            else
            {
                // Empty vin and, with it, an empty vout: the zero byte served as both.
                layout.InputsOffset = reader.Position - start;
                layout.OutputsOffset = reader.Position - start;
            }
        }
        else
        {
            layout.InputsOffset = reader.Position - start;
            SkipInputs(ref reader, inputCount);
            layout.OutputCount = ReadCount(ref reader, "transaction output", MinOutputSize);
            layout.OutputsOffset = reader.Position - start;
            SkipOutputs(ref reader, layout.OutputCount);
        }
        layout.InputCount = inputCount;
        layout.Flags = flags;
        layout.OutputsEnd = reader.Position - start;

        var remainingFlags = flags;
        if ((remainingFlags & WitnessFlag) != 0)
        {
            remainingFlags ^= WitnessFlag;
            for (var i = 0; i < inputCount; i++)
            {
                var items = ReadWitnessItemCount(ref reader);
                layout.HasWitness |= items != 0;
                for (var j = 0; j < items; j++)
                {
                    ReadWitnessItem(ref reader);
                }
            }
            if (!layout.HasWitness)
            {
                throw new InvalidDataException("superfluous witness record: the witness flag is set but every witness stack is empty", flagsOffset);
            }
        }
        layout.WitnessEnd = reader.Position - start;

        if ((remainingFlags & MwebFlag) != 0 && allowMweb)
        {
            remainingFlags ^= MwebFlag;
            layout.MwebOffset = reader.Position - start;
            var markerOffset = reader.Offset;
            switch (reader.ReadByte())
            {
                case 0:
                    if (layout.OutputCount == 0)
                    {
                        throw new InvalidDataException("missing HogEx output: the MWEB flag without MWEB data marks a HogEx, which needs outputs", markerOffset);
                    }
                    layout.IsHogEx = true;
                    break;
                case 1:
                    MwebFormat.ReadTransaction(ref reader, null);
                    layout.HasMwebTransaction = true;
                    break;
                case var other:
                    // Core reads any value but 1 as "absent" and would write it back as 0.
                    throw new NonCanonicalEncodingException($"MWEB transaction presence byte must be 0 or 1, got {other}", markerOffset);
            }
        }
        layout.MwebEnd = reader.Position - start;

        if (remainingFlags != 0)
        {
            throw new InvalidDataException($"unknown transaction optional data: flags 0x{flags:x2}", flagsOffset);
        }
        layout.LockTime = reader.ReadUInt32();
        layout.Size = reader.Position - start;
        return layout;
    }

    /// <summary>
    /// The txid: SHA-256d of the serialization without witness and without MWEB data (for the
    /// legacy format that is the whole transaction). Allocation-free; reuses a per-thread hasher.
    /// An MWEB-only transaction's node txid is a BLAKE3 hash instead; callers handle that case.
    /// </summary>
    public static Hash256 ComputeTxId(ReadOnlySpan<byte> tx, in TransactionLayout layout)
    {
        // A reused IncrementalHash is measurably cheaper per call than the one-shot API, which
        // matters when hashing thousands of small transactions per block.
        var sha = t_sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (layout.IsLegacyFormat)
        {
            sha.AppendData(tx[..layout.Size]);
        }
        else
        {
            sha.AppendData(tx[..4]);
            sha.AppendData(tx[layout.VinOffset..layout.OutputsEnd]);
            sha.AppendData(tx.Slice(layout.Size - 4, 4));
        }
        return FinishDoubleSha256(sha);
    }

    /// <summary>
    /// The wtxid: SHA-256d of the serialization with witness and without MWEB data; equal to the
    /// txid when there is no witness.
    /// </summary>
    public static Hash256 ComputeWTxId(ReadOnlySpan<byte> tx, in TransactionLayout layout, Hash256 txId)
    {
        if (!layout.HasWitness)
        {
            return txId;
        }
        var sha = t_sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (layout.MwebOffset < 0)
        {
            sha.AppendData(tx[..layout.Size]);
        }
        else
        {
            ReadOnlySpan<byte> markerAndFlags = [0x00, WitnessFlag];
            sha.AppendData(tx[..4]);
            sha.AppendData(markerAndFlags);
            sha.AppendData(tx[layout.VinOffset..layout.WitnessEnd]);
            sha.AppendData(tx.Slice(layout.Size - 4, 4));
        }
        return FinishDoubleSha256(sha);
    }

    private static Hash256 FinishDoubleSha256(IncrementalHash sha)
    {
        Span<byte> hash = stackalloc byte[32];
        sha.GetHashAndReset(hash);
        sha.AppendData(hash);
        sha.GetHashAndReset(hash);
        return new Hash256(hash);
    }

    /// <summary>True when the single input of <paramref name="tx"/> spends the null outpoint (a coinbase).</summary>
    public static bool IsCoinbase(ReadOnlySpan<byte> tx, in TransactionLayout layout)
    {
        if (layout.InputCount != 1)
        {
            return false;
        }
        var prevOut = tx.Slice(layout.InputsOffset, Hash256.Size + 4);
        return prevOut[..Hash256.Size].IndexOfAnyExcept((byte)0) < 0
            && prevOut[Hash256.Size..].IndexOfAnyExcept((byte)0xFF) < 0;
    }

    private static void SkipInputs(scoped ref SpanReader reader, int count)
    {
        for (var i = 0; i < count; i++)
        {
            ReadInput(ref reader, out _, out _, out _);
        }
    }

    private static void SkipOutputs(scoped ref SpanReader reader, int count)
    {
        for (var i = 0; i < count; i++)
        {
            ReadOutput(ref reader, out _, out _);
        }
    }
}
