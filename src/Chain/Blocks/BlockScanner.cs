using System.Buffers.Binary;

using Coinshard.Chain.Hashing;
using Coinshard.Chain.Litecoin;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Serialization;
using Coinshard.Chain.Transactions;

namespace Coinshard.Chain.Blocks;

/// <summary>
/// Walks a raw block (Bitcoin, or Litecoin with MWEB) without allocating: for each transaction
/// it exposes the txid, coinbase flag, position, inputs and outputs as views over the block bytes.
/// It validates the same structure, with the same code, as <see cref="Block.Parse(ReadOnlySpan{byte}, Currency)"/>,
/// and throws the same <see cref="ChainFormatException"/> subtypes on malformed input.
/// </summary>
/// <example>
/// <code>
/// var scanner = new BlockScanner(raw, Currency.Bitcoin);
/// while (scanner.MoveNext())
/// {
///     var tx = scanner.Current;
///     foreach (var input in tx.Inputs) { /* input.PrevOut */ }
///     foreach (var output in tx.Outputs) { /* output.Index, output.Value, output.ScriptPubKey */ }
/// }
/// </code>
/// </example>
public ref struct BlockScanner
{
    private readonly ReadOnlySpan<byte> _block;
    private readonly bool _allowMweb;
    private SpanReader _reader;
    private int _next;
    private ScannedTransaction _current;
    private TransactionLayout _lastLayout;
    private int _mwebStart;
    private int _mwebEnd;
    private bool _finished;

    /// <summary>Starts scanning <paramref name="block"/>; reads the header and the transaction count.</summary>
    /// <exception cref="ChainFormatException">The header or the transaction count is malformed.</exception>
    public BlockScanner(ReadOnlySpan<byte> block, Currency currency)
    {
        _block = block;
        _allowMweb = currency == Currency.Litecoin;
        _reader = new SpanReader(block);
        _reader.Skip(BlockHeader.Size, "block header");
        TransactionCount = BlockFormat.ReadTransactionCount(ref _reader);
        _mwebStart = -1;
        _mwebEnd = -1;
    }

    /// <summary>Number of transactions the block declares.</summary>
    public int TransactionCount { get; }

    /// <summary>The 80 header bytes.</summary>
    public readonly ReadOnlySpan<byte> HeaderBytes => _block[..BlockHeader.Size];

    /// <summary>The block hash (SHA-256d of the header); computed on each access.</summary>
    public readonly Hash256 BlockHash => Hashes.DoubleSha256(HeaderBytes);

    /// <summary>The parent block's hash.</summary>
    public readonly Hash256 PreviousBlockHash => new(_block.Slice(4, Hash256.Size));

    /// <summary>The merkle root the header commits to.</summary>
    public readonly Hash256 MerkleRoot => new(_block.Slice(36, Hash256.Size));

    /// <summary>Header timestamp.</summary>
    public readonly uint Time => BinaryPrimitives.ReadUInt32LittleEndian(_block[68..]);

    /// <summary>Header compact target.</summary>
    public readonly uint Bits => BinaryPrimitives.ReadUInt32LittleEndian(_block[72..]);

    /// <summary>The transaction found by the last successful <see cref="MoveNext"/>.</summary>
    public readonly ScannedTransaction Current => _current;

    /// <summary>Litecoin: true once the scan has finished and found an MWEB extension block.</summary>
    public readonly bool HasMwebBlock => _mwebStart >= 0;

    /// <summary>Litecoin: the serialized mw::Block (empty when there is none); see <see cref="MwebBlock.Parse"/>.</summary>
    public readonly ReadOnlySpan<byte> MwebBlockBytes => _mwebStart < 0 ? default : _block[_mwebStart.._mwebEnd];

    /// <summary>
    /// Advances to the next transaction. Returns false after the last one, once the MWEB section
    /// (if any) has been walked and the block has been checked to end there.
    /// </summary>
    /// <exception cref="ChainFormatException">The block is malformed at this point.</exception>
    public bool MoveNext()
    {
        if (_next < TransactionCount)
        {
            var start = _reader.Position;
            _lastLayout = TransactionFormat.ReadLayout(ref _reader, _allowMweb);
            var bytes = _block[start.._reader.Position];
            _current = new ScannedTransaction(bytes, _lastLayout, _next, start);
            _next++;
            return true;
        }
        if (!_finished)
        {
            if (BlockFormat.HasMwebSection(_allowMweb, TransactionCount, _lastLayout) && BlockFormat.ReadMwebPresence(ref _reader))
            {
                var start = _reader.Position;
                MwebFormat.ReadBlock(ref _reader, null, null);
                _mwebStart = start;
                _mwebEnd = _reader.Position;
            }
            _reader.EnsureAtEnd("block");
            _finished = true;
            _current = default;
        }
        return false;
    }
}

/// <summary>One transaction of a <see cref="BlockScanner"/>: a view over the block bytes.</summary>
public readonly ref struct ScannedTransaction
{
    private readonly ReadOnlySpan<byte> _bytes;
    private readonly TransactionLayout _layout;

    internal ScannedTransaction(ReadOnlySpan<byte> bytes, scoped in TransactionLayout layout, int index, int offset)
    {
        _bytes = bytes;
        _layout = layout;
        Index = index;
        Offset = offset;
        TxId = TransactionFormat.ComputeTxId(bytes, layout);
    }

    /// <summary>
    /// The txid (SHA-256d of the serialization without witness and MWEB data). For an MWEB-only
    /// transaction, which consensus never allows in a block's vtx, this is that canonical hash,
    /// not Litecoin's BLAKE3 id.
    /// </summary>
    public Hash256 TxId { get; }

    /// <summary>Position in the block (0 = coinbase).</summary>
    public int Index { get; }

    /// <summary>Byte offset of the transaction within the block.</summary>
    public int Offset { get; }

    /// <summary>The serialized transaction.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>True for a coinbase: one input, spending the null outpoint.</summary>
    public bool IsCoinbase => TransactionFormat.IsCoinbase(_bytes, _layout);

    /// <summary>True when some input carries a witness.</summary>
    public bool HasWitness => _layout.HasWitness;

    /// <summary>Litecoin: true for the HogEx.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "HogEx is Litecoin's own name for the integrating transaction.")]
    public bool IsHogEx => _layout.IsHogEx;

    /// <summary>Litecoin: true when an MWEB transaction is attached.</summary>
    public bool HasMwebTransaction => _layout.HasMwebTransaction;

    /// <summary>nVersion.</summary>
    public int Version => _layout.Version;

    /// <summary>nLockTime.</summary>
    public uint LockTime => _layout.LockTime;

    /// <summary>Number of canonical inputs.</summary>
    public int InputCount => _layout.InputCount;

    /// <summary>Number of canonical outputs.</summary>
    public int OutputCount => _layout.OutputCount;

    /// <summary>Canonical inputs, read on demand.</summary>
    public ScannedInputs Inputs => new(_bytes, _layout.InputsOffset, _layout.InputCount);

    /// <summary>Canonical outputs, read on demand.</summary>
    public ScannedOutputs Outputs => new(_bytes, _layout.OutputsOffset, _layout.OutputCount);
}

/// <summary>One input seen by the scanner.</summary>
public readonly ref struct ScannedInput
{
    internal ScannedInput(int index, OutPoint prevOut, ReadOnlySpan<byte> scriptSig, uint sequence)
    {
        Index = index;
        PrevOut = prevOut;
        ScriptSig = scriptSig;
        Sequence = sequence;
    }

    /// <summary>Position among the transaction's inputs.</summary>
    public int Index { get; }

    /// <summary>The outpoint spent (null for a coinbase).</summary>
    public OutPoint PrevOut { get; }

    /// <summary>The scriptSig bytes.</summary>
    public ReadOnlySpan<byte> ScriptSig { get; }

    /// <summary>nSequence.</summary>
    public uint Sequence { get; }
}

/// <summary>One output seen by the scanner.</summary>
public readonly ref struct ScannedOutput
{
    internal ScannedOutput(uint index, long value, ReadOnlySpan<byte> scriptPubKey)
    {
        Index = index;
        Value = value;
        ScriptPubKey = scriptPubKey;
    }

    /// <summary>The output's n (its outpoint index).</summary>
    public uint Index { get; }

    /// <summary>Amount in satoshis.</summary>
    public long Value { get; }

    /// <summary>The scriptPubKey bytes.</summary>
    public ReadOnlySpan<byte> ScriptPubKey { get; }
}

/// <summary>The inputs of a <see cref="ScannedTransaction"/>; use with <c>foreach</c>.</summary>
public readonly ref struct ScannedInputs
{
    private readonly ReadOnlySpan<byte> _bytes;
    private readonly int _offset;
    private readonly int _count;

    internal ScannedInputs(ReadOnlySpan<byte> bytes, int offset, int count)
    {
        _bytes = bytes;
        _offset = offset;
        _count = count;
    }

    /// <summary>Number of inputs.</summary>
    public int Count => _count;

    /// <summary>Starts the enumeration.</summary>
    public Enumerator GetEnumerator() => new(_bytes, _offset, _count);

    /// <summary>Reads inputs one by one from the transaction bytes.</summary>
    public ref struct Enumerator
    {
        private SpanReader _reader;
        private readonly int _count;
        private int _index;
        private ScannedInput _current;

        internal Enumerator(ReadOnlySpan<byte> bytes, int offset, int count)
        {
            _reader = new SpanReader(bytes);
            _reader.Skip(offset);
            _count = count;
            _index = 0;
            _current = default;
        }

        /// <summary>The current input.</summary>
        public readonly ScannedInput Current => _current;

        /// <summary>Reads the next input.</summary>
        public bool MoveNext()
        {
            if (_index >= _count)
            {
                return false;
            }
            TransactionFormat.ReadInput(ref _reader, out var prevOut, out var scriptSig, out var sequence);
            _current = new ScannedInput(_index, OutPoint.FromBytes(prevOut), scriptSig, sequence);
            _index++;
            return true;
        }
    }
}

/// <summary>The outputs of a <see cref="ScannedTransaction"/>; use with <c>foreach</c>.</summary>
public readonly ref struct ScannedOutputs
{
    private readonly ReadOnlySpan<byte> _bytes;
    private readonly int _offset;
    private readonly int _count;

    internal ScannedOutputs(ReadOnlySpan<byte> bytes, int offset, int count)
    {
        _bytes = bytes;
        _offset = offset;
        _count = count;
    }

    /// <summary>Number of outputs.</summary>
    public int Count => _count;

    /// <summary>Starts the enumeration.</summary>
    public Enumerator GetEnumerator() => new(_bytes, _offset, _count);

    /// <summary>Reads outputs one by one from the transaction bytes.</summary>
    public ref struct Enumerator
    {
        private SpanReader _reader;
        private readonly int _count;
        private int _index;
        private ScannedOutput _current;

        internal Enumerator(ReadOnlySpan<byte> bytes, int offset, int count)
        {
            _reader = new SpanReader(bytes);
            _reader.Skip(offset);
            _count = count;
            _index = 0;
            _current = default;
        }

        /// <summary>The current output.</summary>
        public readonly ScannedOutput Current => _current;

        /// <summary>Reads the next output.</summary>
        public bool MoveNext()
        {
            if (_index >= _count)
            {
                return false;
            }
            TransactionFormat.ReadOutput(ref _reader, out var value, out var script);
            _current = new ScannedOutput((uint)_index, value, script);
            _index++;
            return true;
        }
    }
}
