namespace Coinshard.Electrum.Protocol;

/// <summary>JSON-RPC 2.0 error codes, plus the ones Electrum servers use for their own failures.</summary>
public static class JsonRpcErrorCodes
{
    /// <summary>The text is not JSON.</summary>
    public const int ParseError = -32700;

    /// <summary>JSON, but not a request object (or an empty batch).</summary>
    public const int InvalidRequest = -32600;

    /// <summary>No such method (for the negotiated protocol version).</summary>
    public const int MethodNotFound = -32601;

    /// <summary>Wrong number, names or types of parameters.</summary>
    public const int InvalidParams = -32602;

    /// <summary>A server fault; the message says what without internals.</summary>
    public const int InternalError = -32603;

    /// <summary>ElectrumX's "bad request": well-formed but refused (unknown scripthash format, height out of range…).</summary>
    public const int BadRequest = 1;

    /// <summary>ElectrumX's "daemon error": the backend node refused or failed (e.g. a rejected broadcast).</summary>
    public const int DaemonError = 2;

    /// <summary>
    /// Over the cost budget (throttling refused the request): aiorpcx's code, which ElectrumX
    /// clients already understand as "slow down".
    /// </summary>
    public const int ExcessiveResourceUsage = -101;

    /// <summary>The history of a scripthash is larger than the configured limit (the code a later protocol draft assigns).</summary>
    public const int HistoryTooLarge = 10001;
}
