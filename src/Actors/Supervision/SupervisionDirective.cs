namespace Coinshard.Actors.Supervision;

/// <summary>What to do with an actor whose handler (or start-up) threw.</summary>
public enum SupervisionDirective
{
    /// <summary>
    /// Discard the instance (its children are stopped, <c>PostStopAsync</c> runs), wait the backoff, create a new
    /// instance from the factory and go on with the next message. Too many restarts within the window escalate.
    /// </summary>
    Restart,

    /// <summary>Stop the actor for good: queued messages are rejected, children stopped, the system stays healthy.</summary>
    Stop,

    /// <summary>Stop the actor and hand the failure to its parent (or, at the top, mark the system unhealthy).</summary>
    Escalate,
}
