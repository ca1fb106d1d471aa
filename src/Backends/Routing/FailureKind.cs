namespace Coinshard.Backends.Routing;

/// <summary>What an adapter's exception means for routing the call that raised it.</summary>
internal enum FailureKind
{
    /// <summary>The backend answered, with a refusal that every backend would give (a consensus rejection, an invalid parameter): the answer, passed on, not retried.</summary>
    Refusal,

    /// <summary>The request itself is wrong (invalid argument, malformed address) or a bug: passed on at once, the backend's health untouched.</summary>
    CallerError,

    /// <summary>The backend is fine but cannot answer this request (a block it lacks, a scan slot it has not got): asked elsewhere, health untouched.</summary>
    NotHere,

    /// <summary>The backend failed (unreachable, timed out, wrong credentials or network, garbage): counted against its health, retried elsewhere and in later rounds.</summary>
    BackendFailure,
}
