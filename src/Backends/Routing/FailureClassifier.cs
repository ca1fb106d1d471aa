using Coinshard.Chain;

namespace Coinshard.Backends.Routing;

/// <summary>
/// Decides, per exception type of src/Backends/Errors (and the few framework types a future adapter may
/// leak), whether a call is answered, retried elsewhere, or counted as a backend failure.
/// </summary>
internal static class FailureClassifier
{
    /// <summary>JSON-RPC 2.0's "method not found": this node (an older or restricted one) lacks the call, another may have it.</summary>
    private const int JsonRpcMethodNotFound = -32601;

    public static FailureKind Classify(Exception error) => error switch
    {
        // Consensus and policy rules are the same on every node of the network: another node would
        // refuse the same transaction, and a double spend must surface at once, not after N tries.
        TransactionRejectedException => FailureKind.Refusal,
        // A lagging node may not have the block yet, a pruned one no longer has it.
        BlockNotFoundException => FailureKind.NotHere,
        // The node stayed busy with another client's scan (after waiting up to its scan timeout) or aborted.
        ScanFailedException => FailureKind.NotHere,
        // A backend that learns only at run time that it cannot do something (e.g. a wallet without descriptor support).
        BackendCapabilityException => FailureKind.NotHere,
        RpcException { Code: JsonRpcMethodNotFound } => FailureKind.NotHere,
        // Any other RPC error is the node's answer to this request (invalid parameter, misc error): the node is healthy.
        RpcException => FailureKind.Refusal,
        // Unreachable after the adapter's own retries, wrong credentials, another chain, unparseable answers:
        // all properties of that backend, not of the request.
        BackendUnavailableException or BackendAuthenticationException or BackendNetworkMismatchException or BackendProtocolException => FailureKind.BackendFailure,
        AllBackendsFailedException => FailureKind.BackendFailure, // a nested router
        BackendException => FailureKind.BackendFailure,
        // Garbage amounts in the node's answer.
        AmountFormatException => FailureKind.BackendFailure,
        // Malformed addresses or descriptors from the caller.
        ChainFormatException => FailureKind.CallerError,
        // Transport errors an adapter did not wrap, and timeouts that are not the caller's cancellation.
        HttpRequestException or IOException or TimeoutException or OperationCanceledException => FailureKind.BackendFailure,
        _ => FailureKind.CallerError,
    };
}
