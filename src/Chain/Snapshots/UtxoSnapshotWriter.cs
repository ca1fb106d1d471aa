using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Serialization;
using Coinshard.Chain.Transactions;

namespace Coinshard.Chain.Snapshots;

/// <summary>
/// Writes a <c>dumptxoutset</c> file in either format, compressed exactly as Core does (amounts, the six script
/// templates, raw scripts). Coins must come in chainstate order (<see cref="ChainstateOrder"/>), as a dump from
/// Core's database does; in version 2 the writer groups them per txid. Streams with bounded memory (one buffer
/// plus the current txid's group). Call <see cref="Complete"/> at the end: it writes the last group and checks
/// that the header's coin count was met.
/// </summary>
public sealed class UtxoSnapshotWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly UtxoSnapshotWriterOptions _options;
    private readonly bool _grouped;
    private readonly Currency _currency;
    private readonly ByteWriter _out;
    private readonly ByteWriter _group = new(4096);
    private Hash256 _lastTxId;
    private ulong _lastIndexKey;
    private ulong _groupCount;
    private bool _any;
    private bool _completed;

    /// <summary>Writes the header to <paramref name="stream"/>.</summary>
    /// <exception cref="ArgumentException">nChainTx was given for a version-2 file.</exception>
    public UtxoSnapshotWriter(Stream stream, UtxoSnapshotWriterOptions options)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Network);
        if (options.Format == UtxoSnapshotFormat.Version2 && options.ChainTxCount is not null)
        {
            throw new ArgumentException("version-2 headers have no nChainTx", nameof(options));
        }
        _stream = stream;
        _options = options;
        _grouped = options.Format == UtxoSnapshotFormat.Version2;
        _currency = options.Network.Currency;
        _out = new ByteWriter(Math.Max(options.BufferSize, 4096) + 16384);
        if (_grouped)
        {
            _out.WriteBytes(SnapshotHeaderParser.Magic);
            _out.WriteUInt16(SnapshotHeaderParser.SupportedVersion);
            _out.WriteBytes(options.Network.MagicBytes);
        }
        _out.WriteHash256(options.BaseBlockHash);
        _out.WriteUInt64(options.CoinCount);
        if (options.ChainTxCount is { } chainTx)
        {
            _out.WriteUInt32(chainTx);
        }
    }

    /// <summary>Coins written so far.</summary>
    public ulong CoinsWritten { get; private set; }

    /// <summary>Writes a coin read from another snapshot.</summary>
    public void Write(in SnapshotCoin coin) =>
        Write(coin.OutPoint, coin.Value, coin.Height, coin.IsCoinbase, coin.IsPegOut, coin.Script);

    /// <summary>Writes one coin.</summary>
    /// <exception cref="ArgumentException">The coin is out of chainstate order, has the null index, an amount outside the money range, or a peg-out flag on Bitcoin.</exception>
    /// <exception cref="InvalidOperationException">More coins than the header's count, or the writer is complete.</exception>
    public void Write(OutPoint outPoint, long value, int height, bool isCoinbase, bool isPegOut, ReadOnlySpan<byte> script)
    {
        if (_completed)
        {
            throw new InvalidOperationException("the snapshot is complete");
        }
        if (CoinsWritten == _options.CoinCount)
        {
            throw new InvalidOperationException($"the header counts {_options.CoinCount} coins; no more can be written");
        }
        if (!MoneyRange.Contains(value, _currency))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, $"not in the {_currency} money range");
        }
        if (isPegOut && _currency != Currency.Litecoin)
        {
            throw new ArgumentException("only Litecoin coins can be peg-outs", nameof(isPegOut));
        }
        var index = outPoint.Index;
        if (index == OutPoint.NullIndex || (_grouped && index > CoinRecordParser.MaxCompactSize))
        {
            throw new ArgumentOutOfRangeException(nameof(outPoint), index, "the output index cannot be read back by Core");
        }
        var code = CoinCode.Encode(height, isCoinbase, isPegOut);
        var key = ChainstateOrder.OutputIndexKey(index);
        var newTxId = !_any || outPoint.TxId != _lastTxId;
        if (_any && (outPoint.TxId.CompareTo(_lastTxId) < 0 || (!newTxId && key <= _lastIndexKey)))
        {
            throw new ArgumentException($"coin {outPoint} is not after {_lastTxId} in chainstate order", nameof(outPoint));
        }
        if (_grouped)
        {
            if (newTxId)
            {
                FlushGroup();
            }
            _group.WriteCompactSize(index);
            WriteCoin(_group, code, value, script);
            _groupCount++;
        }
        else
        {
            _out.WriteHash256(outPoint.TxId);
            _out.WriteUInt32(index);
            WriteCoin(_out, code, value, script);
        }
        _lastTxId = outPoint.TxId;
        _lastIndexKey = key;
        _any = true;
        CoinsWritten++;
        if (_out.Length >= _options.BufferSize)
        {
            FlushBuffer();
        }
    }

    /// <summary>Writes what is pending and flushes the stream.</summary>
    /// <exception cref="InvalidOperationException">Fewer coins were written than the header counts.</exception>
    public void Complete()
    {
        if (_completed)
        {
            return;
        }
        if (CoinsWritten != _options.CoinCount)
        {
            throw new InvalidOperationException($"the header counts {_options.CoinCount} coins but {CoinsWritten} were written");
        }
        FlushGroup();
        FlushBuffer();
        _stream.Flush();
        _completed = true;
    }

    /// <summary>Writes what is buffered (without <see cref="Complete"/>'s check) and disposes the stream unless it is left open.</summary>
    public void Dispose()
    {
        if (!_completed)
        {
            FlushGroup();
            FlushBuffer();
            _completed = true;
        }
        if (!_options.LeaveOpen)
        {
            _stream.Dispose();
        }
    }

    // Core's Coin serialization: VARINT(code), VARINT(CompressAmount(value)), compressed script.
    private static void WriteCoin(ByteWriter writer, uint code, long value, ReadOnlySpan<byte> script)
    {
        writer.WriteVarInt(code);
        writer.WriteVarInt(AmountCompression.Compress((ulong)value));
        Span<byte> compressed = stackalloc byte[ScriptCompression.MaxCompressedTemplateSize];
        if (ScriptCompression.TryCompress(script, compressed, out var written))
        {
            writer.WriteBytes(compressed[..written]);
        }
        else
        {
            writer.WriteVarInt((ulong)script.Length + ScriptCompression.SpecialScriptCount);
            writer.WriteBytes(script);
        }
    }

    private void FlushGroup()
    {
        if (!_grouped || _groupCount == 0)
        {
            return;
        }
        _out.WriteHash256(_lastTxId);
        _out.WriteCompactSize(_groupCount);
        _out.WriteBytes(_group.WrittenSpan);
        _group.Clear();
        _groupCount = 0;
    }

    private void FlushBuffer()
    {
        _stream.Write(_out.WrittenSpan);
        _out.Clear();
    }
}
