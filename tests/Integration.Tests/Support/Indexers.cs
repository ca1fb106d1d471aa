using Coinshard.TestSupport.Litecoind;

namespace Coinshard.Integration.Tests.Support;

/// <summary>Several <c>coinshard run</c> processes (one per engine) following the same node, checked together.</summary>
public sealed class Indexers : IAsyncDisposable
{
    private readonly List<(CoinshardProcess Process, IntegrationStore Store)> _running = [];

    public IReadOnlyList<CoinshardProcess> Processes => _running.Select(r => r.Process).ToList();

    /// <summary>Starts one process per available engine on <paramref name="node"/>.</summary>
    public static async Task<Indexers> StartAsync(string scenario, LitecoindNode node, IReadOnlyList<Engine>? engines = null, IEnumerable<string>? settings = null)
    {
        var indexers = new Indexers();
        try
        {
            foreach (var engine in engines ?? Engines.Available)
            {
                await indexers.AddAsync($"{scenario}-{engine.ToString().ToLowerInvariant()}", node, engine, settings);
            }
            return indexers;
        }
        catch
        {
            await indexers.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts one more process.</summary>
    public async Task<CoinshardProcess> AddAsync(string name, LitecoindNode node, Engine engine, IEnumerable<string>? settings = null)
    {
        var store = await IntegrationStore.CreateAsync(engine);
        try
        {
            var process = await CoinshardProcess.StartAsync(name, node, store, settings);
            _running.Add((process, store));
            return process;
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
    }

    /// <summary>Every process matches the node (tip, totals, every target's coins).</summary>
    public async Task MatchNodeAsync(LitecoindNode node, IReadOnlyCollection<Target> targets)
    {
        await Task.WhenAll(_running.Select(r => IndexAssert.MatchesNodeAsync(r.Process, node, targets)));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (process, store) in _running)
        {
            await process.DisposeAsync();
            await store.DisposeAsync();
        }
        _running.Clear();
    }
}
