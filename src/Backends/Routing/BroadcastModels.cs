using Coinshard.Chain.Hashing;

namespace Coinshard.Backends.Routing;

/// <summary>Where a router sends a transaction.</summary>
public enum BroadcastMode
{
    /// <summary>To the adapters in priority order until one accepts it or refuses it (a refusal is final).</summary>
    FirstSuccess,

    /// <summary>To every adapter able to broadcast and in service, at once, so that every node's mempool has it.</summary>
    All,
}

/// <summary>What happened at one adapter during a broadcast.</summary>
public enum BroadcastOutcome
{
    /// <summary>The node accepted the transaction (or already had it in its mempool).</summary>
    Accepted,

    /// <summary>The node refused it (<see cref="TransactionRejectedException"/> or another RPC error).</summary>
    Rejected,

    /// <summary>The adapter failed (unreachable, wrong network, …) or did not answer.</summary>
    Failed,

    /// <summary>Not sent: the adapter was out of service (cooling down after failures) and others were in service.</summary>
    Skipped,
}

/// <summary>One adapter's part in a broadcast.</summary>
/// <param name="Backend">The adapter's name.</param>
/// <param name="Outcome">What happened.</param>
/// <param name="Txid">The id the node returned, when it accepted.</param>
/// <param name="Error">The exception, when it refused or failed.</param>
public sealed record BroadcastAttempt(string Backend, BroadcastOutcome Outcome, Hash256? Txid, Exception? Error)
{
    /// <summary>The refusal's or failure's message (no secrets), or why the adapter was skipped.</summary>
    public string? Message => Outcome == BroadcastOutcome.Skipped ? "out of service (cooling down after failures)" : Error?.Message;
}

/// <summary>The outcome of a routed broadcast, per adapter in the order they answered (skipped ones last).</summary>
/// <param name="Mode">How it was sent.</param>
/// <param name="Attempts">Each adapter's part.</param>
public sealed record BroadcastReport(BroadcastMode Mode, IReadOnlyList<BroadcastAttempt> Attempts)
{
    /// <summary>The transaction id, when at least one node accepted it.</summary>
    public Hash256? Txid => Attempts.FirstOrDefault(a => a.Outcome == BroadcastOutcome.Accepted)?.Txid;

    /// <summary>True when at least one node accepted the transaction.</summary>
    public bool Accepted => Txid is not null;

    /// <summary>The first adapter that accepted it, or null.</summary>
    public string? AcceptedBy => Attempts.FirstOrDefault(a => a.Outcome == BroadcastOutcome.Accepted)?.Backend;

    /// <summary>The first refusal, or null.</summary>
    public Exception? Rejection => Attempts.FirstOrDefault(a => a.Outcome == BroadcastOutcome.Rejected)?.Error;
}
