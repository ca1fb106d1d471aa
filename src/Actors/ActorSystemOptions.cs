using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coinshard.Actors;

/// <summary>Settings shared by every actor of one <see cref="ActorSystem"/>.</summary>
public sealed record ActorSystemOptions
{
    /// <summary>Where supervision events and actor loggers write; nothing is logged by default.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>
    /// Clock for backoff delays, failure windows, drain deadlines and ask timeouts; tests substitute a
    /// <see cref="Testing.ManualTimeProvider"/> to exercise them without waiting.
    /// </summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Settings for spawns that pass none.</summary>
    public ActorOptions DefaultActorOptions { get; init; } = ActorOptions.Default;

    /// <summary>Drain deadline of <see cref="ActorSystem.ShutdownAsync"/> when the caller gives none.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
