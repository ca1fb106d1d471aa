using System.Runtime.ExceptionServices;

using Coinshard.Chain.Networks;

namespace Coinshard.Backends.Routing;

/// <summary>What a routed call came to, before it is turned into a value or an exception (or a broadcast report).</summary>
internal sealed class RouteOutcome<T>(string operation)
{
    public List<BackendFailure> Failures { get; } = [];

    /// <summary>The adapter that answered with a value, a refusal, or (when nobody knew) the first "not here".</summary>
    public RoutedAdapter? AnsweredBy { get; set; }

    public bool HasValue { get; set; }

    public T Value { get; set; } = default!;

    /// <summary>A refusal every backend would give (a rejected transaction): the call's answer.</summary>
    public ExceptionDispatchInfo? Refusal { get; set; }

    /// <summary>The first "I do not have it" (e.g. <see cref="BlockNotFoundException"/>), thrown when nobody had it.</summary>
    public ExceptionDispatchInfo? NotHere { get; set; }

    /// <summary>The first adapter that returned a "not known here" value (e.g. a null transaction).</summary>
    public RoutedAdapter? MissedBy { get; set; }

    public T MissValue { get; set; } = default!;

    /// <summary>True when some adapter failed during this call, so "nobody had it" is not certain.</summary>
    public bool AnyBackendFailed { get; set; }

    /// <summary>The value and who gave it, or the exception that ends the call.</summary>
    public Routed<T> Unwrap(Network network)
    {
        if (HasValue)
        {
            return new Routed<T>(Value, AnsweredBy!.Name, Failures);
        }
        Refusal?.Throw();
        if (!AnyBackendFailed)
        {
            if (MissedBy is { } missedBy)
            {
                return new Routed<T>(MissValue, missedBy.Name, Failures);
            }
            NotHere?.Throw();
        }
        throw new AllBackendsFailedException(operation, network, Failures);
    }
}
