namespace Coinshard.Actors.Supervision;

/// <summary>
/// Health of an actor system as a host reports it (readiness/liveness probes, admin API): unhealthy once any
/// top-level actor escalated a failure to the system, because that actor is gone and its work is not being done.
/// </summary>
public sealed class ActorSystemHealth
{
    internal ActorSystemHealth(IReadOnlyList<ActorFailure> failures) => Failures = failures;

    /// <summary>True while no failure has reached the system.</summary>
    public bool IsHealthy => Failures.Count == 0;

    /// <summary>The failures escalated to the system, oldest first.</summary>
    public IReadOnlyList<ActorFailure> Failures { get; }
}
