using System.Buffers;

using Coinshard.Electrum.Protocol;

namespace Coinshard.Electrum.Sessions;

/// <summary>
/// A message waiting for the client, kept unserialized until the writer takes it so that queued
/// messages cost their payload only. <see cref="Size"/> approximates the serialized length for the
/// outbound bound.
/// </summary>
internal abstract class OutboundMessage
{
    private const int Overhead = 64;

    public abstract int Size { get; }

    /// <summary>Writes the JSON (no framing; the transport adds the newline or the frame).</summary>
    public abstract void WriteTo(IBufferWriter<byte> output);

    public static OutboundMessage Of(JsonRpcResponse response) => new Single(response);

    public static OutboundMessage Of(IReadOnlyList<JsonRpcResponse> responses) => new Batch(responses);

    public static OutboundMessage Notification(string method, byte[] paramsJson) => new NotificationMessage(method, paramsJson);

    private static int SizeOf(JsonRpcResponse response) =>
        Overhead + response.RawId.Length + (response.ResultJson?.Length ?? 0) + (response.Error?.Message.Length * 2 ?? 0);

    private sealed class Single(JsonRpcResponse response) : OutboundMessage
    {
        public override int Size { get; } = SizeOf(response);

        public override void WriteTo(IBufferWriter<byte> output) => JsonRpcWriter.Write(output, response);
    }

    private sealed class Batch(IReadOnlyList<JsonRpcResponse> responses) : OutboundMessage
    {
        public override int Size { get; } = responses.Sum(SizeOf);

        public override void WriteTo(IBufferWriter<byte> output) => JsonRpcWriter.WriteBatch(output, responses);
    }

    private sealed class NotificationMessage(string method, byte[] paramsJson) : OutboundMessage
    {
        public override int Size { get; } = Overhead + method.Length + paramsJson.Length;

        public override void WriteTo(IBufferWriter<byte> output) => JsonRpcWriter.WriteNotification(output, method, paramsJson);
    }
}

/// <summary>
/// One connection as the session sees it: it reads frames into the session and writes messages
/// with the transport's framing (a newline over TCP/TLS, one text frame over WebSocket).
/// </summary>
internal interface ISessionTransport
{
    /// <summary>"tcp", "tls", "ws" or "wss", for logs.</summary>
    string Name { get; }

    /// <summary>Reads until the peer closes, <see cref="StopReading"/> or <see cref="Abort"/>; never throws.</summary>
    Task ReadLoopAsync(ElectrumSessionRunner session);

    /// <summary>Writes one message; false when the connection is gone.</summary>
    ValueTask<bool> WriteAsync(OutboundMessage message);

    /// <summary>Pushes written messages to the client; waits while the client does not read. False when the connection is gone.</summary>
    ValueTask<bool> FlushAsync();

    /// <summary>Ends the output gracefully after what was flushed (FIN, or a WebSocket close frame).</summary>
    ValueTask CompleteOutputAsync(bool abuse);

    /// <summary>Makes a pending or the next read return.</summary>
    void StopReading();

    /// <summary>Drops the connection at once; pending reads, writes and flushes return.</summary>
    void Abort(string reason);
}
