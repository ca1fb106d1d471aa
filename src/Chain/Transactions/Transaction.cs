using Coinshard.Chain.Hashing;
using Coinshard.Chain.Litecoin;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Serialization;

namespace Coinshard.Chain.Transactions;

/// <summary>
/// An immutable Bitcoin or Litecoin transaction. Parsing follows Core's <c>UnserializeTransaction</c>
/// exactly (BIP144 witness flag, Litecoin's MWEB flag), and serialization reproduces the parsed
/// bytes exactly. Litecoin's MWEB data is kept verbatim and summarised; it is not part of the
/// txid or wtxid.
/// </summary>
public sealed class Transaction
{
    private static readonly TxIn[] s_noInputs = [];
    private static readonly TxOut[] s_noOutputs = [];

    private readonly Hash256 _txId;
    private readonly Hash256 _wtxId;

    /// <summary>
    /// Builds a transaction from its parts (no MWEB data). Its ids and sizes are computed from
    /// its serialization.
    /// </summary>
    public Transaction(int version, IEnumerable<TxIn> inputs, IEnumerable<TxOut> outputs, uint lockTime)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        Version = version;
        Inputs = inputs.ToArray();
        Outputs = outputs.ToArray();
        LockTime = lockTime;
        HasWitness = Inputs.Any(i => i.HasWitness);
        var stripped = ToArray(includeWitness: false, includeMweb: false);
        var full = ToArray(includeWitness: true, includeMweb: false);
        _txId = Hashes.DoubleSha256(stripped);
        _wtxId = HasWitness ? Hashes.DoubleSha256(full) : _txId;
        StrippedSize = stripped.Length;
        TotalSize = full.Length;
        SizeWithoutMweb = full.Length;
        Weight = (StrippedSize * 3L) + full.Length;
    }

    private Transaction(
        in TransactionLayout layout, TxIn[] inputs, TxOut[] outputs, MwebTransaction? mweb, Hash256 txId, Hash256 wtxId)
    {
        Version = layout.Version;
        LockTime = layout.LockTime;
        Inputs = inputs;
        Outputs = outputs;
        HasWitness = layout.HasWitness;
        IsHogEx = layout.IsHogEx;
        Mweb = mweb;
        _txId = txId;
        _wtxId = wtxId;
        TotalSize = layout.Size;
        StrippedSize = layout.StrippedSize;
        SizeWithoutMweb = layout.SizeWithoutMweb;
        Weight = ComputeWeight(layout, mweb);
    }

    /// <summary>nVersion.</summary>
    public int Version { get; }

    /// <summary>Canonical inputs (for Litecoin, MWEB inputs are inside <see cref="Mweb"/>).</summary>
    public IReadOnlyList<TxIn> Inputs { get; }

    /// <summary>Canonical outputs: the indexable ones, including a HogEx's outputs.</summary>
    public IReadOnlyList<TxOut> Outputs { get; }

    /// <summary>nLockTime.</summary>
    public uint LockTime { get; }

    /// <summary>True when at least one input carries a witness stack.</summary>
    public bool HasWitness { get; }

    /// <summary>True for a coinbase: exactly one input, spending the null outpoint.</summary>
    public bool IsCoinbase => Inputs.Count == 1 && Inputs[0].PrevOut.IsNull;

    /// <summary>Litecoin: true for the HogEx (integrating) transaction that closes an MWEB block's vtx.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "HogEx is Litecoin's own name for the integrating transaction.")]
    public bool IsHogEx { get; }

    /// <summary>Litecoin: the attached MWEB transaction, or null.</summary>
    public MwebTransaction? Mweb { get; }

    /// <summary>Litecoin: true when the transaction is purely MWEB (no canonical inputs or outputs).</summary>
    public bool IsMwebOnly => Mweb is not null && Inputs.Count == 0 && Outputs.Count == 0;

    /// <summary>
    /// The txid: SHA-256d of the serialization without witness and without MWEB data (Core's
    /// <c>CTransaction::ComputeHash</c>).
    /// </summary>
    /// <exception cref="NotSupportedException">
    /// The transaction is MWEB-only. Litecoin Core then uses a BLAKE3 hash as its txid, and which
    /// one depends on the node version (v0.21.2.1: the first kernel's id; later releases: the hash
    /// of the whole mw::Transaction). Coinshard has no BLAKE3 implementation (no package offers
    /// one here), and such transactions never appear in a block's transaction list.
    /// </exception>
    public Hash256 TxId => IsMwebOnly ? throw MwebOnlyIdNotSupported() : _txId;

    /// <summary>The wtxid: SHA-256d of the serialization with witness but without MWEB data; the txid when there is no witness.</summary>
    /// <exception cref="NotSupportedException">The transaction is MWEB-only (see <see cref="TxId"/>).</exception>
    public Hash256 WTxId => IsMwebOnly ? throw MwebOnlyIdNotSupported() : _wtxId;

    /// <summary>Serialized size in bytes with witness and MWEB data (Core's GetTotalSize).</summary>
    public int TotalSize { get; }

    /// <summary>Serialized size without witness and MWEB data (BIP141 base size).</summary>
    public int StrippedSize { get; }

    /// <summary>Serialized size with witness but without MWEB data (what block weight counts).</summary>
    internal int SizeWithoutMweb { get; }

    /// <summary>
    /// Weight as the node reports it: BIP141 weight of the serialization without MWEB data (base
    /// size × 3 + size with witness), plus, for a Litecoin transaction carrying MWEB data, Litecoin
    /// Core's charge of 164 per peg-in kernel and 4 × the size of a canonical output per peg-out.
    /// An MWEB-only transaction weighs only its peg-outs. (Block weight never includes MWEB data:
    /// inside blocks transactions carry none.)
    /// </summary>
    public long Weight { get; }

    /// <summary>Virtual size: weight / 4, rounded up.</summary>
    public long VirtualSize => (Weight + 3) / 4;

    /// <summary>Parses a transaction that must fill <paramref name="data"/> exactly.</summary>
    /// <param name="data">The serialized transaction.</param>
    /// <param name="currency">Litecoin allows the MWEB flag (0x08); Bitcoin rejects it as unknown.</param>
    /// <exception cref="ChainFormatException">The bytes are not a well-formed transaction (a specific subtype says why).</exception>
    public static Transaction Parse(ReadOnlySpan<byte> data, Currency currency)
    {
        var reader = new SpanReader(data);
        var transaction = Read(ref reader, currency);
        reader.EnsureAtEnd("transaction");
        return transaction;
    }

    /// <summary>Parses a transaction of <paramref name="network"/>'s currency; see <see cref="Parse(ReadOnlySpan{byte}, Currency)"/>.</summary>
    public static Transaction Parse(ReadOnlySpan<byte> data, Network network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return Parse(data, network.Currency);
    }

    /// <summary>Reads one transaction at the reader's position (inside a larger structure).</summary>
    /// <exception cref="ChainFormatException">The bytes are not a well-formed transaction.</exception>
    public static Transaction Read(ref SpanReader reader, Currency currency)
    {
        var start = reader.Position;
        var layout = TransactionFormat.ReadLayout(ref reader, currency == Currency.Litecoin);
        return FromLayout(reader.Since(start).ToArray(), layout);
    }

    /// <summary>Builds the object model of a transaction already walked by <see cref="TransactionFormat.ReadLayout"/>.</summary>
    internal static Transaction FromLayout(ReadOnlyMemory<byte> bytes, in TransactionLayout layout)
    {
        var span = bytes.Span;
        var reader = new SpanReader(span);

        var inputs = layout.InputCount == 0 ? s_noInputs : new TxIn[layout.InputCount];
        var prevOuts = layout.InputCount == 0 ? [] : new OutPoint[layout.InputCount];
        var scriptSigs = layout.InputCount == 0 ? [] : new ReadOnlyMemory<byte>[layout.InputCount];
        var sequences = layout.InputCount == 0 ? [] : new uint[layout.InputCount];
        reader.Skip(layout.InputsOffset);
        for (var i = 0; i < layout.InputCount; i++)
        {
            TransactionFormat.ReadInput(ref reader, out var prevOut, out var scriptSig, out sequences[i]);
            prevOuts[i] = OutPoint.FromBytes(prevOut);
            scriptSigs[i] = SliceOf(bytes, scriptSig);
        }

        var outputs = layout.OutputCount == 0 ? s_noOutputs : new TxOut[layout.OutputCount];
        reader = new SpanReader(span);
        reader.Skip(layout.OutputsOffset);
        for (var i = 0; i < layout.OutputCount; i++)
        {
            TransactionFormat.ReadOutput(ref reader, out var value, out var script);
            outputs[i] = new TxOut(value, SliceOf(bytes, script));
        }

        var hasWitnessSection = (layout.Flags & TransactionFormat.WitnessFlag) != 0;
        for (var i = 0; i < layout.InputCount; i++)
        {
            IReadOnlyList<ReadOnlyMemory<byte>>? witness = null;
            if (hasWitnessSection)
            {
                var items = TransactionFormat.ReadWitnessItemCount(ref reader);
                if (items != 0)
                {
                    var stack = new ReadOnlyMemory<byte>[items];
                    for (var j = 0; j < items; j++)
                    {
                        stack[j] = SliceOf(bytes, TransactionFormat.ReadWitnessItem(ref reader));
                    }
                    witness = stack;
                }
            }
            inputs[i] = new TxIn(prevOuts[i], scriptSigs[i], sequences[i], witness);
        }

        MwebTransaction? mweb = null;
        if (layout.HasMwebTransaction)
        {
            // Skip the OptionalPtr presence byte; the mw::Transaction runs to MwebEnd.
            mweb = MwebTransaction.FromBytes(bytes[(layout.MwebOffset + 1)..layout.MwebEnd]);
        }

        var txId = TransactionFormat.ComputeTxId(span, layout);
        var wtxId = TransactionFormat.ComputeWTxId(span, layout, txId);
        return new Transaction(layout, inputs, outputs, mweb, txId, wtxId);
    }

    // Litecoin Core's GetTransactionWeight: MWEB data itself is weighed separately, but peg-ins and
    // peg-outs are charged as if they were canonical inputs (41 bytes × 4) and outputs.
    private static long ComputeWeight(in TransactionLayout layout, MwebTransaction? mweb)
    {
        var canonical = (layout.StrippedSize * 3L) + layout.SizeWithoutMweb;
        if (mweb is null)
        {
            return canonical;
        }
        long pegOuts = 0;
        foreach (var pegOut in mweb.Body.PegOuts)
        {
            pegOuts += 4L * (8 + CompactSize.GetSize((ulong)pegOut.ScriptPubKey.Length) + pegOut.ScriptPubKey.Length);
        }
        if (layout.IsMwebOnly)
        {
            return pegOuts;
        }
        return canonical + pegOuts + (164L * mweb.Body.PegIns.Count);
    }

    /// <summary>Serializes the transaction to a new array.</summary>
    /// <param name="includeWitness">Include the witness (BIP144 extended format) when there is one.</param>
    /// <param name="includeMweb">Include Litecoin's MWEB flag and data when present.</param>
    public byte[] ToArray(bool includeWitness = true, bool includeMweb = true)
    {
        var writer = new ByteWriter(TotalSize > 0 ? TotalSize : 256);
        WriteTo(writer, includeWitness, includeMweb);
        return writer.ToArray();
    }

    /// <summary>Serializes the transaction as Core's <c>SerializeTransaction</c> does.</summary>
    /// <param name="writer">Destination.</param>
    /// <param name="includeWitness">Include the witness (BIP144 extended format) when there is one.</param>
    /// <param name="includeMweb">Include Litecoin's MWEB flag and data when present.</param>
    public void WriteTo(ByteWriter writer, bool includeWitness = true, bool includeMweb = true)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteInt32(Version);
        byte flags = 0;
        if (includeWitness && HasWitness)
        {
            flags |= TransactionFormat.WitnessFlag;
        }
        if (includeMweb && (IsHogEx || Mweb is not null))
        {
            flags |= TransactionFormat.MwebFlag;
        }
        if (flags != 0)
        {
            writer.WriteByte(0);
            writer.WriteByte(flags);
        }
        writer.WriteCompactSize((ulong)Inputs.Count);
        foreach (var input in Inputs)
        {
            writer.WriteHash256(input.PrevOut.TxId);
            writer.WriteUInt32(input.PrevOut.Index);
            writer.WriteVarBytes(input.ScriptSig.Span);
            writer.WriteUInt32(input.Sequence);
        }
        writer.WriteCompactSize((ulong)Outputs.Count);
        foreach (var output in Outputs)
        {
            writer.WriteInt64(output.Value);
            writer.WriteVarBytes(output.ScriptPubKey.Span);
        }
        if ((flags & TransactionFormat.WitnessFlag) != 0)
        {
            foreach (var input in Inputs)
            {
                writer.WriteCompactSize((ulong)input.Witness.Count);
                foreach (var item in input.Witness)
                {
                    writer.WriteVarBytes(item.Span);
                }
            }
        }
        if ((flags & TransactionFormat.MwebFlag) != 0)
        {
            if (Mweb is null)
            {
                writer.WriteByte(0);
            }
            else
            {
                writer.WriteByte(1);
                writer.WriteBytes(Mweb.Bytes.Span);
            }
        }
        writer.WriteUInt32(LockTime);
    }

    /// <inheritdoc />
    public override string ToString() => IsMwebOnly ? "MWEB-only transaction" : _txId.ToString();

    /// <summary>The part of <paramref name="owner"/> that <paramref name="part"/> (a slice of its span) covers.</summary>
    private static ReadOnlyMemory<byte> SliceOf(ReadOnlyMemory<byte> owner, ReadOnlySpan<byte> part)
    {
        if (part.IsEmpty)
        {
            return ReadOnlyMemory<byte>.Empty;
        }
        if (!owner.Span.Overlaps(part, out var offset))
        {
            throw new InvalidOperationException("internal error: a parsed field does not lie inside its transaction");
        }
        return owner.Slice(offset, part.Length);
    }

    private static NotSupportedException MwebOnlyIdNotSupported() =>
        new("an MWEB-only transaction's txid is a BLAKE3 hash of its MWEB data (which one depends on the node version); Coinshard does not compute it");
}
