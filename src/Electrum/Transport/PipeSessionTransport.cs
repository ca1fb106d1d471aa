using System.Buffers;
using System.IO.Pipelines;

using Coinshard.Electrum.Sessions;

using Microsoft.AspNetCore.Connections;

namespace Coinshard.Electrum.Transport;

/// <summary>
/// A raw Kestrel connection (TCP, or TLS when Kestrel's HTTPS middleware wraps it): newline-delimited
/// JSON-RPC read with a <see cref="LineFramer"/> straight from the connection's pipe. Kestrel's
/// socket transport waits for data before renting a buffer, so an idle session holds none.
/// </summary>
internal sealed class PipeSessionTransport(ConnectionContext connection, int maxLineBytes, string name) : ISessionTransport
{
    private static readonly byte[] Newline = "\n"u8.ToArray();

    public string Name { get; } = name;

    public async Task ReadLoopAsync(ElectrumSessionRunner session)
    {
        var input = connection.Transport.Input;
        var framer = new LineFramer(maxLineBytes);
        while (true)
        {
            var result = await input.ReadAsync().ConfigureAwait(false);
            if (result.IsCanceled)
            {
                return;
            }
            var buffer = result.Buffer;
            var go = true;
            try
            {
                while (go)
                {
                    var kind = framer.TryRead(ref buffer, out var line);
                    if (kind == FrameKind.Incomplete)
                    {
                        break;
                    }
                    go = kind == FrameKind.Line
                        ? await session.ReceiveAsync(line).ConfigureAwait(false)
                        : await session.ReceiveOversizedAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                input.AdvanceTo(buffer.Start, buffer.End);
            }
            if (!go || result.IsCompleted)
            {
                return;
            }
        }
    }

    public ValueTask<bool> WriteAsync(OutboundMessage message)
    {
        var output = connection.Transport.Output;
        message.WriteTo(output);
        output.Write(Newline);
        return ValueTask.FromResult(true);
    }

    public async ValueTask<bool> FlushAsync()
    {
        var result = await connection.Transport.Output.FlushAsync().ConfigureAwait(false);
        return !result.IsCanceled && !result.IsCompleted;
    }

    public async ValueTask CompleteOutputAsync(bool abuse)
    {
        try
        {
            await connection.Transport.Output.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException)
        {
        }
    }

    public void StopReading() => connection.Transport.Input.CancelPendingRead();

    public void Abort(string reason)
    {
        connection.Transport.Input.CancelPendingRead();
        connection.Transport.Output.CancelPendingFlush();
        connection.Abort(new ConnectionAbortedException(reason));
    }
}
