using Coinshard.Chain.Hashing;
using Coinshard.Chain.Transactions;

namespace Coinshard.Chain.Snapshots;

/// <summary>
/// A reusable block of coins filled by <see cref="UtxoSnapshotReader.ReadBatch"/>, for consumers that work in
/// parallel: one thread reads (framing and every check but the curve), others take whole batches and decode
/// scripts, hash them and build rows. Scripts are kept compressed, as in the file, so filling a batch is a copy;
/// <see cref="GetScript"/> decompresses on the calling thread (the uncompressed-key point recovery included,
/// which is why its <see cref="SnapshotError.InvalidCompressedPubKey"/> error surfaces there). A batch is not
/// thread-safe to fill, but once filled any number of threads may read it. Memory is bounded by the capacity.
/// </summary>
public sealed class SnapshotCoinBatch
{
    private const byte CoinbaseFlag = 1, PegOutFlag = 2;

    private readonly Hash256[] _txIds;
    private readonly uint[] _indexes;
    private readonly long[] _values;
    private readonly int[] _heights;
    private readonly byte[] _flags;
    private readonly uint[] _scriptSizes;
    private readonly int[] _payloadStarts;
    private readonly long[] _offsets;
    private readonly long[] _scriptOffsets;
    private readonly byte[] _payloads;
    private int _payloadLength;

    /// <summary>Creates a batch of up to <paramref name="capacity"/> coins.</summary>
    public SnapshotCoinBatch(int capacity = 8192)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _txIds = new Hash256[capacity];
        _indexes = new uint[capacity];
        _values = new long[capacity];
        _heights = new int[capacity];
        _flags = new byte[capacity];
        _scriptSizes = new uint[capacity];
        _payloadStarts = new int[capacity + 1];
        _offsets = new long[capacity];
        _scriptOffsets = new long[capacity];
        // Typical compressed scripts take 20-34 bytes; one maximal raw script always fits on top.
        _payloads = new byte[(capacity * 40) + ScriptCompression.MaxScriptSize];
    }

    /// <summary>The most coins one fill takes (a fill may stop earlier when many long raw scripts use up the script space).</summary>
    public int Capacity { get; }

    /// <summary>Coins in the batch.</summary>
    public int Count { get; private set; }

    /// <summary>The coins' txids.</summary>
    public ReadOnlySpan<Hash256> TxIds => _txIds.AsSpan(0, Count);

    /// <summary>The coins' output indexes.</summary>
    public ReadOnlySpan<uint> OutputIndexes => _indexes.AsSpan(0, Count);

    /// <summary>The coins' amounts in satoshis.</summary>
    public ReadOnlySpan<long> Values => _values.AsSpan(0, Count);

    /// <summary>The coins' heights.</summary>
    public ReadOnlySpan<int> Heights => _heights.AsSpan(0, Count);

    /// <summary>File offsets of the coins' records.</summary>
    public ReadOnlySpan<long> Offsets => _offsets.AsSpan(0, Count);

    /// <summary>Coin <paramref name="i"/>'s outpoint.</summary>
    public OutPoint GetOutPoint(int i) => new(_txIds[CheckIndex(i)], _indexes[i]);

    /// <summary>True when coin <paramref name="i"/> came from a coinbase.</summary>
    public bool IsCoinbase(int i) => (_flags[CheckIndex(i)] & CoinbaseFlag) != 0;

    /// <summary>True when coin <paramref name="i"/> is a Litecoin peg-out.</summary>
    public bool IsPegOut(int i) => (_flags[CheckIndex(i)] & PegOutFlag) != 0;

    /// <summary>Coin <paramref name="i"/>'s nSize as in the file: a template number below 6, else raw length + 6.</summary>
    public uint GetCompressedScriptSize(int i) => _scriptSizes[CheckIndex(i)];

    /// <summary>
    /// Coin <paramref name="i"/>'s script: templates are rebuilt into <paramref name="scratch"/> (at least
    /// <see cref="ScriptCompression.MaxTemplateScriptSize"/> bytes), raw scripts are returned from the batch.
    /// </summary>
    /// <exception cref="SnapshotFormatException">An uncompressed-key template whose x is not on the curve.</exception>
    public ReadOnlySpan<byte> GetScript(int i, Span<byte> scratch)
    {
        var size = _scriptSizes[CheckIndex(i)];
        var payload = _payloads.AsSpan(_payloadStarts[i], _payloadStarts[i + 1] - _payloadStarts[i]);
        if (size < ScriptCompression.SpecialScriptCount)
        {
            if (!ScriptCompression.TryDecompressTemplate(size, payload, scratch, out var written))
            {
                throw UtxoSnapshotReader.InvalidPoint(_txIds[i], _indexes[i], _scriptOffsets[i]);
            }
            return scratch[..written];
        }
        return size - ScriptCompression.SpecialScriptCount > ScriptCompression.MaxScriptSize
            ? ScriptCompression.OversizedScriptReplacement
            : payload;
    }

    /// <summary>Coin <paramref name="i"/> as a <see cref="SnapshotCoin"/> (see <see cref="GetScript"/> for <paramref name="scratch"/>).</summary>
    public SnapshotCoin GetCoin(int i, Span<byte> scratch)
    {
        var script = GetScript(i, scratch);
        return new SnapshotCoin(GetOutPoint(i), _values[i], _heights[i], IsCoinbase(i), IsPegOut(i), script, _offsets[i]);
    }

    internal bool IsFull => Count == Capacity || _payloads.Length - _payloadLength < ScriptCompression.MaxScriptSize;

    internal void Clear()
    {
        Count = 0;
        _payloadLength = 0;
    }

    internal void Add(in CoinRecord record, ReadOnlySpan<byte> payload)
    {
        var i = Count;
        _txIds[i] = record.TxId;
        _indexes[i] = record.Index;
        _values[i] = record.Value;
        _heights[i] = record.Height;
        _flags[i] = (byte)((record.IsCoinbase ? CoinbaseFlag : 0) | (record.IsPegOut ? PegOutFlag : 0));
        _scriptSizes[i] = record.ScriptSize;
        _offsets[i] = record.Offset;
        _scriptOffsets[i] = record.ScriptOffset;
        _payloadStarts[i] = _payloadLength;
        payload.CopyTo(_payloads.AsSpan(_payloadLength));
        _payloadLength += payload.Length;
        _payloadStarts[i + 1] = _payloadLength;
        Count = i + 1;
    }

    private int CheckIndex(int i)
    {
        if ((uint)i >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(i), i, $"the batch holds {Count} coins");
        }
        return i;
    }
}
