using System.Net;

using Coinshard.Electrum.Server;
using Coinshard.Electrum.Sessions;
using Coinshard.TestSupport;
using Coinshard.TestSupport.Logging;

namespace Coinshard.Electrum.Tests.Support;

/// <summary>An Electrum server on loopback with a <see cref="FakeHandler"/>, all four transports on free ports.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    /// <summary>Another loopback address: on Linux the whole 127/8 reaches the loopback interface, so this stands for a second client IP.</summary>
    public static readonly IPAddress OtherClient = IPAddress.Parse("127.0.0.2");

    private readonly TempDirectory _directory;

    private TestServer(ElectrumServer server, FakeHandler handler, CapturingLoggerFactory logs, ElectrumServerOptions options, TempDirectory directory, TestCertificate certificate)
    {
        Server = server;
        Handler = handler;
        Logs = logs;
        Options = options;
        _directory = directory;
        Certificate = certificate;
    }

    public ElectrumServer Server { get; }

    public FakeHandler Handler { get; }

    public CapturingLoggerFactory Logs { get; }

    public ElectrumServerOptions Options { get; }

    public TestCertificate Certificate { get; }

    public int TcpPort => Options.Tcp.Port;

    public int TlsPort => Options.Tls.Port;

    public int WsPort => Options.WebSocket.Port;

    public int WssPort => Options.SecureWebSocket.Port;

    /// <summary>Default test options: loopback, free ports, PEM certificate, per-address limits applied to loopback too.</summary>
    public static ElectrumServerOptions DefaultOptions(TestCertificate? certificate = null)
    {
        var options = new ElectrumServerOptions { BindAddress = "127.0.0.1" };
        options.Tcp.Port = FreePorts.Next();
        options.Tls.Port = FreePorts.Next();
        options.WebSocket.Port = FreePorts.Next();
        options.SecureWebSocket.Port = FreePorts.Next();
        options.Limits.ExemptLoopback = false;
        if (certificate is not null)
        {
            options.Certificate.CertPath = certificate.CertPath;
            options.Certificate.KeyPath = certificate.KeyPath;
        }
        return options;
    }

    public static async Task<TestServer> StartAsync(Action<ElectrumServerOptions>? configure = null)
    {
        var directory = new TempDirectory("electrum");
        var certificate = TestCertificate.Create(directory.Path);
        var options = DefaultOptions(certificate);
        configure?.Invoke(options);
        var logs = new CapturingLoggerFactory();
        var handler = new FakeHandler();
        var budget = new SubscriptionBudget(options.Limits);
        handler.Budget = budget;
        var server = await ElectrumServer.StartAsync(options, budget, handler, logs, CancellationToken.None);
        return new TestServer(server, handler, logs, options, directory, certificate);
    }

    public Task<LineClient> ConnectAsync(IPAddress? from = null, bool tls = false) =>
        LineClient.ConnectAsync(tls ? TlsPort : TcpPort, from, tls ? Certificate.Thumbprint : null);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _directory.Dispose();
    }
}
