using Microsoft.Extensions.Logging;

namespace Coinshard.Actors.Internal;

/// <summary>
/// Every log line the actor layer writes. Each failure is logged exactly once, by whoever decides what to do
/// about it (the failing actor when it restarts or stops, the system when it becomes unhealthy).
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "Actor {ActorPath} failed handling {MessageType} (failure {FailureCount} within {Window}, {MaxRestarts} restarts allowed); restarting in {Backoff}")]
    public static partial void Restarting(ILogger logger, string actorPath, string messageType, int failureCount, TimeSpan window, int maxRestarts, TimeSpan backoff, Exception exception);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning,
        Message = "Actor {ActorPath} failed handling {MessageType}; its supervision strategy stops it")]
    public static partial void StoppingAfterFailure(ILogger logger, string actorPath, string messageType, Exception exception);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error,
        Message = "Actor {ActorPath} failed handling {MessageType} and escalated to the actor system ({Reason}); the actor is stopped and the system is unhealthy")]
    public static partial void Unhealthy(ILogger logger, string actorPath, string messageType, string reason, Exception exception);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning,
        Message = "Actor {ActorPath} failed handling {MessageType} while stopping; its remaining messages are rejected")]
    public static partial void FailedWhileStopping(ILogger logger, string actorPath, string messageType, Exception exception);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug,
        Message = "Actor {ActorPath} stopped with {Count} queued messages rejected")]
    public static partial void RejectedOnStop(ILogger logger, string actorPath, int count);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning,
        Message = "Actor {ActorPath} could not drain its mailbox before the stop deadline; {Count} queued messages rejected")]
    public static partial void DrainDeadlinePassed(ILogger logger, string actorPath, int count);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning,
        Message = "Actor {ActorPath} threw from {Hook}; ignored because the instance is being discarded")]
    public static partial void HookFailed(ILogger logger, string actorPath, string hook, Exception exception);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning,
        Message = "Actor {ActorPath} was stopping when child {ChildPath} escalated a failure handling {MessageType} ({Reason})")]
    public static partial void EscalationWhileStopping(ILogger logger, string actorPath, string childPath, string messageType, string reason, Exception exception);

    [LoggerMessage(EventId = 8, Level = LogLevel.Critical,
        Message = "Actor {ActorPath}: internal error in the actor runtime; the actor is stopped")]
    public static partial void InternalError(ILogger logger, string actorPath, Exception exception);
}
