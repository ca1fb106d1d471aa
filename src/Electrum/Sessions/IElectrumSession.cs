using System.Net;

using Coinshard.Electrum.Protocol;

namespace Coinshard.Electrum.Sessions;

/// <summary>One client connection as the method handlers see it.</summary>
public interface IElectrumSession
{
    /// <summary>Unique per process; appears in logs.</summary>
    long Id { get; }

    /// <summary>The client's address (per-IP limits key on it).</summary>
    IPAddress RemoteAddress { get; }

    /// <summary>The version agreed by <c>server.version</c>; null before negotiation.</summary>
    ProtocolVersion? Version { get; }

    /// <summary>The client name sent with <c>server.version</c>, for logs (truncated, never trusted).</summary>
    string? ClientName { get; }

    /// <summary>
    /// Queues a notification (e.g. a subscription update). Never blocks the caller: when the client
    /// does not read and the session's outbound queue is full, the session is closed instead.
    /// Returns false when the session is closed or closing.
    /// </summary>
    bool TryNotify(string method, byte[] paramsJson);
}

/// <summary>
/// Answers the Electrum methods. The session layer owns framing, batches, <c>server.version</c>,
/// limits and throttling; the handler owns everything else, including subscriptions (dropped in
/// <see cref="SessionClosed"/>).
/// </summary>
public interface IElectrumMethodHandler
{
    /// <summary>
    /// Answers one request for <paramref name="session"/>. Client mistakes are returned as error
    /// responses, not thrown; an exception is a server fault (answered with a generic internal error
    /// and logged once).
    /// </summary>
    ValueTask<JsonRpcResponse> HandleAsync(IElectrumSession session, JsonRpcRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// The relative cost of a request for throttling (1 for cheap calls such as <c>server.ping</c>;
    /// more for history, listunspent, merkle proofs and broadcasts).
    /// </summary>
    int CostOf(JsonRpcRequest request);

    /// <summary>Releases what the session held (subscriptions).</summary>
    void SessionClosed(IElectrumSession session);
}
