using Coinshard.Electrum.Protocol;

namespace Coinshard.Electrum.Methods;

/// <summary>
/// A request the server refuses for a reason the client can act on (bad params, unknown
/// transaction, history too large). The dispatcher turns it into a JSON-RPC error; it never escapes.
/// </summary>
/// <param name="code">A <see cref="JsonRpcErrorCodes"/> value.</param>
/// <param name="message">One line for the client.</param>
public sealed class ElectrumRequestException(int code, string message) : Exception(message)
{
    /// <summary>The JSON-RPC error code.</summary>
    public int Code { get; } = code;

    /// <summary>Wrong or missing params.</summary>
    public static ElectrumRequestException InvalidParams(string message) => new(JsonRpcErrorCodes.InvalidParams, message);

    /// <summary>Well-formed but refused.</summary>
    public static ElectrumRequestException BadRequest(string message) => new(JsonRpcErrorCodes.BadRequest, message);
}
