namespace Coinshard.Backends.Routing;

/// <summary>Whether the router sends calls to an adapter (a circuit breaker's states).</summary>
public enum CircuitState
{
    /// <summary>In service.</summary>
    Closed,

    /// <summary>
    /// Out of service after failures, until <see cref="RoutedBackendStatus.RetryAt"/>; used only when nothing
    /// else can answer. After that it is probed (adapters without a cheap probe call get the next real call).
    /// </summary>
    Open,

    /// <summary>The cool-down has passed and a background probe is deciding whether it is back.</summary>
    HalfOpen,
}

/// <summary>A snapshot of a router for the admin API: its adapters in priority order, which one serves chain data, and who answered what last.</summary>
/// <param name="Name">The router's name.</param>
/// <param name="Network">The network's name.</param>
/// <param name="Health">The router's own health: healthy while any adapter is in service.</param>
/// <param name="ChainSource">The adapter block-source calls currently stick to, or null before the first one.</param>
/// <param name="Backends">Each adapter.</param>
/// <param name="LastAnsweredBy">Per operation (interface method name), the adapter that answered it last.</param>
public sealed record BackendRouterStatus(
    string Name,
    string Network,
    BackendHealth Health,
    string? ChainSource,
    IReadOnlyList<RoutedBackendStatus> Backends,
    IReadOnlyDictionary<string, string> LastAnsweredBy);

/// <summary>One adapter as the router sees it.</summary>
/// <param name="Name">The adapter's name (never contains credentials).</param>
/// <param name="Priority">0 for the most preferred.</param>
/// <param name="Interfaces">The capability interfaces it implements (e.g. <c>IBlockSource</c>).</param>
/// <param name="Capabilities">What it says it can do.</param>
/// <param name="Circuit">Whether the router uses it.</param>
/// <param name="RetryAt">When an open circuit may be probed again.</param>
/// <param name="Health">Health from the calls the router made (last error without secrets).</param>
/// <param name="Calls">Calls the router sent to it (probes not included).</param>
/// <param name="Answered">Calls it answered (with a result or a refusal such as a rejected transaction).</param>
/// <param name="Failures">Calls it failed (unreachable, timed out, misconfigured, garbage).</param>
/// <param name="NotFound">Calls it could not answer though healthy (an unknown block, a busy scan slot, an unknown transaction), passed on to the next adapter.</param>
/// <param name="Probes">Health probes sent while it was out of service.</param>
public sealed record RoutedBackendStatus(
    string Name,
    int Priority,
    IReadOnlyList<string> Interfaces,
    BackendCapabilities Capabilities,
    CircuitState Circuit,
    DateTimeOffset? RetryAt,
    BackendHealth Health,
    long Calls,
    long Answered,
    long Failures,
    long NotFound,
    long Probes);
