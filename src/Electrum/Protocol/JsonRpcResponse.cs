namespace Coinshard.Electrum.Protocol;

/// <summary>An error object of a JSON-RPC response.</summary>
/// <param name="Code">A <see cref="JsonRpcErrorCodes"/> value.</param>
/// <param name="Message">One line for the user of the wallet; never internals or secrets.</param>
public sealed record JsonRpcError(int Code, string Message);

/// <summary>
/// A response to one request: the result already serialized as JSON (methods write their own
/// result shapes), or an error.
/// </summary>
/// <param name="RawId">The request's id as JSON text.</param>
/// <param name="ResultJson">The result's JSON text; null when <paramref name="Error"/> is set.</param>
/// <param name="Error">The error; null on success.</param>
public sealed record JsonRpcResponse(byte[] RawId, byte[]? ResultJson, JsonRpcError? Error)
{
    /// <summary>A successful response.</summary>
    public static JsonRpcResponse Success(byte[] rawId, byte[] resultJson) => new(rawId, resultJson, null);

    /// <summary>An error response.</summary>
    public static JsonRpcResponse Failure(byte[]? rawId, int code, string message) =>
        new(rawId ?? JsonRpcParser.NullId, null, new JsonRpcError(code, message));
}
