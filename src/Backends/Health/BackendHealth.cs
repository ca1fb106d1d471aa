namespace Coinshard.Backends;

/// <summary>Whether a backend is usable, as far as its recent calls tell.</summary>
public enum BackendHealthStatus
{
    /// <summary>No call has completed yet.</summary>
    Unknown,

    /// <summary>The last call reached the backend and got an answer (even an RPC error).</summary>
    Healthy,

    /// <summary>The last call could not get an answer: unreachable, timed out, refused our credentials, or answered garbage.</summary>
    Unhealthy,
}

/// <summary>A snapshot of a backend's health for the router and the <c>/health</c> endpoint.</summary>
/// <param name="Status">Current status.</param>
/// <param name="LastError">Message of the most recent failure (no secrets), or null if none happened.</param>
/// <param name="LastErrorAt">When it happened.</param>
/// <param name="LastSuccessAt">When a call last succeeded.</param>
/// <param name="ConsecutiveFailures">Failures since the last success.</param>
public sealed record BackendHealth(
    BackendHealthStatus Status,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    DateTimeOffset? LastSuccessAt,
    int ConsecutiveFailures)
{
    /// <summary>Health before any call.</summary>
    public static BackendHealth Initial { get; } = new(BackendHealthStatus.Unknown, null, null, null, 0);

    /// <summary>True when the last call succeeded.</summary>
    public bool IsHealthy => Status == BackendHealthStatus.Healthy;
}
