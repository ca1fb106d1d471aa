using System.Net;
using System.Security.Cryptography.X509Certificates;

using Coinshard.Electrum.Sessions;
using Coinshard.Electrum.Transport;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Coinshard.Electrum.Server;

/// <summary>The four Electrum transports.</summary>
public enum ElectrumTransport
{
    /// <summary>Newline-delimited JSON-RPC over plain TCP.</summary>
    Tcp,

    /// <summary>Newline-delimited JSON-RPC over TLS.</summary>
    Tls,

    /// <summary>One JSON-RPC message per WebSocket text frame.</summary>
    WebSocket,

    /// <summary>WebSocket over TLS.</summary>
    SecureWebSocket,
}

/// <summary>A listener that is accepting connections.</summary>
/// <param name="Transport">What it speaks.</param>
/// <param name="EndPoint">Where it listens (<see cref="IPAddress.IPv6Any"/> for every interface).</param>
public sealed record ElectrumEndpoint(ElectrumTransport Transport, IPEndPoint EndPoint);

/// <summary>
/// The Electrum listeners on Kestrel: raw TCP and TLS connections through a connection handler,
/// WebSocket and secure WebSocket through Kestrel's HTTP server and WebSocket middleware. Every
/// connection is admitted against the session limits before anything else (before the TLS
/// handshake too), then served by a session (framing, limits, <c>server.version</c>, throttling)
/// that calls the <see cref="IElectrumMethodHandler"/>. Stop it with <see cref="DisposeAsync"/>.
/// </summary>
public sealed partial class ElectrumServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ElectrumServerContext _context;
    private readonly Timer _sweeper;
    private readonly X509Certificate2? _certificate;
    private int _stopped;

    private ElectrumServer(WebApplication app, ElectrumServerContext context, X509Certificate2? certificate, IReadOnlyList<ElectrumEndpoint> endpoints)
    {
        _app = app;
        _context = context;
        _certificate = certificate;
        Endpoints = endpoints;
        var limits = context.Limits;
        var period = TimeSpan.FromTicks(Math.Clamp(limits.IdleTimeout.Ticks / 4, TimeSpan.FromMilliseconds(50).Ticks, TimeSpan.FromSeconds(1).Ticks));
        _sweeper = new Timer(static state => ((ElectrumServerContext)state!).Sweep(), context, period, period);
    }

    /// <summary>The listeners started (TLS ones only when a certificate was found).</summary>
    public IReadOnlyList<ElectrumEndpoint> Endpoints { get; }

    /// <summary>Open sessions on all transports.</summary>
    public int SessionCount => _context.Connections.Total;

    /// <summary>The subscription budget the method handler must use.</summary>
    public SubscriptionBudget Subscriptions => _context.Subscriptions;

    internal ElectrumServerContext Context => _context;

    /// <summary>
    /// Starts the listeners of <paramref name="options"/> with a subscription budget of its own
    /// (for handlers that keep no subscriptions, or tests).
    /// </summary>
    /// <exception cref="InvalidOperationException">Invalid options, an unreadable certificate, or a port that cannot be bound.</exception>
    public static Task<ElectrumServer> StartAsync(ElectrumServerOptions options, IElectrumMethodHandler handler, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        return StartAsync(options, new SubscriptionBudget(options.Limits), handler, loggerFactory, cancellationToken);
    }

    /// <summary>
    /// Starts the listeners of <paramref name="options"/>. <paramref name="subscriptions"/> is the
    /// budget the handler counts subscriptions with (create it from the same options' limits); the
    /// server releases a session's count when it closes.
    /// </summary>
    /// <exception cref="InvalidOperationException">Invalid options, an unreadable certificate, or a port that cannot be bound.</exception>
    public static async Task<ElectrumServer> StartAsync(ElectrumServerOptions options, SubscriptionBudget subscriptions, IElectrumMethodHandler handler,
        ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(subscriptions);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        options.Validate();
        var log = loggerFactory.CreateLogger("Coinshard.Electrum.Server");
        var context = new ElectrumServerContext(options, handler, subscriptions, loggerFactory);

        X509Certificate2? certificate = null;
        if (options.Tls.Port > 0 || options.SecureWebSocket.Port > 0)
        {
            certificate = CertificateSource.Load(options.Certificate, out var whyNot);
            if (certificate is null)
            {
                LogTlsOff(log, whyNot!);
            }
        }

        var endpoints = new List<ElectrumEndpoint>();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.Replace(ServiceDescriptor.Singleton(loggerFactory));
        builder.Services.TryAdd(ServiceDescriptor.Singleton(typeof(ILogger<>), typeof(Logger<>)));
        builder.Services.AddSingleton(new ElectrumConnectionHandler(context));
        // The connection's input pipe must hold one whole line plus the byte that proves it too long.
        builder.WebHost.UseSockets(o =>
        {
            o.MaxReadBufferSize = Math.Max(1024 * 1024, (long)options.Limits.MaxLineBytes + 64 * 1024);
            // A buffer kept between messages saves a zero-byte receive per request (see KeepReceiveBuffers).
            o.WaitForDataBeforeAllocatingBuffer = !options.KeepReceiveBuffers;
        });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(15);
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(15);
            foreach (var transport in Enum.GetValues<ElectrumTransport>())
            {
                var listener = transport switch
                {
                    ElectrumTransport.Tcp => options.Tcp,
                    ElectrumTransport.Tls => options.Tls,
                    ElectrumTransport.WebSocket => options.WebSocket,
                    _ => options.SecureWebSocket,
                };
                var secure = transport is ElectrumTransport.Tls or ElectrumTransport.SecureWebSocket;
                if (listener.Port == 0 || (secure && certificate is null))
                {
                    continue;
                }
                _ = ElectrumServerOptions.TryParseBindAddress(listener.BindAddress ?? options.BindAddress, out var address); // validated above
                endpoints.Add(new ElectrumEndpoint(transport, new IPEndPoint(address ?? IPAddress.IPv6Any, listener.Port)));
                void Configure(ListenOptions listen)
                {
                    var raw = transport is ElectrumTransport.Tcp or ElectrumTransport.Tls;
                    listen.Protocols = raw ? HttpProtocols.None : HttpProtocols.Http1;
                    listen.Use(next => connection => AdmitAsync(context, connection, Name(transport), next));
                    if (secure)
                    {
                        listen.UseHttps(new HttpsConnectionAdapterOptions { ServerCertificate = certificate, HandshakeTimeout = TimeSpan.FromSeconds(10) });
                    }
                    if (raw)
                    {
                        listen.UseConnectionHandler<ElectrumConnectionHandler>();
                    }
                }
                if (address is null)
                {
                    kestrel.ListenAnyIP(listener.Port, Configure);
                }
                else
                {
                    kestrel.Listen(address, listener.Port, Configure);
                }
            }
        });

        var app = builder.Build();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(60) });
        app.Run(new WebSocketEndpoint(context).HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            // Typically a port in use (AddressInUseException); listeners already bound are released.
            await app.DisposeAsync().ConfigureAwait(false);
            certificate?.Dispose();
            var ports = string.Join(", ", endpoints.Select(p => $"{Name(p.Transport)} {p.EndPoint}"));
            throw new InvalidOperationException($"cannot start the Electrum listeners ({ports}): {e.Message}", e);
        }
        foreach (var endpoint in endpoints)
        {
            LogListening(log, endpoint.Transport, endpoint.EndPoint);
        }
        return new ElectrumServer(app, context, certificate, endpoints);
    }

    /// <summary>Stops accepting, closes every session (the handler's <c>SessionClosed</c> runs for each) and stops the listeners.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }
        await _sweeper.DisposeAsync().ConfigureAwait(false);
        foreach (var (_, session) in _context.Sessions)
        {
            session.Abort("server stopping");
        }
        await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _certificate?.Dispose();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await StopAsync(timeout.Token).ConfigureAwait(false);
    }

    private static string Name(ElectrumTransport transport) => transport switch
    {
        ElectrumTransport.Tcp => "tcp",
        ElectrumTransport.Tls => "tls",
        ElectrumTransport.WebSocket => "ws",
        _ => "wss",
    };

    /// <summary>Admits a connection before the TLS handshake or HTTP; a refused one is closed at once.</summary>
    private static async Task AdmitAsync(ElectrumServerContext context, ConnectionContext connection, string transport, ConnectionDelegate next)
    {
        var remote = (connection.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
        if (!context.TryAdmit(remote, transport, out var address))
        {
            connection.Abort(new ConnectionAbortedException("session limit"));
            return;
        }
        try
        {
            connection.Features.Set(new SessionAdmission(remote, address));
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            context.Connections.Release(address);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "TLS and secure WebSocket listeners are off: {Reason}")]
    private static partial void LogTlsOff(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Electrum {Transport} listening on {EndPoint}")]
    private static partial void LogListening(ILogger logger, ElectrumTransport transport, IPEndPoint endPoint);
}
