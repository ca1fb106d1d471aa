namespace Coinshard.Backends.Core;

/// <summary>Core's JSON-RPC error codes that the client and backend react to (src/rpc/protocol.h).</summary>
internal static class CoreRpcErrorCodes
{
    public const int MiscError = -1;
    public const int InvalidAddressOrKey = -5;
    public const int InvalidParameter = -8;
    public const int DeserializationError = -22;
    public const int VerifyError = -25;
    public const int VerifyRejected = -26;
    public const int VerifyAlreadyInChain = -27;
    public const int InWarmup = -28;
    public const int MethodNotFound = -32601;
}
