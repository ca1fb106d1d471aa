using Coinshard.Actors;
using Coinshard.Backends;
using Coinshard.Backends.Core;
using Coinshard.Node.Admin;
using Coinshard.Node.Configuration;

using Microsoft.Extensions.Logging;

namespace Coinshard.Node.Hosting;

/// <summary>
/// A running Coinshard node: every configured currency (backend, index, Electrum gateway) and the
/// admin API, in one actor system. <see cref="StartAsync"/> returns once everything is started (the
/// indexes catch up in the background); <see cref="DisposeAsync"/> shuts down in order.
/// </summary>
public sealed partial class CoinshardNode : IAsyncDisposable
{
    private static readonly TimeSpan NetworkCheckTimeout = TimeSpan.FromSeconds(10);

    private readonly ActorSystem _system;
    private readonly List<CurrencyRuntime> _currencies;
    private readonly ILogger _logger;
    private int _disposed;

    private CoinshardNode(NodeSettings settings, ActorSystem system, List<CurrencyRuntime> currencies, ILogger logger)
    {
        Settings = settings;
        _system = system;
        _currencies = currencies;
        _logger = logger;
        StartedAt = DateTimeOffset.UtcNow;
    }

    /// <summary>The configuration.</summary>
    public NodeSettings Settings { get; }

    /// <summary>The currencies, in configuration order.</summary>
    public IReadOnlyList<CurrencyRuntime> Currencies => _currencies;

    /// <summary>The admin API; null when turned off.</summary>
    public AdminApi? Admin { get; private set; }

    /// <summary>When the node started.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>False when the actor system has given up on an actor (the admin API's liveness).</summary>
    public bool IsAlive => _system.Health.IsHealthy;

    /// <summary>The currency named <paramref name="coin"/> (<c>bitcoin</c>, <c>btc</c>, <c>litecoin</c>, <c>ltc</c>), or null.</summary>
    public CurrencyRuntime? Find(string coin)
    {
        var currency = CoinNames.Parse(coin);
        return currency is null ? null : _currencies.FirstOrDefault(c => c.Settings.Network.Currency == currency);
    }

    /// <summary>
    /// Starts the node. A backend that answers and is on another network than configured stops the start
    /// (<see cref="BackendNetworkMismatchException"/>); one that does not answer is waited for in the background.
    /// </summary>
    /// <exception cref="BackendNetworkMismatchException">A backend is on another network.</exception>
    /// <exception cref="InvalidOperationException">The admin API cannot listen (port in use).</exception>
    /// <exception cref="IOException">The data directory or the admin token file cannot be written.</exception>
    public static async Task<CoinshardNode> StartAsync(NodeSettings settings, ILoggerFactory logs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(logs);
        var logger = logs.CreateLogger<CoinshardNode>();
        Directory.CreateDirectory(settings.DataDir);
        foreach (var currency in settings.Currencies)
        {
            await CheckNetworkAsync(currency, logs, logger, cancellationToken).ConfigureAwait(false);
        }

        var system = new ActorSystem("coinshard", new ActorSystemOptions { LoggerFactory = logs });
        var runtimes = new List<CurrencyRuntime>();
        AdminApi? admin = null;
        try
        {
            foreach (var currency in settings.Currencies)
            {
                runtimes.Add(await CurrencyRuntime.StartAsync(currency, system, logs, cancellationToken).ConfigureAwait(false));
                var mode = currency.Indexer.Mode.ToString().ToLowerInvariant();
                var engine = currency.Store.Engine.ToString();
                LogCurrencyStarted(logger, currency.Coin, currency.Network.Name, mode, engine);
            }
            var node = new CoinshardNode(settings, system, runtimes, logger);
            if (settings.Admin is { } adminSettings)
            {
                admin = await AdminApi.StartAsync(adminSettings, node, logs, cancellationToken).ConfigureAwait(false);
                node.Admin = admin;
            }
            return node;
        }
        catch
        {
            if (admin is not null)
            {
                await admin.DisposeAsync().ConfigureAwait(false);
            }
            foreach (var runtime in runtimes)
            {
                await runtime.DisposeAsync().ConfigureAwait(false);
            }
            await system.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Fails fast on a backend that answers from another network; waits for none that is down.</summary>
    private static async Task CheckNetworkAsync(CurrencySettings currency, ILoggerFactory logs, ILogger logger, CancellationToken ct)
    {
        foreach (var backendSettings in currency.Backends)
        {
            using var backend = CoreRpcBackend.Create(currency.Network, backendSettings.Rpc with { MaxRetries = 0, Timeout = NetworkCheckTimeout }, backendSettings.Options, logs);
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(NetworkCheckTimeout);
                await backend.GetChainStateAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (BackendNetworkMismatchException)
            {
                throw;
            }
            catch (Exception e) when (e is BackendException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                LogBackendNotYet(logger, currency.Coin, backend.Name, e.Message);
            }
        }
    }

    /// <summary>Ordered shutdown: admin API, then each currency (gateway, follower and lease, backend), then the actor system.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        if (Admin is not null)
        {
            await Admin.DisposeAsync().ConfigureAwait(false);
        }
        foreach (var runtime in Enumerable.Reverse(_currencies))
        {
            await runtime.DisposeAsync().ConfigureAwait(false);
        }
        await _system.DisposeAsync().ConfigureAwait(false);
        LogStopped(_logger);
    }

    [LoggerMessage(EventId = 510, Level = LogLevel.Information, Message = "{Coin}: indexing {Network} in {Mode} mode on {Engine}")]
    private static partial void LogCurrencyStarted(ILogger logger, string coin, string network, string mode, string engine);

    [LoggerMessage(EventId = 511, Level = LogLevel.Warning, Message = "{Coin}: backend {Backend} does not answer yet ({Reason}); the follower keeps trying")]
    private static partial void LogBackendNotYet(ILogger logger, string coin, string backend, string reason);

    [LoggerMessage(EventId = 512, Level = LogLevel.Information, Message = "node stopped")]
    private static partial void LogStopped(ILogger logger);
}
