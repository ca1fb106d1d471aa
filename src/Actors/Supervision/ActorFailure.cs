namespace Coinshard.Actors.Supervision;

/// <summary>
/// One failure with the context an operator needs: which actor, handling which message, what was thrown, when,
/// and why it was escalated.
/// </summary>
/// <param name="ActorPath">Path of the actor that failed (for an escalated child failure: the parent that handled it as its own).</param>
/// <param name="MessageType">Type name of the message whose handler threw (for an escalated child failure: the child's message); <see langword="null"/> when start-up (factory or <c>PreStartAsync</c>) failed.</param>
/// <param name="Exception">What was thrown.</param>
/// <param name="Timestamp">When it was thrown (system clock).</param>
/// <param name="Reason">Why it went up the hierarchy (for example "6 failures within 00:01:00").</param>
public sealed record ActorFailure(string ActorPath, string? MessageType, Exception Exception, DateTimeOffset Timestamp, string Reason);
