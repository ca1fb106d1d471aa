using System.Text.Json;

namespace Coinshard.Electrum.Protocol;

/// <summary>One element of an incoming message: a request, or an item that must be answered with an error.</summary>
/// <param name="RawId">The id's JSON text (<c>1</c>, <c>"a"</c>, <c>null</c>) echoed byte for byte; null when absent.</param>
public abstract record JsonRpcIncoming(byte[]? RawId);

/// <summary>A well-formed JSON-RPC request.</summary>
/// <param name="RawId">The id's JSON text; null when absent (a notification, which gets no answer).</param>
/// <param name="Method">The method name.</param>
/// <param name="Params">An array, an object (by-name parameters), or <see cref="JsonValueKind.Undefined"/> when absent. Detached from the input buffer.</param>
public sealed record JsonRpcRequest(byte[]? RawId, string Method, JsonElement Params) : JsonRpcIncoming(RawId)
{
    /// <summary>True when the client expects no answer (no id member at all).</summary>
    public bool IsNotification => RawId is null;
}

/// <summary>An element that is not a valid request; it is answered with this error (id null when none could be read).</summary>
/// <param name="RawId">The id if one could be recovered.</param>
/// <param name="Code">A <see cref="JsonRpcErrorCodes"/> value.</param>
/// <param name="Message">One line saying what is wrong.</param>
public sealed record JsonRpcInvalid(byte[]? RawId, int Code, string Message) : JsonRpcIncoming(RawId);

/// <summary>What one line (or WebSocket frame) contained.</summary>
/// <param name="Items">The requests and invalid items, in order; one per element for a batch.</param>
/// <param name="IsBatch">True when the message was a JSON array: the answers go back as one array.</param>
public sealed record JsonRpcMessage(IReadOnlyList<JsonRpcIncoming> Items, bool IsBatch);
