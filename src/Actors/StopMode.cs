namespace Coinshard.Actors;

/// <summary>What a stopping actor does with the messages already in its mailbox.</summary>
public enum StopMode
{
    /// <summary>
    /// Keep handling queued messages until the mailbox is empty or the stop deadline passes; whatever is left
    /// then is rejected. Suits actors whose queued work must not be lost on a clean shutdown (shards applying
    /// block deltas).
    /// </summary>
    Drain,

    /// <summary>
    /// Reject queued messages at once (pending asks fail with <see cref="ActorStoppedException"/>). Suits actors
    /// whose queued work is worthless once they stop (a closed client session).
    /// </summary>
    Reject,
}
