using Coinshard.Chain.Serialization;
using Coinshard.Chain.Transactions;

namespace Coinshard.Chain.Litecoin;

/// <summary>
/// Structural reader of Litecoin's MWEB serialization (libmw's <c>mw::Transaction</c>,
/// <c>mw::Block</c>, <c>mw::Header</c>, <c>mw::TxBody</c>, <c>mw::Input</c>, <c>mw::Output</c>,
/// <c>mw::Kernel</c>, <c>PegOutCoin</c>). It finds each structure's exact extent, applies the checks
/// libmw makes while deserializing, and totals what an indexer needs; the confidential parts
/// (commitments, range proofs, signatures) are skipped as fixed-size byte strings.
/// </summary>
internal static class MwebFormat
{
    public const int HashSize = 32;
    public const int BlindingFactorSize = 32;
    public const int CommitmentSize = 33;
    public const int PublicKeySize = 33;
    public const int SignatureSize = 64;
    public const int RangeProofSize = 675;

    // Smallest serialized elements, for hostile-count checks.
    public const int MinInputSize = 1 + HashSize + CommitmentSize + PublicKeySize + SignatureSize;
    public const int MinOutputSize = CommitmentSize + PublicKeySize + PublicKeySize + 1 + RangeProofSize + SignatureSize;
    public const int MinKernelSize = 1 + CommitmentSize + SignatureSize;
    public const int MinPegOutSize = 1 + 1 + 1;

    private const byte InputStealthKeyFeature = 0x01;
    private const byte InputExtraDataFeature = 0x02;
    private const byte OutputStandardFieldsFeature = 0x01;
    private const byte OutputExtraDataFeature = 0x02;
    private const byte KernelFeeFeature = 0x01;
    private const byte KernelPegInFeature = 0x02;
    private const byte KernelPegOutFeature = 0x04;
    private const byte KernelHeightLockFeature = 0x08;
    private const byte KernelStealthExcessFeature = 0x10;
    private const byte KernelExtraDataFeature = 0x20;

    /// <summary>Reads an mw::Transaction: kernel offset, stealth offset, body (which must have a kernel).</summary>
    public static MwebBodyTotals ReadTransaction(scoped ref SpanReader reader, MwebBodyCollector? collector)
    {
        reader.Skip(BlindingFactorSize, "MWEB kernel offset");
        reader.Skip(BlindingFactorSize, "MWEB stealth offset");
        var bodyOffset = reader.Offset;
        var totals = ReadBody(ref reader, collector);
        if (totals.KernelCount == 0)
        {
            throw new InvalidDataException("MWEB transaction requires at least one kernel", bodyOffset);
        }
        return totals;
    }

    /// <summary>Reads an mw::Header (into <paramref name="header"/> when given).</summary>
    public static void ReadHeader(scoped ref SpanReader reader, MwebHeaderFields? header)
    {
        var height = ReadVarIntInt32(ref reader, "MWEB header height");
        var outputRoot = reader.ReadBytes(HashSize, "MWEB output root");
        var kernelRoot = reader.ReadBytes(HashSize, "MWEB kernel root");
        var leafsetRoot = reader.ReadBytes(HashSize, "MWEB leafset root");
        var kernelOffset = reader.ReadBytes(BlindingFactorSize, "MWEB kernel offset");
        var stealthOffset = reader.ReadBytes(BlindingFactorSize, "MWEB stealth offset");
        var outputMmrSize = reader.ReadVarInt();
        var kernelMmrSize = reader.ReadVarInt();
        if (header is not null)
        {
            header.Height = height;
            header.OutputRoot = outputRoot.ToArray();
            header.KernelRoot = kernelRoot.ToArray();
            header.LeafsetRoot = leafsetRoot.ToArray();
            header.KernelOffset = kernelOffset.ToArray();
            header.StealthOffset = stealthOffset.ToArray();
            header.OutputMmrSize = outputMmrSize;
            header.KernelMmrSize = kernelMmrSize;
        }
    }

    /// <summary>Reads an mw::Block: header, then body.</summary>
    public static MwebBodyTotals ReadBlock(scoped ref SpanReader reader, MwebHeaderFields? header, MwebBodyCollector? collector)
    {
        ReadHeader(ref reader, header);
        return ReadBody(ref reader, collector);
    }

    /// <summary>Reads an mw::TxBody: vectors of inputs, outputs and kernels.</summary>
    public static MwebBodyTotals ReadBody(scoped ref SpanReader reader, MwebBodyCollector? collector)
    {
        var totals = default(MwebBodyTotals);
        totals.InputCount = TransactionFormat.ReadCount(ref reader, "MWEB input", MinInputSize);
        for (var i = 0; i < totals.InputCount; i++)
        {
            SkipInput(ref reader);
        }
        totals.OutputCount = TransactionFormat.ReadCount(ref reader, "MWEB output", MinOutputSize);
        for (var i = 0; i < totals.OutputCount; i++)
        {
            SkipOutput(ref reader);
        }
        totals.KernelCount = TransactionFormat.ReadCount(ref reader, "MWEB kernel", MinKernelSize);
        for (var i = 0; i < totals.KernelCount; i++)
        {
            ReadKernel(ref reader, ref totals, collector);
        }
        return totals;
    }

    private static void SkipInput(scoped ref SpanReader reader)
    {
        var features = reader.ReadByte();
        reader.Skip(HashSize, "MWEB input output id");
        reader.Skip(CommitmentSize, "MWEB input commitment");
        reader.Skip(PublicKeySize, "MWEB input output public key");
        if ((features & InputStealthKeyFeature) != 0)
        {
            reader.Skip(PublicKeySize, "MWEB input public key");
        }
        if ((features & InputExtraDataFeature) != 0)
        {
            TransactionFormat.ReadVarBytes(ref reader, "MWEB input extra data");
        }
        reader.Skip(SignatureSize, "MWEB input signature");
    }

    private static void SkipOutput(scoped ref SpanReader reader)
    {
        reader.Skip(CommitmentSize, "MWEB output commitment");
        reader.Skip(PublicKeySize, "MWEB output sender public key");
        reader.Skip(PublicKeySize, "MWEB output receiver public key");
        var features = reader.ReadByte();
        if ((features & OutputStandardFieldsFeature) != 0)
        {
            reader.Skip(PublicKeySize + 1 + 8 + 16, "MWEB output standard fields");
        }
        if ((features & OutputExtraDataFeature) != 0)
        {
            TransactionFormat.ReadVarBytes(ref reader, "MWEB output extra data");
        }
        reader.Skip(RangeProofSize, "MWEB output range proof");
        reader.Skip(SignatureSize, "MWEB output signature");
    }

    private static void ReadKernel(scoped ref SpanReader reader, ref MwebBodyTotals totals, MwebBodyCollector? collector)
    {
        var features = reader.ReadByte();
        if ((features & KernelFeeFeature) != 0)
        {
            totals.TotalFee = Add(totals.TotalFee, ReadVarIntInt64(ref reader, "MWEB kernel fee"), "MWEB fee total", reader.Offset);
        }
        if ((features & KernelPegInFeature) != 0)
        {
            var pegIn = ReadVarIntInt64(ref reader, "MWEB kernel peg-in amount");
            totals.PegInTotal = Add(totals.PegInTotal, pegIn, "MWEB peg-in total", reader.Offset);
            totals.PegInCount++;
            collector?.PegIns.Add(pegIn);
        }
        if ((features & KernelPegOutFeature) != 0)
        {
            var count = TransactionFormat.ReadCount(ref reader, "MWEB peg-out", MinPegOutSize);
            for (var i = 0; i < count; i++)
            {
                var amount = ReadVarIntInt64(ref reader, "MWEB peg-out amount");
                var scriptOffset = reader.Offset;
                var script = TransactionFormat.ReadVarBytes(ref reader, "MWEB peg-out scriptPubKey");
                if (script.IsEmpty)
                {
                    throw new InvalidDataException("MWEB peg-out scriptPubKey must not be empty", scriptOffset);
                }
                totals.PegOutTotal = Add(totals.PegOutTotal, amount, "MWEB peg-out total", reader.Offset);
                totals.PegOutCount++;
                collector?.PegOuts.Add(new MwebPegOut(amount, script.ToArray()));
            }
        }
        if ((features & KernelHeightLockFeature) != 0)
        {
            ReadVarIntInt32(ref reader, "MWEB kernel lock height");
        }
        if ((features & KernelStealthExcessFeature) != 0)
        {
            reader.Skip(PublicKeySize, "MWEB kernel stealth excess");
        }
        if ((features & KernelExtraDataFeature) != 0)
        {
            TransactionFormat.ReadVarBytes(ref reader, "MWEB kernel extra data");
        }
        reader.Skip(CommitmentSize, "MWEB kernel excess");
        reader.Skip(SignatureSize, "MWEB kernel signature");
    }

    // Core's ReadVarInt<NONNEGATIVE_SIGNED, int64_t>: the value must fit the signed type.
    private static long ReadVarIntInt64(scoped ref SpanReader reader, string what)
    {
        var start = reader.Offset;
        var value = reader.ReadVarInt();
        if (value > long.MaxValue)
        {
            throw new SizeLimitExceededException($"{what} VARINT {value} exceeds the int64 range", start);
        }
        return (long)value;
    }

    private static int ReadVarIntInt32(scoped ref SpanReader reader, string what)
    {
        var start = reader.Offset;
        var value = reader.ReadVarInt();
        if (value > int.MaxValue)
        {
            throw new SizeLimitExceededException($"{what} VARINT {value} exceeds the int32 range", start);
        }
        return (int)value;
    }

    private static long Add(long total, long amount, string what, long offset)
    {
        var sum = total + amount;
        if (sum < total)
        {
            throw new InvalidDataException($"{what} overflows 64 bits", offset);
        }
        return sum;
    }
}

/// <summary>Counts and amount totals of an MWEB body, gathered without allocating.</summary>
internal struct MwebBodyTotals
{
    public int InputCount;
    public int OutputCount;
    public int KernelCount;
    public int PegInCount;
    public int PegOutCount;
    public long PegInTotal;
    public long PegOutTotal;
    public long TotalFee;
}

/// <summary>Receives the per-kernel peg-ins and peg-outs when the object model wants them.</summary>
internal sealed class MwebBodyCollector
{
    public List<long> PegIns { get; } = [];

    public List<MwebPegOut> PegOuts { get; } = [];
}

/// <summary>Receives an mw::Header's fields when the object model wants them.</summary>
internal sealed class MwebHeaderFields
{
    public int Height;
    public byte[] OutputRoot = [];
    public byte[] KernelRoot = [];
    public byte[] LeafsetRoot = [];
    public byte[] KernelOffset = [];
    public byte[] StealthOffset = [];
    public ulong OutputMmrSize;
    public ulong KernelMmrSize;
}
