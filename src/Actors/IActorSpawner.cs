namespace Coinshard.Actors;

/// <summary>
/// Something that can create actors under itself: the <see cref="ActorSystem"/> (top-level actors) or an
/// <see cref="ActorContext"/> (children). Lets helpers such as <see cref="Sharding.ShardRegion{TMessage}"/> work at
/// either level.
/// </summary>
public interface IActorSpawner
{
    /// <summary>Path of the parent that new actors get.</summary>
    string Path { get; }

    /// <summary>
    /// Creates and starts an actor. <paramref name="factory"/> must return a NEW instance on every call: it is
    /// called again for each restart. The actor's <c>PreStartAsync</c> runs on the thread pool soon after this
    /// returns; messages sent meanwhile wait in the mailbox.
    /// </summary>
    /// <param name="name">Unique among the live siblings; must not contain '/'.</param>
    /// <param name="factory">Makes a fresh instance (initial state).</param>
    /// <param name="options">Mailbox, supervision and stop settings; the system's defaults when null.</param>
    /// <exception cref="ArgumentException">Bad or duplicate name, or invalid options.</exception>
    /// <exception cref="ActorStoppedException">The parent (or the system) is stopping.</exception>
    ActorRef<TMessage> Spawn<TMessage>(string name, Func<Actor<TMessage>> factory, ActorOptions? options = null);
}
