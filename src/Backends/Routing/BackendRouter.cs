using System.Collections.Concurrent;

using Coinshard.Chain.Networks;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coinshard.Backends.Routing;

/// <summary>
/// The backends of one currency behind the interfaces their consumers use: each call goes to the most
/// preferred adapter in service that implements the interface and has the capability, is retried with
/// backoff and fails over on backend failures, and is never retried elsewhere when the backend's answer
/// is a refusal (a rejected transaction, an invalid parameter). Adapters that fail are taken out of
/// service for a cool-down, then probed. Consecutive chain reads stick to one adapter (the chain source).
/// </summary>
/// <remarks>
/// <para>
/// A thread-safe class, not an actor (DESIGN §3 says "router actor"): routing needs, for every call, a
/// synchronous look at each adapter's circuit before the call and one update after it. Through an actor
/// that would be an ask and a tell per call, with a mailbox and an ask timeout on the path of every
/// block fetch and Electrum request; doing the I/O inside the actor would serialize all calls of a
/// currency. A small lock per adapter, never held across an await, gives the same single-owner state
/// without either cost, and keeps src/Backends free of a dependency on src/Actors.
/// </para>
/// <para>Adapters are given in priority order (the first is preferred) and are not disposed by the router.</para>
/// </remarks>
public sealed partial class BackendRouter :
    IBlockSource, IUtxoSource, IDescriptorScanner, IUtxoSetStatistics, ITransactionSource, IVerboseTransactionSource, IBroadcaster, IFeeEstimator, IMempoolSource, IAsyncDisposable
{
    private readonly RoutedAdapter[] _adapters;
    private readonly BackendRouterOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Task, bool> _probes = new();
    private readonly ConcurrentDictionary<string, string> _lastAnsweredBy = new(StringComparer.Ordinal);
    private RoutedAdapter? _chainSource;
    private int _disposed;

    /// <summary>Creates a router over <paramref name="adapters"/>, most preferred first.</summary>
    /// <exception cref="ArgumentException">No adapters, a null one, or two with the same name (names identify adapters in reports).</exception>
    /// <exception cref="BackendNetworkMismatchException">An adapter is configured for another network than <paramref name="network"/>.</exception>
    public BackendRouter(Network network, IEnumerable<IBackend> adapters, BackendRouterOptions? options = null, ILogger<BackendRouter>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(adapters);
        _options = options ?? new BackendRouterOptions();
        _options.Validate();
        var list = adapters.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException($"a {network.Name} router needs at least one backend", nameof(adapters));
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            var adapter = list[i] ?? throw new ArgumentException($"backend #{i} of the {network.Name} router is null", nameof(adapters));
            if (adapter.Network != network)
            {
                throw new BackendNetworkMismatchException(
                    adapter.Name, network, adapter.Network, $"{adapter.Network.Name} (its configured network, refused by the {network.Name} router)");
            }
            if (!names.Add(adapter.Name))
            {
                throw new ArgumentException($"two backends of the {network.Name} router are named '{adapter.Name}'; each must have its own", nameof(adapters));
            }
        }
        Network = network;
        _adapters = [.. list.Select((adapter, priority) => new RoutedAdapter(adapter, priority))];
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public string Name => $"router {Network.Name}";

    /// <inheritdoc />
    public Network Network { get; }

    /// <summary>What at least one adapter can do.</summary>
    public BackendCapabilities Capabilities => _adapters.Select(a => a.Backend.Capabilities).Aggregate(new BackendCapabilities(), (all, c) => new BackendCapabilities
    {
        CanEstimateFee = all.CanEstimateFee || c.CanEstimateFee,
        HasMempoolAccess = all.HasMempoolAccess || c.HasMempoolAccess,
        ProvidesRawBlocks = all.ProvidesRawBlocks || c.ProvidesRawBlocks,
        ProvidesConfirmedTransactions = all.ProvidesConfirmedTransactions || c.ProvidesConfirmedTransactions,
        SupportsUtxoSetScan = all.SupportsUtxoSetScan || c.SupportsUtxoSetScan,
        CanBroadcast = all.CanBroadcast || c.CanBroadcast,
        RequiresNeutrinoMetadata = all.RequiresNeutrinoMetadata || c.RequiresNeutrinoMetadata,
        ProvidesNeutrinoMetadata = all.ProvidesNeutrinoMetadata || c.ProvidesNeutrinoMetadata,
    });

    /// <summary>Healthy while some adapter is in service and has answered; unhealthy when every adapter is out of service.</summary>
    public BackendHealth Health => Aggregate(_adapters.Select(a => a.Snapshot()).ToList());

    /// <summary>The adapters, most preferred first.</summary>
    public IReadOnlyList<IBackend> Backends => [.. _adapters.Select(a => a.Backend)];

    /// <summary>
    /// A snapshot for the admin API. Also starts the probes of adapters whose cool-down has passed, so a
    /// status page sees a recovered backend even while no calls arrive.
    /// </summary>
    public BackendRouterStatus GetStatus()
    {
        var now = _time.GetUtcNow();
        foreach (var adapter in _adapters)
        {
            if (adapter.AvailabilityAt(now) == Availability.ProbeDue)
            {
                StartProbe(adapter);
            }
        }
        var backends = _adapters.Select(a => a.Snapshot()).ToList();
        return new BackendRouterStatus(
            Name,
            Network.Name,
            Aggregate(backends),
            Volatile.Read(ref _chainSource)?.Name,
            backends,
            new SortedDictionary<string, string>(_lastAnsweredBy, StringComparer.Ordinal));
    }

    /// <summary>Stops the probes in flight; the adapters stay open (their owner disposes them).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_probes.Keys).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private static BackendHealth Aggregate(IReadOnlyList<RoutedBackendStatus> backends)
    {
        var inService = backends.Where(b => b.Circuit == CircuitState.Closed).ToList();
        var status = inService.Count == 0 ? BackendHealthStatus.Unhealthy
            : inService.Any(b => b.Health.IsHealthy) ? BackendHealthStatus.Healthy
            : BackendHealthStatus.Unknown;
        var lastFailed = backends.Where(b => b.Health.LastErrorAt is not null).MaxBy(b => b.Health.LastErrorAt);
        return new BackendHealth(
            status,
            lastFailed is null ? null : $"{lastFailed.Name}: {lastFailed.Health.LastError}",
            lastFailed?.Health.LastErrorAt,
            backends.Max(b => b.Health.LastSuccessAt),
            inService.Count == 0 ? backends.Min(b => b.Health.ConsecutiveFailures) : 0);
    }
}
