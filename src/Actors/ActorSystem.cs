using Coinshard.Actors.Internal;
using Coinshard.Actors.Supervision;

using Microsoft.Extensions.Logging;

namespace Coinshard.Actors;

/// <summary>
/// The root of a tree of actors: creates top-level actors, receives failures they escalate (and then reports
/// itself unhealthy), and shuts everything down in order. One per process is typical; it is cheap to create
/// one per test.
/// </summary>
public sealed class ActorSystem : IActorSpawner, IActorParent, IAsyncDisposable
{
    private readonly ActorSystemOptions _options;
    private readonly ChildList _topLevel = new();
    private readonly Lock _healthGate = new();
    private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ActorSystemHealth _health = new([]);
    private int _shutdownStarted;

    /// <summary>Creates a system; <paramref name="name"/> is the first segment of every actor path.</summary>
    public ActorSystem(string name, ActorSystemOptions? options = null)
    {
        ValidateName(name);
        _options = options ?? new ActorSystemOptions();
        ArgumentNullException.ThrowIfNull(_options.LoggerFactory, nameof(options));
        ArgumentNullException.ThrowIfNull(_options.TimeProvider, nameof(options));
        ArgumentNullException.ThrowIfNull(_options.DefaultActorOptions, nameof(options));
        _options.DefaultActorOptions.Validate();
        Name = name;
        Logger = _options.LoggerFactory.CreateLogger<ActorSystem>();
    }

    /// <summary>The system's name.</summary>
    public string Name { get; }

    /// <summary>The system's name: top-level actors are <c>Name/child</c>.</summary>
    public string Path => Name;

    /// <summary>The clock every actor of this system uses.</summary>
    public TimeProvider TimeProvider => _options.TimeProvider;

    /// <summary>Where actor loggers come from.</summary>
    public ILoggerFactory LoggerFactory => _options.LoggerFactory;

    /// <summary>Settings for spawns that pass none.</summary>
    public ActorOptions DefaultActorOptions => _options.DefaultActorOptions;

    /// <summary>Healthy until a top-level actor escalates a failure; for readiness probes and the admin API.</summary>
    public ActorSystemHealth Health => Volatile.Read(ref _health);

    /// <summary>Live top-level actors.</summary>
    public int TopLevelCount => _topLevel.Count;

    /// <summary>True once <see cref="ShutdownAsync"/> has been called.</summary>
    public bool IsShuttingDown => Volatile.Read(ref _shutdownStarted) != 0;

    /// <summary>Completes when a shutdown has stopped every actor.</summary>
    public Task Terminated => _terminated.Task;

    internal ILogger Logger { get; }

    /// <summary>Creates a top-level actor; failures it escalates make the system unhealthy.</summary>
    /// <inheritdoc cref="IActorSpawner.Spawn{TMessage}"/>
    public ActorRef<TMessage> Spawn<TMessage>(string name, Func<Actor<TMessage>> factory, ActorOptions? options = null) =>
        SpawnUnder(this, _topLevel, name, factory, options);

    /// <summary>
    /// Stops every top-level actor, newest first, each after its own children; completes when all have stopped.
    /// All actors share one drain deadline; what is still queued then is rejected. Spawning is refused from
    /// the moment this is called. Calling it again returns the same task.
    /// </summary>
    /// <param name="drainTimeout">Deadline for draining mailboxes; <see cref="ActorSystemOptions.ShutdownTimeout"/> when null.</param>
    public Task ShutdownAsync(TimeSpan? drainTimeout = null)
    {
        var deadline = StopRequest.DeadlineAfter(TimeProvider, drainTimeout ?? _options.ShutdownTimeout);
        if (Interlocked.Exchange(ref _shutdownStarted, 1) == 0)
        {
            _topLevel.Close();
            _ = StopAllAsync(deadline);
        }

        return _terminated.Task;
    }

    /// <summary>Shuts down with the default deadline.</summary>
    public async ValueTask DisposeAsync() => await ShutdownAsync().ConfigureAwait(false);

    internal ActorRef<TMessage> SpawnUnder<TMessage>(IActorParent parent, ChildList siblings, string name, Func<Actor<TMessage>> factory, ActorOptions? options)
    {
        ValidateName(name);
        ArgumentNullException.ThrowIfNull(factory);
        options ??= _options.DefaultActorOptions;
        options.Validate();
        var actor = new ActorRef<TMessage>(this, parent, name, factory, options);
        siblings.Add(actor, parent.Path);
        actor.Start();
        return actor;
    }

    void IActorParent.ChildStopped(ActorRef child) => _topLevel.Remove(child);

    void IActorParent.ChildEscalated(ActorRef child, ActorFailure failure)
    {
        lock (_healthGate)
        {
            _health = new ActorSystemHealth([.. _health.Failures, failure]);
        }

        Log.Unhealthy(Logger, failure.ActorPath, failure.MessageType ?? "start-up", failure.Reason, failure.Exception);
    }

    private async Task StopAllAsync(DateTimeOffset deadline)
    {
        try
        {
            await _topLevel.StopAllAsync(deadline).ConfigureAwait(false);
            _terminated.TrySetResult();
        }
        catch (Exception ex)
        {
            _terminated.TrySetException(ex);
        }
    }

    private static void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Actor name '{name}' must not contain '/'.", nameof(name));
        }
    }
}
