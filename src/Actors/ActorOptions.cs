using Coinshard.Actors.Supervision;

namespace Coinshard.Actors;

/// <summary>Per-actor settings; one immutable instance can be shared by many actors.</summary>
public sealed record ActorOptions
{
    /// <summary>The settings used when a spawn passes none and the system defines no other default.</summary>
    public static ActorOptions Default { get; } = new();

    /// <summary>
    /// How many messages may wait in the mailbox before senders are made to wait (<c>TellAsync</c>) or refused
    /// (<c>TryTell</c>). Memory is only used for messages actually queued.
    /// </summary>
    public int MailboxCapacity { get; init; } = 1000;

    /// <summary>What happens when a handler throws: restart with backoff (default), stop, or escalate.</summary>
    public SupervisionStrategy Supervision { get; init; } = SupervisionStrategy.Default;

    /// <summary>Whether queued messages are handled (until the deadline) or rejected when the actor stops.</summary>
    public StopMode StopMode { get; init; } = StopMode.Drain;

    /// <summary>
    /// Drain deadline used when this actor is stopped on its own (<see cref="ActorRef.StopAsync"/> without a
    /// timeout, or <see cref="ActorContext.Stop"/>). Children stopped with their parent share the parent's deadline.
    /// </summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Messages handled in one turn before the actor yields its thread-pool thread, so that a busy actor cannot
    /// starve the others on a machine with few cores.
    /// </summary>
    public int Throughput { get; init; } = 100;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MailboxCapacity, 1, nameof(MailboxCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(Throughput, 1, nameof(Throughput));
        ArgumentNullException.ThrowIfNull(Supervision, nameof(Supervision));
        if (DrainTimeout < TimeSpan.Zero && DrainTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(DrainTimeout), DrainTimeout, "Drain timeout must be zero, positive or infinite.");
        }

        if (!Enum.IsDefined(StopMode))
        {
            throw new ArgumentOutOfRangeException(nameof(StopMode), StopMode, "Unknown stop mode.");
        }

        Supervision.Validate();
    }
}
