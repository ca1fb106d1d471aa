using Coinshard.Actors.Supervision;

namespace Coinshard.Actors;

/// <summary>
/// A message could not be delivered because its receiver (or the whole actor system) has stopped or is stopping.
/// Raised at once, so callers never wait for a timeout on a dead actor.
/// </summary>
public sealed class ActorStoppedException : InvalidOperationException
{
    /// <summary>Creates the exception for a message of type <paramref name="messageType"/> sent to <paramref name="actorPath"/>.</summary>
    public ActorStoppedException(string actorPath, string? messageType)
        : base(messageType is null
            ? $"Actor '{actorPath}' is stopped."
            : $"Actor '{actorPath}' is stopped; cannot deliver {messageType}.")
    {
        ActorPath = actorPath;
        MessageType = messageType;
    }

    /// <summary>The stopped receiver.</summary>
    public string ActorPath { get; }

    /// <summary>Type name of the message that was refused, when there was one.</summary>
    public string? MessageType { get; }
}

/// <summary>An ask got no reply within its timeout. Names the actor and the message so the log says who was slow.</summary>
public sealed class AskTimeoutException : TimeoutException
{
    /// <summary>Creates the exception for an ask of <paramref name="messageType"/> to <paramref name="actorPath"/>.</summary>
    public AskTimeoutException(string actorPath, string messageType, TimeSpan timeout)
        : base($"Ask to actor '{actorPath}' with {messageType} got no reply within {timeout}.")
    {
        ActorPath = actorPath;
        MessageType = messageType;
        Timeout = timeout;
    }

    /// <summary>The actor that did not reply in time.</summary>
    public string ActorPath { get; }

    /// <summary>Type name of the message that was asked.</summary>
    public string MessageType { get; }

    /// <summary>The timeout that expired.</summary>
    public TimeSpan Timeout { get; }
}

/// <summary>
/// A child gave up (its strategy escalated, or it failed too often) and hands its failure to its parent, which
/// handles it as its own failure. The inner exception is the child's original error.
/// </summary>
public sealed class ActorEscalationException : Exception
{
    /// <summary>Wraps the child's <paramref name="failure"/>.</summary>
    public ActorEscalationException(ActorFailure failure)
        : base(Describe(failure), failure?.Exception)
    {
        Failure = failure!;
    }

    /// <summary>The child's failure, with its path, message type and reason.</summary>
    public ActorFailure Failure { get; }

    private static string Describe(ActorFailure failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return $"Child actor '{failure.ActorPath}' escalated a failure while handling {failure.MessageType ?? "start-up"} ({failure.Reason}): {failure.Exception.Message}";
    }
}
