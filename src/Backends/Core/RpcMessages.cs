using System.Text.Json;

namespace Coinshard.Backends.Core;

/// <summary>One JSON-RPC call: a method and its positional parameters.</summary>
/// <param name="Method">The RPC method.</param>
/// <param name="Parameters">
/// Positional parameters: null, strings, booleans, integers, decimals, <see cref="Coinshard.Chain.Hashing.Hash256"/>
/// (sent as display hex), byte arrays (sent as hex), <see cref="JsonElement"/>, dictionaries with string keys (objects) and sequences (arrays).
/// </param>
public sealed record RpcRequest(string Method, IReadOnlyList<object?> Parameters)
{
    /// <summary>A call without parameters.</summary>
    public RpcRequest(string method)
        : this(method, [])
    {
    }
}

/// <summary>The error object of a failed JSON-RPC call.</summary>
/// <param name="Code">Core's error code.</param>
/// <param name="Message">Core's error message.</param>
public sealed record RpcError(int Code, string Message);

/// <summary>One answer of a batch: a result or an error, for the request at the same position.</summary>
public sealed class RpcResponse
{
    internal RpcResponse(string method, JsonElement result, RpcError? error)
    {
        Method = method;
        Result = result;
        Error = error;
    }

    /// <summary>The method this answers.</summary>
    public string Method { get; }

    /// <summary>The result (a detached element that outlives the response); undefined when the call failed.</summary>
    public JsonElement Result { get; }

    /// <summary>The error, when the call failed.</summary>
    public RpcError? Error { get; }

    /// <summary>The result, or the error as an <see cref="RpcException"/>.</summary>
    /// <exception cref="RpcException">The call failed.</exception>
    public JsonElement GetResultOrThrow() => Error is null ? Result : throw new RpcException(Method, Error.Code, Error.Message);
}

/// <summary>Per-call settings that differ from the client's defaults.</summary>
public sealed record RpcCallOptions
{
    /// <summary>Timeout for this call; null for the client's <see cref="CoreRpcOptions.Timeout"/>.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>False to fail at the first transport error instead of retrying (for calls whose repetition would do harm).</summary>
    public bool RetryTransientFailures { get; init; } = true;
}
