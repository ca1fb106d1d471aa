using Microsoft.Extensions.Logging;

namespace Coinshard.Actors;

/// <summary>What an actor instance may do besides handling its messages. Belongs to the actor; do not hand it out.</summary>
public sealed class ActorContext : IActorSpawner
{
    private readonly ActorRef _self;
    private readonly Type _actorType;
    private ILogger? _logger;

    internal ActorContext(ActorRef self, Type actorType)
    {
        _self = self;
        _actorType = actorType;
    }

    /// <summary>The actor this context belongs to, untyped (the typed one is the actor's <c>Self</c>).</summary>
    public ActorRef Self => _self;

    /// <summary>The system the actor runs in.</summary>
    public ActorSystem System => _self.System;

    /// <inheritdoc/>
    public string Path => _self.Path;

    /// <summary>A logger whose category is the actor's class.</summary>
    public ILogger Logger => _logger ??= System.LoggerFactory.CreateLogger(_actorType);

    /// <summary>
    /// Cancelled when the actor must stop working: at the drain deadline of a stop, at once for
    /// <see cref="StopMode.Reject"/> or a failure stop, and when the actor has stopped. Pass it to long awaits
    /// (I/O, <c>TellAsync</c> to a busy actor) inside handlers.
    /// </summary>
    public CancellationToken StoppingToken => _self.StoppingToken;

    /// <summary>The live children, oldest first (a snapshot).</summary>
    public IReadOnlyList<ActorRef> Children => _self.ChildrenIfAny?.Snapshot() ?? [];

    /// <summary>Creates a child; it is stopped (newest first) before this actor stops or restarts.</summary>
    /// <inheritdoc cref="IActorSpawner.Spawn{TMessage}"/>
    public ActorRef<TChild> Spawn<TChild>(string name, Func<Actor<TChild>> factory, ActorOptions? options = null) =>
        System.SpawnUnder(_self, _self.Children, name, factory, options);

    /// <summary>
    /// Asks this actor to stop after the current message, with its own stop mode and drain timeout. Does not
    /// wait (waiting from inside the actor would deadlock); observe <see cref="ActorRef.Completion"/> from outside.
    /// </summary>
    public void Stop() => _ = _self.StopAsync();
}
