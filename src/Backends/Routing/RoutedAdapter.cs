namespace Coinshard.Backends.Routing;

/// <summary>
/// One adapter inside a router: its place in the priority order, its circuit breaker and its counters.
/// Thread-safe; the lock guards only these few fields and is never held across an await.
/// </summary>
internal sealed class RoutedAdapter(IBackend backend, int priority)
{
    private readonly Lock _lock = new();
    private CircuitState _circuit = CircuitState.Closed;
    private DateTimeOffset _retryAt;
    private bool _probing;
    private BackendHealth _health = BackendHealth.Initial;
    private long _calls;
    private long _answered;
    private long _failures;
    private long _notFound;
    private long _probes;

    public IBackend Backend { get; } = backend;

    public int Priority { get; } = priority;

    public string Name => Backend.Name;

    /// <summary>The cheap call that tells whether it is back, or null when it has none (the next real call decides).</summary>
    public Func<CancellationToken, Task>? Probe { get; } = ProbeFor(backend);

    public IReadOnlyList<string> Interfaces { get; } = InterfacesOf(backend);

    /// <summary>Where this adapter stands for a new call at <paramref name="now"/>.</summary>
    public Availability AvailabilityAt(DateTimeOffset now)
    {
        lock (_lock)
        {
            return _circuit switch
            {
                CircuitState.Closed => Availability.InService,
                _ when _probing || now < _retryAt => Availability.CoolingDown,
                _ => Availability.ProbeDue,
            };
        }
    }

    /// <summary>Claims the single probe of a cool-down that has passed; false when another caller has it or it is not due.</summary>
    public bool TryBeginProbe(DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_circuit == CircuitState.Closed || _probing || now < _retryAt)
            {
                return false;
            }
            _probing = true;
            _circuit = CircuitState.HalfOpen;
            return true;
        }
    }

    /// <summary>Releases a probe claim whose call ended without a verdict (cancelled, or a caller error).</summary>
    public void EndProbe()
    {
        lock (_lock)
        {
            if (_probing)
            {
                _probing = false;
                if (_circuit == CircuitState.HalfOpen)
                {
                    _circuit = CircuitState.Open; // still out of service; due again at once
                }
            }
        }
    }

    public void CountCall() => Interlocked.Increment(ref _calls);

    public void CountProbe() => Interlocked.Increment(ref _probes);

    public void CountNotFound() => Interlocked.Increment(ref _notFound);

    /// <summary>The backend answered (a result or a refusal): back in service. Returns true when it was out of service.</summary>
    public bool RecordAnswer(DateTimeOffset now, bool countAsCall = true)
    {
        if (countAsCall)
        {
            Interlocked.Increment(ref _answered);
        }
        lock (_lock)
        {
            var wasOut = _circuit != CircuitState.Closed;
            _circuit = CircuitState.Closed;
            _probing = false;
            _health = _health with { Status = BackendHealthStatus.Healthy, LastSuccessAt = now, ConsecutiveFailures = 0 };
            return wasOut;
        }
    }

    /// <summary>The backend failed. Returns true when this failure took it out of service.</summary>
    public bool RecordFailure(DateTimeOffset now, string error, int threshold, TimeSpan coolDown, bool countAsCall = true)
    {
        if (countAsCall)
        {
            Interlocked.Increment(ref _failures);
        }
        lock (_lock)
        {
            var failures = _health.ConsecutiveFailures + 1;
            var wasClosed = _circuit == CircuitState.Closed;
            if (failures >= threshold || !wasClosed)
            {
                _circuit = CircuitState.Open;
                _retryAt = now + coolDown;
            }
            _probing = false;
            _health = new BackendHealth(
                _circuit == CircuitState.Closed ? _health.Status : BackendHealthStatus.Unhealthy,
                error,
                now,
                _health.LastSuccessAt,
                failures);
            return wasClosed && _circuit == CircuitState.Open;
        }
    }

    public RoutedBackendStatus Snapshot()
    {
        lock (_lock)
        {
            return new RoutedBackendStatus(
                Name,
                Priority,
                Interfaces,
                Backend.Capabilities,
                _circuit,
                _circuit == CircuitState.Closed ? null : _retryAt,
                _health,
                Interlocked.Read(ref _calls),
                Interlocked.Read(ref _answered),
                Interlocked.Read(ref _failures),
                Interlocked.Read(ref _notFound),
                Interlocked.Read(ref _probes));
        }
    }

    private static Func<CancellationToken, Task>? ProbeFor(IBackend backend) => backend switch
    {
        // getblockchaininfo on Core: cheap, and it checks the network again.
        IChainInfo chain => chain.GetChainStateAsync,
        IFeeEstimator fees => fees.GetRelayFeeAsync,
        IMempoolSource mempool => mempool.GetMempoolInfoAsync,
        _ => null,
    };

    private static string[] InterfacesOf(IBackend backend) =>
        [.. backend.GetType().GetInterfaces()
            .Where(i => i != typeof(IBackend) && typeof(IBackend).IsAssignableFrom(i))
            .Select(i => i.Name)
            .Order(StringComparer.Ordinal)];
}

/// <summary>Where an adapter stands when a call is routed.</summary>
internal enum Availability
{
    /// <summary>Circuit closed: used in priority order.</summary>
    InService,

    /// <summary>Out of service and the cool-down has passed: probe it.</summary>
    ProbeDue,

    /// <summary>Out of service: used only when nothing in service can answer.</summary>
    CoolingDown,
}
