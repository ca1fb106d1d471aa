namespace Coinshard.Actors;

/// <summary>
/// Base class of an actor: private state plus a handler that the runtime calls for one message at a time (the
/// next message starts only after the previous handler's task completed), so the state needs no locks.
/// Instances are made by the factory passed to <c>Spawn</c>, and made again on every restart, which is how a
/// restart resets the state.
/// </summary>
/// <typeparam name="TMessage">The messages this actor handles.</typeparam>
public abstract class Actor<TMessage>
{
    private ActorRef<TMessage>? _self;
    private ActorContext? _context;

    /// <summary>This actor's own reference, to hand out as a reply address. Available from <see cref="PreStartAsync"/> on, not in the constructor.</summary>
    protected ActorRef<TMessage> Self =>
        _self ?? throw new InvalidOperationException("Self is available from PreStartAsync on, not in the actor's constructor.");

    /// <summary>Spawning children, logging, the stopping token and stopping itself. Available from <see cref="PreStartAsync"/> on.</summary>
    protected ActorContext Context => _context ??= new ActorContext(Self, GetType());

    /// <summary>
    /// Handles one message. Throwing hands the failure to the supervision strategy; the message is not
    /// redelivered. Await <see cref="ActorContext.StoppingToken"/>-aware operations so a stop deadline can
    /// interrupt long waits.
    /// </summary>
    protected abstract ValueTask ReceiveAsync(TMessage message);

    /// <summary>
    /// Runs before the first message of each instance (after every restart too): spawn children, open resources.
    /// Throwing counts as a failure of the actor.
    /// </summary>
    protected virtual ValueTask PreStartAsync() => ValueTask.CompletedTask;

    /// <summary>
    /// Runs once when an instance is discarded (stop or restart), after its children have stopped: release
    /// resources. Exceptions are logged and ignored.
    /// </summary>
    protected virtual ValueTask PostStopAsync() => ValueTask.CompletedTask;

    internal ValueTask InvokeReceiveAsync(TMessage message) => ReceiveAsync(message);

    internal ValueTask InvokePreStartAsync() => PreStartAsync();

    internal ValueTask InvokePostStopAsync() => PostStopAsync();

    internal void Attach(ActorRef<TMessage> self)
    {
        _self = self;
        _context = null;
    }
}
