namespace Coinshard.Backends.Core;

/// <summary>
/// Maps Core's <c>sendrawtransaction</c> errors to specific exceptions, keeping the node's reason.
/// Codes from src/rpc/protocol.h; reasons from validation (Core 0.21 and later).
/// </summary>
internal static class CoreBroadcastErrors
{
    public static RpcException Map(RpcException error)
    {
        var (method, code, reason) = (error.Method, error.Code, error.RpcMessage);
        if (code == CoreRpcErrorCodes.DeserializationError)
        {
            return new TransactionDecodeException(method, code, reason);
        }
        if (code == CoreRpcErrorCodes.VerifyAlreadyInChain)
        {
            return new TransactionAlreadyInChainException(method, code, reason);
        }
        if (code is not (CoreRpcErrorCodes.VerifyError or CoreRpcErrorCodes.VerifyRejected))
        {
            return error;
        }
        if (Has(reason, "missingorspent") || Has(reason, "missing inputs"))
        {
            return new TransactionMissingInputsException(method, code, reason);
        }
        if (Has(reason, "txn-mempool-conflict"))
        {
            return new TransactionConflictException(method, code, reason);
        }
        if (Has(reason, "min relay fee not met") || Has(reason, "mempool min fee not met") || Has(reason, "insufficient fee"))
        {
            return new TransactionFeeTooLowException(method, code, reason);
        }
        if (Has(reason, "max-fee-exceeded") || Has(reason, "absurdly-high-fee") || Has(reason, "fee exceeds maximum"))
        {
            return new TransactionFeeTooHighException(method, code, reason);
        }
        if (Has(reason, "txn-already-known") || Has(reason, "outputs already in utxo set"))
        {
            return new TransactionAlreadyInChainException(method, code, reason);
        }
        return new TransactionRejectedException(method, code, reason);
    }

    private static bool Has(string reason, string fragment) => reason.Contains(fragment, StringComparison.OrdinalIgnoreCase);
}
