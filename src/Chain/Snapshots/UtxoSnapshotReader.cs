using Coinshard.Chain.Hashing;
using Coinshard.Chain.Transactions;

namespace Coinshard.Chain.Snapshots;

/// <summary>
/// Streams the coins of a Bitcoin Core / Litecoin Core <c>dumptxoutset</c> file from any <see cref="Stream"/>,
/// in file order, with memory bounded by its buffer (files of many GB are fine) and no allocation per coin.
/// </summary>
/// <remarks>
/// <para>
/// The constructor reads the header (<see cref="Header"/>). The format is told by the magic bytes: a file
/// starting with <c>utxo</c> 0xFF is version 2 (Core 28+), whose network magic must be that of
/// <see cref="UtxoSnapshotReaderOptions.Network"/>; anything else is the older format, which names no network
/// and whose header length (40 or 44 bytes) is decided as <see cref="LegacyHeaderLayout"/> describes.
/// </para>
/// <para>
/// Then either <see cref="MoveNext"/> / <see cref="Current"/> (each coin decoded, its script valid until the
/// next call) or <see cref="ReadBatch"/> (blocks of coins with compressed scripts, to decode on other threads).
/// Both check what Core's loader checks: every group fits in the coins left, heights are at most
/// <see cref="UtxoSnapshotReaderOptions.BaseHeight"/>, no output index is 0xFFFFFFFF, amounts are in the money
/// range, the file holds exactly the header's coin count and nothing after it. Also: VARINTs fit their field,
/// CompactSizes are canonical, uncompressed-key templates are curve points, and (by default) coins are in
/// chainstate order. Every failure is a <see cref="SnapshotFormatException"/> naming the byte offset.
/// </para>
/// <para>
/// One difference from Core: an uncompressed-key template (nSize 4/5) whose x is not on the curve is an error
/// here, where Core's reader would quietly give the coin an empty script. Core's writer never produces one.
/// Not thread-safe; pass an unbuffered stream (the reader buffers).
/// </para>
/// </remarks>
public sealed class UtxoSnapshotReader : IDisposable
{
    // Room for the largest coin record (group header 41 + index 9 + code 5 + amount 10 + nSize 5 + 10,000):
    // refilling when less is buffered lets a record be parsed from one span.
    private const int Lookahead = 16 << 10;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly CoinRecordParser _parser;
    private readonly bool _grouped;
    private readonly byte[] _buffer;
    private readonly byte[] _scratch = new byte[ScriptCompression.MaxTemplateScriptSize];
    private int _position;
    private int _end;
    private long _bufferOffset;
    private bool _endOfStream;
    private bool _finished;
    private ulong _coinsRead;
    private ulong _groupLeft;
    private Hash256 _groupTxId;
    private CoinRecord _record;
    private int _recordBase;
    private int _scriptStart;
    private int _scriptLength;
    private ScriptSource _scriptSource;

    private enum ScriptSource : byte
    {
        None,
        Buffer,
        Scratch,
        Oversized,
    }

    /// <summary>Opens a reader on <paramref name="stream"/> expecting <paramref name="network"/>, with default options.</summary>
    /// <exception cref="SnapshotFormatException">The header is malformed or for another network.</exception>
    public UtxoSnapshotReader(Stream stream, Networks.Network network)
        : this(stream, new UtxoSnapshotReaderOptions { Network = network })
    {
    }

    /// <summary>Opens a reader on <paramref name="stream"/> and reads the header.</summary>
    /// <exception cref="SnapshotFormatException">The header is malformed or for another network.</exception>
    public UtxoSnapshotReader(Stream stream, UtxoSnapshotReaderOptions options)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Network);
        if (!stream.CanRead)
        {
            throw new ArgumentException("the stream is not readable", nameof(stream));
        }
        _stream = stream;
        _leaveOpen = options.LeaveOpen;
        _buffer = new byte[Math.Max(options.BufferSize, UtxoSnapshotReaderOptions.MinimumBufferSize)];
        Refill();
        Header = SnapshotHeaderParser.Parse(_buffer.AsSpan(0, _end), _endOfStream, options);
        _position = Header.Length;
        _grouped = Header.Format == UtxoSnapshotFormat.Version2;
        _parser = new CoinRecordParser(options.Network.Currency, options.BaseHeight, options.VerifyOrder);
    }

    /// <summary>The header.</summary>
    public UtxoSnapshotHeader Header { get; }

    /// <summary>Coins read so far.</summary>
    public ulong CoinsRead => _coinsRead;

    /// <summary>Bytes of the file consumed so far (for progress).</summary>
    public long BytesRead => _bufferOffset + _position;

    /// <summary>The coin <see cref="MoveNext"/> read; its script is valid until the next read.</summary>
    /// <exception cref="InvalidOperationException">No coin has been read by <see cref="MoveNext"/>.</exception>
    public SnapshotCoin Current
    {
        get
        {
            ReadOnlySpan<byte> script = _scriptSource switch
            {
                ScriptSource.Buffer => _buffer.AsSpan(_scriptStart, _scriptLength),
                ScriptSource.Scratch => _scratch.AsSpan(0, _scriptLength),
                ScriptSource.Oversized => ScriptCompression.OversizedScriptReplacement,
                _ => throw new InvalidOperationException("call MoveNext first; after ReadBatch or at the end there is no current coin"),
            };
            return new SnapshotCoin(new OutPoint(_record.TxId, _record.Index), _record.Value, _record.Height,
                _record.IsCoinbase, _record.IsPegOut, script, _record.Offset);
        }
    }

    /// <summary>Reads and decodes the next coin; false after the last one (once the end of the file has been checked).</summary>
    /// <exception cref="SnapshotFormatException">The file is malformed at the offset it names.</exception>
    public bool MoveNext()
    {
        _scriptSource = ScriptSource.None;
        if (!ReadRecord())
        {
            return false;
        }
        var payload = _recordBase + _record.PayloadStart;
        if (_record.ScriptSize < ScriptCompression.SpecialScriptCount)
        {
            if (!ScriptCompression.TryDecompressTemplate(_record.ScriptSize, _buffer.AsSpan(payload, _record.PayloadLength), _scratch, out _scriptLength))
            {
                throw InvalidPoint(_record.TxId, _record.Index, _record.ScriptOffset);
            }
            _scriptSource = ScriptSource.Scratch;
        }
        else if (_record.OversizedLength > 0)
        {
            _scriptSource = ScriptSource.Oversized;
        }
        else
        {
            _scriptStart = payload;
            _scriptLength = _record.PayloadLength;
            _scriptSource = ScriptSource.Buffer;
        }
        return true;
    }

    /// <summary>
    /// Fills <paramref name="batch"/> with the next coins (up to its capacity) and returns how many; 0 at the end.
    /// Scripts stay compressed until <see cref="SnapshotCoinBatch.GetScript"/>.
    /// </summary>
    /// <exception cref="SnapshotFormatException">The file is malformed at the offset it names.</exception>
    public int ReadBatch(SnapshotCoinBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        _scriptSource = ScriptSource.None;
        batch.Clear();
        while (!batch.IsFull && ReadRecord())
        {
            batch.Add(_record, _buffer.AsSpan(_recordBase + _record.PayloadStart, _record.PayloadLength));
        }
        return batch.Count;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    private bool ReadRecord()
    {
        while (true)
        {
            if (_coinsRead == Header.CoinCount)
            {
                Finish();
                return false;
            }
            if (_end - _position < Lookahead && !_endOfStream)
            {
                Refill();
            }
            var c = new SnapshotCursor(_buffer.AsSpan(_position, _end - _position), _bufferOffset + _position);
            if (_grouped)
            {
                if (_groupLeft == 0)
                {
                    if (c.Remaining == 0)
                    {
                        throw MissingCoins(Header.CoinCount, _coinsRead, c.Offset);
                    }
                    _groupLeft = _parser.ReadGroupHeader(ref c, Header.CoinCount - _coinsRead, out _groupTxId);
                    if (_groupLeft == 0)
                    {
                        _position += c.Position; // an empty group (Core accepts them, and never writes one)
                        continue;
                    }
                }
                _parser.ReadGrouped(ref c, _groupTxId, ref _record);
                _groupLeft--;
            }
            else
            {
                if (c.Remaining == 0)
                {
                    throw MissingCoins(Header.CoinCount, _coinsRead, c.Offset);
                }
                _parser.ReadLegacy(ref c, ref _record);
            }
            _recordBase = _position;
            _position += c.Position;
            _coinsRead++;
            if (_record.OversizedLength > 0)
            {
                Skip(_record.OversizedLength);
            }
            return true;
        }
    }

    // After the last coin the file must end (Core reads one more byte and expects to fail).
    private void Finish()
    {
        if (_finished)
        {
            return;
        }
        if (_position == _end && !_endOfStream)
        {
            Refill();
        }
        if (_position < _end)
        {
            throw TrailingData(Header.CoinCount, _bufferOffset + _position);
        }
        _finished = true;
    }

    private void Refill()
    {
        var left = _end - _position;
        if (_position > 0)
        {
            _buffer.AsSpan(_position, left).CopyTo(_buffer);
            _bufferOffset += _position;
            _position = 0;
            _end = left;
        }
        while (_end < _buffer.Length)
        {
            var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0)
            {
                _endOfStream = true;
                break;
            }
            _end += read;
        }
    }

    // An over-long raw script: its bytes may run far past the buffer (nSize is a 32-bit VARINT).
    private void Skip(uint count)
    {
        long left = count;
        var inBuffer = (int)Math.Min(left, _end - _position);
        _position += inBuffer;
        left -= inBuffer;
        if (left == 0)
        {
            return;
        }
        _bufferOffset += _end;
        _position = _end = 0;
        if (_stream.CanSeek && !_endOfStream)
        {
            var available = Math.Max(0, _stream.Length - _stream.Position);
            var step = Math.Min(left, available);
            _stream.Seek(step, SeekOrigin.Current);
            _bufferOffset += step;
            left -= step;
            _endOfStream = left > 0;
        }
        while (left > 0 && !_endOfStream)
        {
            var read = _stream.Read(_buffer, 0, (int)Math.Min(left, _buffer.Length));
            _endOfStream = read == 0;
            _bufferOffset += read;
            left -= read;
        }
        if (left > 0)
        {
            throw new SnapshotFormatException(SnapshotError.Truncated,
                $"the file ends inside the over-long script of coin {_record.TxId}:{_record.Index} ({left} of its {count} bytes missing)", _bufferOffset);
        }
    }

    internal static SnapshotFormatException MissingCoins(ulong expected, ulong read, long offset) =>
        new(SnapshotError.MissingCoins, $"the header counts {expected} coins but the file ends after {read}", offset);

    internal static SnapshotFormatException TrailingData(ulong count, long offset) =>
        new(SnapshotError.TrailingData, $"bytes remain after the header's {count} coins (the count is smaller than the data)", offset);

    internal static SnapshotFormatException InvalidPoint(Hash256 txId, uint index, long offset) =>
        new(SnapshotError.InvalidCompressedPubKey,
            $"coin {txId}:{index}: the compressed uncompressed-key script holds an x-coordinate that is not on secp256k1", offset);
}
