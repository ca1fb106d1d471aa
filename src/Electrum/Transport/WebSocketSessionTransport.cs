using System.Buffers;
using System.Net.WebSockets;

using Coinshard.Electrum.Sessions;

namespace Coinshard.Electrum.Transport;

/// <summary>
/// A WebSocket connection: each text (or binary) message is one JSON-RPC message and each answer is
/// sent as one text message without a trailing newline. While idle the reader waits with a zero-byte
/// receive and holds no buffer; a message is assembled in pooled buffers up to the line limit, and a
/// longer one is drained and reported as oversized.
/// </summary>
internal sealed class WebSocketSessionTransport(WebSocket socket, Action abortConnection, int maxMessageBytes, string name) : ISessionTransport, IDisposable
{
    private const int FirstBufferSize = 4096;
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);
    private readonly CancellationTokenSource _stop = new();
    private PooledWriter? _writer;

    public string Name { get; } = name;

    public async Task ReadLoopAsync(ElectrumSessionRunner session)
    {
        try
        {
            while (true)
            {
                // Park without a buffer until the next frame arrives.
                var peek = await socket.ReceiveAsync(Memory<byte>.Empty, _stop.Token).ConfigureAwait(false);
                if (peek.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
                var (buffer, length, oversized, closed) = await ReceiveMessageAsync(peek).ConfigureAwait(false);
                try
                {
                    if (closed)
                    {
                        return;
                    }
                    var go = oversized
                        ? await session.ReceiveOversizedAsync().ConfigureAwait(false)
                        : length == 0 || await session.ReceiveAsync(new ReadOnlySequence<byte>(buffer, 0, length)).ConfigureAwait(false);
                    if (!go)
                    {
                        return;
                    }
                }
                finally
                {
                    if (buffer.Length > 0)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    private async Task<(byte[] Buffer, int Length, bool Oversized, bool Closed)> ReceiveMessageAsync(ValueWebSocketReceiveResult peek)
    {
        if (peek.EndOfMessage)
        {
            return ([], 0, false, false);
        }
        var buffer = ArrayPool<byte>.Shared.Rent(FirstBufferSize);
        var length = 0;
        var oversized = false;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length > maxMessageBytes)
                {
                    // Over the limit: keep draining into the same buffer, from its start.
                    oversized = true;
                    length = 0;
                }
                else
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, maxMessageBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
            }
            var result = await socket.ReceiveAsync(buffer.AsMemory(length), _stop.Token).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (buffer, 0, false, true);
            }
            length += result.Count;
            if (result.EndOfMessage)
            {
                return (buffer, length, oversized || length > maxMessageBytes, false);
            }
        }
    }

    public async ValueTask<bool> WriteAsync(OutboundMessage message)
    {
        var writer = _writer ??= new PooledWriter();
        try
        {
            message.WriteTo(writer);
            await socket.SendAsync(writer.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, _stop.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            writer.Reset();
        }
    }

    public ValueTask<bool> FlushAsync() => ValueTask.FromResult(socket.State is WebSocketState.Open or WebSocketState.CloseReceived);

    public async ValueTask CompleteOutputAsync(bool abuse)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }
        using var timeout = new CancellationTokenSource(CloseTimeout);
        try
        {
            await socket.CloseOutputAsync(abuse ? WebSocketCloseStatus.PolicyViolation : WebSocketCloseStatus.NormalClosure,
                abuse ? "closed by the server" : null, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
    }

    public void StopReading()
    {
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Abort(string reason)
    {
        StopReading();
        socket.Abort();
        try
        {
            abortConnection();
        }
        catch (ObjectDisposedException)
        {
            // The request already ended (its HttpContext is disposed): the connection is gone, as wanted.
        }
    }

    public void Dispose()
    {
        _stop.Dispose();
        _writer?.Reset();
    }

    /// <summary>A growable buffer from the pool, returned whenever it is reset (between messages).</summary>
    private sealed class PooledWriter : IBufferWriter<byte>
    {
        private byte[] _buffer = [];
        private int _written;

        public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

        public void Advance(int count) => _written += count;

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return _buffer.AsMemory(_written);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return _buffer.AsSpan(_written);
        }

        public void Reset()
        {
            if (_buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
            }
            _buffer = [];
            _written = 0;
        }

        private void Ensure(int sizeHint)
        {
            var needed = _written + Math.Max(sizeHint, 1);
            if (needed <= _buffer.Length)
            {
                return;
            }
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(FirstBufferSize, _buffer.Length * 2)));
            _buffer.AsSpan(0, _written).CopyTo(bigger);
            if (_buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
            }
            _buffer = bigger;
        }
    }
}
