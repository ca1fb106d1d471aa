using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

using Coinshard.TestSupport;

namespace Coinshard.Integration.Tests.Support;

/// <summary>
/// A loopback TCP forwarder to a server (PostgreSQL), to make that server "go down" for one client only:
/// <see cref="CutAsync"/> closes the listener and every forwarded connection (as a stopped server would), and
/// <see cref="RestoreAsync"/> listens again on the same port.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly ConcurrentDictionary<TcpClient, byte> _connections = new();
    private TcpListener? _listener;
    private CancellationTokenSource? _stop;
    private Task? _accepting;

    public TcpProxy(string host, int port)
    {
        _target = new IPEndPoint(IPAddress.Parse(host == "localhost" ? "127.0.0.1" : host), port);
        Port = FreePorts.Next();
        Listen();
    }

    /// <summary>The loopback port clients connect to.</summary>
    public int Port { get; }

    /// <summary>Connections forwarded so far.</summary>
    public int Accepted { get; private set; }

    /// <summary>Stops listening and drops every connection.</summary>
    public async Task CutAsync()
    {
        if (_listener is null)
        {
            return;
        }
        await _stop!.CancelAsync();
        _listener.Stop();
        _listener = null;
        foreach (var connection in _connections.Keys)
        {
            connection.Close();
        }
        _connections.Clear();
        try
        {
            await _accepting!;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        _stop.Dispose();
    }

    /// <summary>Listens again on the same port.</summary>
    public Task RestoreAsync()
    {
        if (_listener is null)
        {
            Listen();
        }
        return Task.CompletedTask;
    }

    private void Listen()
    {
        var listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        _listener = listener;
        _stop = new CancellationTokenSource();
        _accepting = AcceptAsync(listener, _stop.Token);
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var client = await listener.AcceptTcpClientAsync(ct);
            Accepted++;
            _ = ForwardAsync(client, ct);
        }
    }

    private async Task ForwardAsync(TcpClient client, CancellationToken ct)
    {
        var server = new TcpClient();
        _connections[client] = 0;
        _connections[server] = 0;
        try
        {
            await server.ConnectAsync(_target, ct);
            var up = client.GetStream().CopyToAsync(server.GetStream(), ct);
            var down = server.GetStream().CopyToAsync(client.GetStream(), ct);
            await Task.WhenAny(up, down);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // One side went away (or the proxy was cut).
        }
        finally
        {
            _connections.TryRemove(client, out _);
            _connections.TryRemove(server, out _);
            client.Close();
            server.Close();
        }
    }

    public async ValueTask DisposeAsync() => await CutAsync();
}
