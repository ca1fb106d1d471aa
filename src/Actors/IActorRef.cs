namespace Coinshard.Actors;

/// <summary>
/// Where messages of type <typeparamref name="TMessage"/> can be sent: an actor, a shard region, a test probe or
/// the reply slot of an ask. Holders of a reference can only send; they never touch the receiver's state.
/// </summary>
/// <typeparam name="TMessage">The message type the receiver accepts (contravariant: a reference for a base
/// message type can stand in for a reference to one of its subtypes).</typeparam>
public interface IActorRef<in TMessage>
{
    /// <summary>Hierarchical name of the receiver (for example <c>node/shards-3</c>), used in logs and errors.</summary>
    string Path { get; }

    /// <summary>
    /// Enqueues without waiting. Returns <see langword="false"/> when the mailbox is full or the receiver has
    /// stopped, so producers that must not wait (network reads, timers) can decide what to do instead.
    /// </summary>
    bool TryTell(TMessage message);

    /// <summary>
    /// Enqueues, waiting while the mailbox is full (back-pressure): a fast producer slows down to the
    /// receiver's pace instead of growing memory or losing messages.
    /// </summary>
    /// <exception cref="ActorStoppedException">The receiver has stopped (or stops while the caller waits).</exception>
    ValueTask TellAsync(TMessage message, CancellationToken cancellationToken = default);
}
