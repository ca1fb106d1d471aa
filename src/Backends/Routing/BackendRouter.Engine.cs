using System.Runtime.ExceptionServices;

namespace Coinshard.Backends.Routing;

/// <summary>The routing engine: choosing adapters, classifying failures, rounds with backoff, probes.</summary>
public sealed partial class BackendRouter
{
    /// <summary>
    /// Routes an operation the router has no method for (e.g. an adapter-specific call) and says which
    /// adapter answered. Adapters not implementing <typeparamref name="TApi"/>, or lacking
    /// <paramref name="requires"/>, are skipped; the rest are tried like every routed call.
    /// </summary>
    /// <param name="operation">A name for errors, logs and <see cref="BackendRouterStatus.LastAnsweredBy"/>.</param>
    /// <param name="call">The call to make on one adapter.</param>
    /// <param name="requires">A capability the adapter must have, or null.</param>
    /// <param name="cancellationToken">Cancels the call (and the waits between rounds).</param>
    /// <exception cref="BackendCapabilityException">No adapter implements <typeparamref name="TApi"/> with the capability.</exception>
    /// <exception cref="AllBackendsFailedException">Every able adapter failed.</exception>
    public Task<Routed<T>> RouteAsync<TApi, T>(string operation, Func<TApi, CancellationToken, Task<T>> call, Func<BackendCapabilities, bool>? requires = null, CancellationToken cancellationToken = default)
        where TApi : class, IBackend
    {
        ArgumentException.ThrowIfNullOrEmpty(operation);
        ArgumentNullException.ThrowIfNull(call);
        var route = new Route(operation, requires is null ? null : new CapabilityNeed("the required capability", requires));
        return RouteAndUnwrapAsync(route, call, isMiss: null, cancellationToken);
    }

    private async Task<T> ExecuteAsync<TApi, T>(Route route, Func<TApi, CancellationToken, Task<T>> call, Func<T, bool>? isMiss, CancellationToken cancellationToken)
        where TApi : class, IBackend =>
        (await RouteAndUnwrapAsync(route, call, isMiss, cancellationToken).ConfigureAwait(false)).Value;

    private async Task<Routed<T>> RouteAndUnwrapAsync<TApi, T>(Route route, Func<TApi, CancellationToken, Task<T>> call, Func<T, bool>? isMiss, CancellationToken cancellationToken)
        where TApi : class, IBackend =>
        (await RunAsync(route, call, isMiss, cancellationToken).ConfigureAwait(false)).Unwrap(Network);

    /// <summary>
    /// Tries the able adapters: those in service in priority order (chain source first for chain reads),
    /// then, only when none of them could be asked or all failed, those cooling down. A round that had
    /// backend failures is followed by another after a backoff, up to <see cref="BackendRouterOptions.Rounds"/>.
    /// Adapters that answered "not here" are not asked again. Caller errors propagate at once.
    /// </summary>
    private async Task<RouteOutcome<T>> RunAsync<TApi, T>(Route route, Func<TApi, CancellationToken, Task<T>> call, Func<T, bool>? isMiss, CancellationToken cancellationToken)
        where TApi : class, IBackend
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var able = Able<TApi>(route);
        var outcome = new RouteOutcome<T>(route.Operation);
        var settled = new HashSet<RoutedAdapter>();
        for (var round = 1; ; round++)
        {
            var (inService, coolingDown) = Order(able.Where(a => !settled.Contains(a.Adapter)).ToList(), route);
            var failedThisRound = false;
            foreach (var group in new[] { inService, coolingDown })
            {
                // Out-of-service adapters are a last resort: not asked when one in service has answered.
                if (group == coolingDown && settled.Count > 0)
                {
                    break;
                }
                foreach (var (adapter, api) in group)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    switch (await TryOneAsync(route, adapter, api, call, isMiss, outcome, cancellationToken).ConfigureAwait(false))
                    {
                        case Attempt.Answered:
                            return outcome;
                        case Attempt.NotHere:
                            settled.Add(adapter);
                            break;
                        case Attempt.Failed:
                            failedThisRound = true;
                            break;
                    }
                }
            }
            if (!failedThisRound || round >= _options.Rounds)
            {
                if (!outcome.AnyBackendFailed && outcome.MissedBy is { } missedBy)
                {
                    _lastAnsweredBy[route.Operation] = missedBy.Name; // "nobody knows it" is the answer
                }
                return outcome;
            }
            await Task.Delay(Backoff.EqualJitter(_options.RetryBaseDelay, _options.RetryMaxDelay, round), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<Attempt> TryOneAsync<TApi, T>(
        Route route, RoutedAdapter adapter, TApi api, Func<TApi, CancellationToken, Task<T>> call, Func<T, bool>? isMiss, RouteOutcome<T> outcome, CancellationToken cancellationToken)
    {
        adapter.CountCall();
        T value;
        try
        {
            value = await call(api, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            var now = _time.GetUtcNow();
            switch (FailureClassifier.Classify(e))
            {
                case FailureKind.Refusal:
                    Answered(route, adapter, now);
                    outcome.AnsweredBy = adapter;
                    outcome.Refusal = ExceptionDispatchInfo.Capture(e);
                    return Attempt.Answered;
                case FailureKind.NotHere:
                    NotFoundAt(route, adapter, now, ErrorText.Describe(e));
                    outcome.Failures.Add(new BackendFailure(adapter.Name, e));
                    outcome.NotHere ??= ExceptionDispatchInfo.Capture(e);
                    return Attempt.NotHere;
                case FailureKind.BackendFailure:
                    Failed(route, adapter, now, e);
                    outcome.Failures.Add(new BackendFailure(adapter.Name, e));
                    outcome.AnyBackendFailed = true;
                    return Attempt.Failed;
                default:
                    throw; // the caller's mistake (or a bug): the same anywhere, and not the backend's fault
            }
        }
        var answeredAt = _time.GetUtcNow();
        if (isMiss is not null && isMiss(value))
        {
            NotFoundAt(route, adapter, answeredAt, "not known to it");
            if (outcome.MissedBy is null)
            {
                outcome.MissedBy = adapter;
                outcome.MissValue = value;
            }
            return Attempt.NotHere;
        }
        Answered(route, adapter, answeredAt);
        outcome.AnsweredBy = adapter;
        outcome.HasValue = true;
        outcome.Value = value;
        return Attempt.Answered;
    }

    private void Answered(Route route, RoutedAdapter adapter, DateTimeOffset now)
    {
        if (adapter.RecordAnswer(now))
        {
            _logger.BackInService(adapter.Name);
        }
        _lastAnsweredBy[route.Operation] = adapter.Name;
        if (route.Affinity != Affinity.None)
        {
            var previous = Interlocked.Exchange(ref _chainSource, adapter);
            if (previous != adapter)
            {
                _logger.ChainSourceChanged(adapter.Name, previous?.Name ?? "none");
            }
        }
    }

    private void NotFoundAt(Route route, RoutedAdapter adapter, DateTimeOffset now, string reason)
    {
        // It answered, so it is healthy; it just lacks this item.
        if (adapter.RecordAnswer(now, countAsCall: false))
        {
            _logger.BackInService(adapter.Name);
        }
        adapter.CountNotFound();
        _logger.NotHere(route.Operation, adapter.Name, reason);
    }

    private void Failed(Route route, RoutedAdapter adapter, DateTimeOffset now, Exception error)
    {
        var reason = ErrorText.Describe(error);
        _logger.CallFailed(route.Operation, adapter.Name, reason);
        if (adapter.RecordFailure(now, reason, _options.FailureThreshold, _options.CoolDown))
        {
            _logger.OutOfService(adapter.Name, (long)_options.CoolDown.TotalMilliseconds, adapter.Snapshot().Health.ConsecutiveFailures, reason);
        }
    }

    /// <summary>The adapters implementing <typeparamref name="TApi"/> with the required capability, in priority order.</summary>
    private List<(RoutedAdapter Adapter, TApi Api)> Able<TApi>(Route route)
        where TApi : class, IBackend
    {
        var able = new List<(RoutedAdapter, TApi)>(_adapters.Length);
        List<string>? reasons = null;
        foreach (var adapter in _adapters)
        {
            if (adapter.Backend is not TApi api)
            {
                (reasons ??= []).Add($"{adapter.Name} does not implement {typeof(TApi).Name}");
            }
            else if (route.Requires is { } need && !need.Has(adapter.Backend.Capabilities))
            {
                (reasons ??= []).Add($"{adapter.Name} lacks {need.Name} (it has: {adapter.Backend.Capabilities})");
            }
            else
            {
                able.Add((adapter, api));
            }
        }
        return able.Count > 0 ? able : throw new BackendCapabilityException(route.Operation, Network, reasons ?? []);
    }

    /// <summary>
    /// Splits adapters into those in service (preferred capability first, then the chain source first for
    /// chain reads, else priority) and those cooling down. An adapter whose cool-down has passed is probed
    /// in the background when it has a cheap probe call, else this call is its probe (it counts as in service).
    /// </summary>
    private (List<(RoutedAdapter Adapter, TApi Api)> InService, List<(RoutedAdapter Adapter, TApi Api)> CoolingDown) Order<TApi>(
        List<(RoutedAdapter Adapter, TApi Api)> able, Route route)
    {
        var now = _time.GetUtcNow();
        var inService = new List<(RoutedAdapter, TApi)>(able.Count);
        var coolingDown = new List<(RoutedAdapter, TApi)>();
        foreach (var entry in able)
        {
            var availability = entry.Adapter.AvailabilityAt(now);
            if (availability == Availability.ProbeDue && entry.Adapter.Probe is not null)
            {
                StartProbe(entry.Adapter);
                availability = Availability.CoolingDown;
            }
            (availability == Availability.CoolingDown ? coolingDown : inService).Add(entry);
        }
        if (route.Prefers is { } preferred)
        {
            // Stable: priority order is kept within each part.
            inService = [.. inService.OrderBy(e => preferred.Has(e.Item1.Backend.Capabilities) ? 0 : 1)];
            coolingDown = [.. coolingDown.OrderBy(e => preferred.Has(e.Item1.Backend.Capabilities) ? 0 : 1)];
        }
        if (route.Affinity == Affinity.ChainSource && Volatile.Read(ref _chainSource) is { } source
            && source.AvailabilityAt(now) == Availability.InService
            && inService.FindIndex(e => e.Item1 == source) is var index and > 0)
        {
            var pinned = inService[index];
            inService.RemoveAt(index);
            inService.Insert(0, pinned);
        }
        return (inService, coolingDown);
    }

    private void StartProbe(RoutedAdapter adapter)
    {
        if (adapter.Probe is null || _stopping.IsCancellationRequested || !adapter.TryBeginProbe(_time.GetUtcNow()))
        {
            return;
        }
        adapter.CountProbe();
        var probe = Task.Run(() => ProbeAsync(adapter), CancellationToken.None);
        _probes[probe] = true;
        probe.ContinueWith(t => _probes.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Asks an out-of-service adapter something cheap; an answer (even a refusal) returns it to service.</summary>
    private async Task ProbeAsync(RoutedAdapter adapter)
    {
        try
        {
            await adapter.Probe!(_stopping.Token).ConfigureAwait(false);
            if (adapter.RecordAnswer(_time.GetUtcNow(), countAsCall: false))
            {
                _logger.BackInService(adapter.Name);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            adapter.EndProbe();
        }
#pragma warning disable CA1031 // a probe runs unobserved: whatever it throws is a verdict on the adapter, never the router's failure
        catch (Exception e)
#pragma warning restore CA1031
        {
            var reason = ErrorText.Describe(e);
            switch (FailureClassifier.Classify(e))
            {
                case FailureKind.BackendFailure:
                    _logger.ProbeFailed(adapter.Name, reason);
                    adapter.RecordFailure(_time.GetUtcNow(), reason, _options.FailureThreshold, _options.CoolDown, countAsCall: false);
                    break;
                case FailureKind.Refusal or FailureKind.NotHere:
                    if (adapter.RecordAnswer(_time.GetUtcNow(), countAsCall: false))
                    {
                        _logger.BackInService(adapter.Name);
                    }
                    break;
                default:
                    _logger.ProbeFailed(adapter.Name, reason);
                    adapter.EndProbe();
                    break;
            }
        }
    }

    private enum Attempt
    {
        Answered,
        NotHere,
        Failed,
    }
}
