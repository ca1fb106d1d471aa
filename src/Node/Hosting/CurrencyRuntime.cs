using Coinshard.Actors;
using Coinshard.Backends;
using Coinshard.Backends.Core;
using Coinshard.Backends.Routing;
using Coinshard.Electrum.Gateway;
using Coinshard.Indexing;
using Coinshard.Node.Configuration;

using Microsoft.Extensions.Logging;

namespace Coinshard.Node.Hosting;

/// <summary>Where a currency's Electrum gateway is.</summary>
public enum GatewayState
{
    /// <summary>Turned off in the configuration.</summary>
    Off,

    /// <summary>Waiting for the index to reach the node's tip before opening the listeners.</summary>
    WaitingForSync,

    /// <summary>Listening.</summary>
    Serving,

    /// <summary>The listeners could not be opened (see the error); retried.</summary>
    Failed,
}

/// <summary>
/// One currency running in this node: its backend, its index (follower + shards) and its Electrum
/// gateway, which opens once the index has caught up (or at once with <c>ServeBeforeSynced</c>).
/// </summary>
public sealed partial class CurrencyRuntime : IAsyncDisposable
{
    private static readonly TimeSpan GatewayRetry = TimeSpan.FromSeconds(30);

    private readonly ILoggerFactory _logs;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _gatewayLoop;
    private volatile ElectrumGateway? _gateway;
    private volatile string? _gatewayError;
    private volatile GatewayState _gatewayState;

    private readonly IReadOnlyList<CoreRpcBackend> _adapters;

    private CurrencyRuntime(CurrencySettings settings, IReadOnlyList<CoreRpcBackend> adapters, BackendRouter backend, CurrencyIndexer index, ILoggerFactory logs)
    {
        Settings = settings;
        _adapters = adapters;
        Backend = backend;
        Index = index;
        _logs = logs;
        _logger = logs.CreateLogger<CurrencyRuntime>();
        _gatewayState = settings.Electrum is null ? GatewayState.Off : GatewayState.WaitingForSync;
        _gatewayLoop = settings.Electrum is null ? Task.CompletedTask : Task.Run(() => RunGatewayAsync(settings.Electrum, _stop.Token));
    }

    /// <summary>The configuration.</summary>
    public CurrencySettings Settings { get; }

    /// <summary>The lower-case currency name.</summary>
    public string Coin => Settings.Coin;

    /// <summary>The backend router over the configured nodes: what the index and the gateway use.</summary>
    public BackendRouter Backend { get; }

    /// <summary>The index.</summary>
    public CurrencyIndexer Index { get; }

    /// <summary>The Electrum gateway when it is serving.</summary>
    public ElectrumGateway? Gateway => _gateway;

    /// <summary>What the gateway is doing.</summary>
    public GatewayState GatewayState => _gatewayState;

    /// <summary>Why the gateway could not open its listeners (when <see cref="GatewayState.Failed"/>).</summary>
    public string? GatewayError => _gatewayError;

    /// <summary>Starts the backend client and the index; the gateway follows in the background.</summary>
    internal static async Task<CurrencyRuntime> StartAsync(CurrencySettings settings, ActorSystem system, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        // Behind a router of several nodes an adapter retries once itself: the router retries across nodes,
        // and a dead node's own retries would only delay the failover.
        var several = settings.Backends.Count > 1;
        var adapters = settings.Backends
            .Select(b => CoreRpcBackend.Create(settings.Network, several ? b.Rpc with { MaxRetries = Math.Min(1, b.Rpc.MaxRetries) } : b.Rpc, b.Options, logs))
            .ToList();
        var router = new BackendRouter(settings.Network, adapters, new BackendRouterOptions(), logs.CreateLogger<BackendRouter>());
        try
        {
            var index = await CurrencyIndexer.StartAsync(settings.Indexer, router, settings.Store, system, logs, cancellationToken).ConfigureAwait(false);
            return new CurrencyRuntime(settings, adapters, router, index, logs);
        }
        catch
        {
            await router.DisposeAsync().ConfigureAwait(false);
            adapters.ForEach(a => a.Dispose());
            throw;
        }
    }

    private async Task RunGatewayAsync(ElectrumGatewaySettings settings, CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var status = Index.Status;
                var synced = status.IndexTip is not null && status.State is FollowerState.Following or FollowerState.StandingBy;
                // Never during a snapshot load: nothing would be served, and a client would take the empty answers for truth.
                var storeOpen = status.State is not (FollowerState.Starting or FollowerState.WaitingForStore or FollowerState.Stopped or FollowerState.LoadingSnapshot);
                if (!(synced || (settings.ServeBeforeSynced && storeOpen)))
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(250), ct).ConfigureAwait(false);
                    continue;
                }
                try
                {
                    var options = new ElectrumGatewayOptions(Settings.Network, Settings.Indexer.Mode, settings.Options, settings.Info) { NotifyInterval = settings.NotifyInterval };
                    _gateway = await ElectrumGateway.StartAsync(options, Index.Store, Backend, _logs, ct).ConfigureAwait(false);
                    _gatewayError = null;
                    _gatewayState = GatewayState.Serving;
                    return;
                }
                catch (Exception e) when (e is InvalidOperationException or IOException or Storage.StoreException)
                {
                    _gatewayError = e.Message;
                    _gatewayState = GatewayState.Failed;
                    LogGatewayFailed(_logger, Coin, e.Message, (int)GatewayRetry.TotalSeconds);
                    await Task.Delay(GatewayRetry, ct).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>Ordered shutdown: the gateway (sessions closed), then the index (lease released), then the router and the node clients.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _gatewayLoop.ConfigureAwait(false);
        if (_gateway is { } gateway)
        {
            await gateway.DisposeAsync().ConfigureAwait(false);
            _gateway = null;
        }
        await Index.DisposeAsync().ConfigureAwait(false);
        await Backend.DisposeAsync().ConfigureAwait(false);
        foreach (var adapter in _adapters)
        {
            adapter.Dispose();
        }
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 500, Level = LogLevel.Error, Message = "{Coin}: the Electrum listeners could not be opened: {Reason} (retrying in {Seconds} s)")]
    private static partial void LogGatewayFailed(ILogger logger, string coin, string reason, int seconds);
}
