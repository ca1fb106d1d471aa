using Coinshard.Backends;
using Coinshard.Backends.Routing;
using Coinshard.Chain.Networks;

namespace Coinshard.Benchmarks;

/// <summary>Benchmarks of src/Backends: what the router adds to a call, measured against an adapter that does no I/O.</summary>
internal static class BackendBenchmarks
{
    /// <summary>
    /// Calls per second and bytes allocated per call: the adapter directly, through a router with one adapter,
    /// with three (first answers), and with an out-of-service adapter ahead of the one that answers.
    /// </summary>
    public static IReadOnlyList<Metric> RouterOverhead(BenchmarkOptions options)
    {
        var adapter = new InstantFees("instant");
        var direct = Measure.Repeat(() => adapter.GetRelayFeeAsync().GetAwaiter().GetResult(), Measure.Budget(options, 2));
        var metrics = new List<Metric>
        {
            new("adapter called directly", direct.PerSecond(1), "calls/s"),
        };
        foreach (var (label, adapters, prepare) in new (string, IBackend[], bool)[]
        {
            ("router, 1 adapter", [adapter], false),
            ("router, 3 adapters", [adapter, new InstantFees("b"), new InstantFees("c")], false),
            ("router, out-of-service adapter first", [new InstantFees("down", fail: true), adapter], true),
        })
        {
            var router = new BackendRouter(Network.LitecoinRegtest, adapters, new BackendRouterOptions { CoolDown = TimeSpan.FromHours(1) });
            if (prepare)
            {
                router.GetRelayFeeAsync().GetAwaiter().GetResult(); // takes "down" out of service
            }
            var routed = Measure.Repeat(() => router.GetRelayFeeAsync().GetAwaiter().GetResult(), Measure.Budget(options, 2));
            metrics.Add(new($"{label}", routed.PerSecond(1), "calls/s"));
            metrics.Add(new($"{label}: added time per call", (1e6 / routed.PerSecond(1)) - (1e6 / direct.PerSecond(1)), "µs"));
            metrics.Add(new($"{label}: allocated per call", routed.AllocatedPerIteration - direct.AllocatedPerIteration, "bytes"));
            router.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        return metrics;
    }

    /// <summary>A fee estimator answering at once from memory (or failing like an unreachable node).</summary>
    private sealed class InstantFees(string name, bool fail = false) : IFeeEstimator
    {
        private static readonly Task<FeeRate> Rate = Task.FromResult(new FeeRate(1000));

        public string Name => name;

        public Network Network => Network.LitecoinRegtest;

        public BackendCapabilities Capabilities { get; } = new() { CanEstimateFee = true };

        public BackendHealth Health => BackendHealth.Initial;

        public Task<FeeEstimate?> EstimateFeeAsync(int confirmationTarget, FeeEstimateMode mode = FeeEstimateMode.Default, CancellationToken cancellationToken = default) =>
            Task.FromResult<FeeEstimate?>(null);

        public Task<FeeRate> GetMempoolMinFeeAsync(CancellationToken cancellationToken = default) => Rate;

        public Task<FeeRate> GetRelayFeeAsync(CancellationToken cancellationToken = default) =>
            fail ? Task.FromException<FeeRate>(new BackendUnavailableException(name, "connection failed", 1)) : Rate;
    }
}
