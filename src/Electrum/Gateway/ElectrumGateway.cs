using Coinshard.Backends;
using Coinshard.Chain.Networks;
using Coinshard.Electrum.Blocks;
using Coinshard.Electrum.Headers;
using Coinshard.Electrum.Mempool;
using Coinshard.Electrum.Methods;
using Coinshard.Electrum.Notifications;
using Coinshard.Electrum.Server;
using Coinshard.Electrum.Sessions;
using Coinshard.Electrum.Subscriptions;
using Coinshard.Storage;

using Microsoft.Extensions.Logging;

namespace Coinshard.Electrum.Gateway;

/// <summary>What one currency's gateway serves and how.</summary>
/// <param name="Network">The chain served.</param>
/// <param name="Mode">How the index was built (utxo or full): decides what history is served.</param>
/// <param name="Server">Listeners, certificate, limits.</param>
/// <param name="Info">What <c>server.*</c> methods report and the method limits.</param>
public sealed record ElectrumGatewayOptions(Network Network, IndexMode Mode, ElectrumServerOptions Server, ElectrumServerInfo Info)
{
    /// <summary>How often the change feed and the mempool are polled for notifications.</summary>
    public TimeSpan NotifyInterval { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// One currency's Electrum gateway, assembled: the listeners, the methods over the index and the
/// backend, the mempool tracker, the subscriptions and the notifier loop that feeds them from the
/// store's change feed (so a gateway serves correctly whichever node of a cluster writes the index).
/// Start with <see cref="StartAsync{TBackend}"/>; dispose to close every session and stop the loop.
/// </summary>
public sealed partial class ElectrumGateway : IAsyncDisposable
{
    private readonly ElectrumServer _server;
    private readonly CancellationTokenSource _stop;
    private readonly Task _notifier;
    private int _disposed;

    private ElectrumGateway(ElectrumServer server, ElectrumCoinServices services, CancellationTokenSource stop, Task notifier)
    {
        _server = server;
        Services = services;
        _stop = stop;
        _notifier = notifier;
    }

    /// <summary>The listeners that were started.</summary>
    public IReadOnlyList<ElectrumEndpoint> Endpoints => _server.Endpoints;

    /// <summary>Open sessions.</summary>
    public int SessionCount => _server.SessionCount;

    /// <summary>Scripthashes subscribed by anyone.</summary>
    public int SubscriptionCount => Services.Subscriptions.ScripthashCount;

    /// <summary>What the methods read from (the mempool view among them).</summary>
    public ElectrumCoinServices Services { get; }

    /// <summary>
    /// Builds the gateway over <paramref name="store"/> and <paramref name="backend"/> and opens its listeners.
    /// The mempool is read once before the listeners open, so the first answers already include it.
    /// </summary>
    /// <exception cref="InvalidOperationException">Invalid options, an unreadable certificate, or a port that cannot be bound.</exception>
    public static async Task<ElectrumGateway> StartAsync<TBackend>(
        ElectrumGatewayOptions options, ChainStore store, TBackend backend, ILoggerFactory logs, CancellationToken cancellationToken = default)
        where TBackend : IBlockSource, ITransactionSource, IBroadcaster, IFeeEstimator, IMempoolSource
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(logs);

        var budget = new SubscriptionBudget(options.Server.Limits);
        var mempool = new MempoolTracker(options.Network, backend, backend, store.GetCoinsAsync, logs.CreateLogger<MempoolTracker>());
        var proofs = new HeaderCheckpointProver(store.GetHeadersAsync);
        ElectrumMethodHandler? handler = null;
        var hub = new SubscriptionHub((scripthash, ct) => handler!.StatusAsync(scripthash, ct), budget);
        var services = new ElectrumCoinServices(
            options.Network, store, options.Mode,
            backend, backend, backend as IVerboseTransactionSource, backend, backend, backend,
            mempool, proofs, new BlockTxidCache(backend, options.Network), hub, options.Server, options.Info);
        handler = new ElectrumMethodHandler(services, logs.CreateLogger<ElectrumMethodHandler>());
        var notifier = new ElectrumNotifier(store, mempool, hub, proofs, logs.CreateLogger<ElectrumNotifier>());
        var logger = logs.CreateLogger<ElectrumGateway>();
        try
        {
            await notifier.PollOnceAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is BackendException or StoreException)
        {
            // Served anyway: the loop below retries, and methods report what is unavailable.
            LogFirstPollFailed(logger, options.Network.Name, e.Message);
        }

        var server = await ElectrumServer.StartAsync(options.Server, budget, handler, logs, cancellationToken).ConfigureAwait(false);
        var stop = new CancellationTokenSource();
        var loop = Task.Run(() => notifier.RunAsync(options.NotifyInterval, stop.Token), CancellationToken.None);
        var endpoints = string.Join(", ", server.Endpoints.Select(e => $"{e.Transport} {e.EndPoint}"));
        LogServing(logger, options.Network.Name, endpoints);
        return new ElectrumGateway(server, services, stop, loop);
    }

    /// <summary>Closes every session, stops the listeners and the notifier loop.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        await _server.DisposeAsync().ConfigureAwait(false);
        try
        {
            await _notifier.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 320, Level = LogLevel.Information, Message = "{Network}: Electrum served on {Endpoints}")]
    private static partial void LogServing(ILogger logger, string network, string endpoints);

    [LoggerMessage(EventId = 321, Level = LogLevel.Warning, Message = "{Network}: first mempool/change-feed read failed ({Reason}); serving anyway, retrying")]
    private static partial void LogFirstPollFailed(ILogger logger, string network, string reason);
}
