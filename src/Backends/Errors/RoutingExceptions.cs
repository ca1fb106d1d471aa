using Coinshard.Chain.Networks;

namespace Coinshard.Backends;

/// <summary>A router could not complete an operation; subtypes say whether no backend could do it or every one failed.</summary>
public abstract class BackendRoutingException : BackendException
{
    /// <summary>Creates the exception.</summary>
    protected BackendRoutingException(string operation, Network network, string message, Exception? inner = null)
        : base(message, inner)
    {
        Operation = operation;
        Network = network;
    }

    /// <summary>The operation that was asked for (an interface method name, e.g. <c>ScanAsync</c>).</summary>
    public string Operation { get; }

    /// <summary>The network of the router that was asked.</summary>
    public Network Network { get; }
}

/// <summary>
/// No configured backend can perform an operation: none implements the interface it needs, or none has
/// the capability (e.g. fee estimates through a compact-filter client only). The configuration must
/// change; retrying will not help.
/// </summary>
/// <param name="operation">The operation asked for.</param>
/// <param name="network">The router's network.</param>
/// <param name="reasons">Per backend, why it was skipped, e.g. <c>core http://127.0.0.1:9332/ does not implement IDescriptorScanner</c>.</param>
public sealed class BackendCapabilityException(string operation, Network network, IReadOnlyList<string> reasons)
    : BackendRoutingException(operation, network, $"no {network.Name} backend can do {operation}: {(reasons.Count == 0 ? "no backends" : string.Join("; ", reasons))}")
{
    /// <summary>Why each backend was skipped.</summary>
    public IReadOnlyList<string> Reasons { get; } = reasons;
}

/// <summary>One backend's failure within a routed call.</summary>
/// <param name="Backend">The backend's name (never contains credentials).</param>
/// <param name="Error">What it threw.</param>
public sealed record BackendFailure(string Backend, Exception Error)
{
    /// <inheritdoc />
    public override string ToString() => $"{Backend}: {Error.Message}";
}

/// <summary>
/// Every backend able to perform an operation was tried, with retries, and none gave an answer (each was
/// unreachable, misconfigured, answered garbage, or did not know the item while another could not be asked).
/// Another attempt later may succeed.
/// </summary>
/// <param name="operation">The operation asked for.</param>
/// <param name="network">The router's network.</param>
/// <param name="failures">Each failed attempt, oldest first.</param>
public sealed class AllBackendsFailedException(string operation, Network network, IReadOnlyList<BackendFailure> failures)
    : BackendRoutingException(
        operation,
        network,
        $"{operation} failed on every {network.Name} backend: {Describe(failures)}",
        failures.Count > 0 ? failures[^1].Error : null)
{
    /// <summary>Each failed attempt, oldest first.</summary>
    public IReadOnlyList<BackendFailure> Failures { get; } = failures;

    /// <summary>The failures, a run of identical ones said once with its count (a lone node retried per round says the same each time).</summary>
    private static string Describe(IReadOnlyList<BackendFailure> failures)
    {
        var parts = new List<string>();
        string? last = null;
        var count = 0;
        foreach (var text in failures.Select(f => f.ToString()))
        {
            if (text == last)
            {
                count++;
                continue;
            }
            Flush();
            last = text;
            count = 1;
        }
        Flush();
        return string.Join("; ", parts);

        void Flush()
        {
            if (last is not null)
            {
                parts.Add(count > 1 ? $"{last} ({count} attempts)" : last);
            }
        }
    }
}
