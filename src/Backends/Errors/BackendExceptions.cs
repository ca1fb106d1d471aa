using Coinshard.Chain.Networks;

namespace Coinshard.Backends;

/// <summary>
/// Base type of every error a backend raises, so that a router can tell backend failures from bugs.
/// Messages name the backend by its URL without credentials and never contain a password or cookie.
/// </summary>
public class BackendException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BackendException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>
/// The backend could not be reached or did not answer in time (connection refused, timeout, node
/// restarting or warming up) even after the configured retries. Another backend may succeed.
/// </summary>
public sealed class BackendUnavailableException : BackendException
{
    /// <summary>Creates the exception for <paramref name="endpoint"/> (a URL without credentials).</summary>
    public BackendUnavailableException(string endpoint, string reason, int attempts, bool timedOut = false, Exception? inner = null)
        : base($"backend {endpoint} is unavailable: {reason} (after {attempts} attempt{(attempts == 1 ? "" : "s")})", inner)
    {
        Endpoint = endpoint;
        Reason = reason;
        Attempts = attempts;
        TimedOut = timedOut;
    }

    /// <summary>The backend's URL, without credentials.</summary>
    public string Endpoint { get; }

    /// <summary>Why the last attempt failed.</summary>
    public string Reason { get; }

    /// <summary>How many attempts were made before giving up.</summary>
    public int Attempts { get; }

    /// <summary>True when the last attempt timed out: the node may still be working on the request.</summary>
    public bool TimedOut { get; }
}

/// <summary>
/// The backend refused our credentials (HTTP 401) or our address (HTTP 403). Retrying will not help;
/// the configuration must change. The message never contains the password or the cookie.
/// </summary>
public sealed class BackendAuthenticationException(string endpoint, string message)
    : BackendException($"backend {endpoint}: {message}")
{
    /// <summary>The backend's URL, without credentials.</summary>
    public string Endpoint { get; } = endpoint;
}

/// <summary>
/// The node follows another chain than the one configured (e.g. configured litecoin-mainnet, node on
/// regtest). Serving its data would corrupt the index, so the backend refuses to work.
/// </summary>
public sealed class BackendNetworkMismatchException : BackendException
{
    /// <summary>Creates the exception; <paramref name="actual"/> is null when the node's chain is no known network.</summary>
    public BackendNetworkMismatchException(string endpoint, Network configured, Network? actual, string actualDescription)
        : base($"backend {endpoint} is on {actualDescription}, but {configured.Name} is configured")
    {
        Endpoint = endpoint;
        Configured = configured;
        Actual = actual;
    }

    /// <summary>The backend's URL, without credentials.</summary>
    public string Endpoint { get; }

    /// <summary>The network the backend was configured for.</summary>
    public Network Configured { get; }

    /// <summary>The network the node is on, when it is one we know.</summary>
    public Network? Actual { get; }
}

/// <summary>The backend answered with something we cannot understand (not JSON, a missing field, a malformed amount).</summary>
public sealed class BackendProtocolException(string message, Exception? inner = null)
    : BackendException(message, inner);

/// <summary>
/// The node answered a JSON-RPC call with an error object. Ordinary RPC errors are not retried:
/// the node is healthy, the request was refused.
/// </summary>
public class RpcException : BackendException
{
    /// <summary>Creates the exception from the node's error object.</summary>
    public RpcException(string method, int code, string rpcMessage)
        : base($"{method} failed with RPC error {code}: {rpcMessage}")
    {
        Method = method;
        Code = code;
        RpcMessage = rpcMessage;
    }

    /// <summary>Creates the exception with a message of a subtype's choosing.</summary>
    protected RpcException(string method, int code, string rpcMessage, string message)
        : base(message)
    {
        Method = method;
        Code = code;
        RpcMessage = rpcMessage;
    }

    /// <summary>The RPC method that failed.</summary>
    public string Method { get; }

    /// <summary>The node's error code (e.g. -26 rejected, -25 verify error, -8 invalid parameter).</summary>
    public int Code { get; }

    /// <summary>The node's error message, unchanged.</summary>
    public string RpcMessage { get; }
}

/// <summary>A block the caller named by hash is unknown to the node (or pruned away).</summary>
public sealed class BlockNotFoundException(string blockHash, string reason)
    : BackendException($"block {blockHash} not found: {reason}")
{
    /// <summary>The block hash in display (reversed hex) order.</summary>
    public string BlockHash { get; } = blockHash;
}

/// <summary>
/// A UTXO-set scan could not run: another scan kept the node busy for longer than the scan timeout,
/// or the node aborted the scan.
/// </summary>
public sealed class ScanFailedException(string message)
    : BackendException(message);
