using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace Coinshard.Electrum.Tests.Support;

/// <summary>
/// A deliberately simple newline-framed client over TCP or TLS: it sends whatever bytes a test
/// wants (including garbage) and reads raw lines, so that tests check the wire, not a client library.
/// </summary>
internal sealed class LineClient : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly StreamReader _reader;

    private LineClient(Socket socket, Stream stream)
    {
        _socket = socket;
        _stream = stream;
        _reader = new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024);
    }

    /// <summary>The certificate the server presented (TLS only).</summary>
    public X509Certificate? ServerCertificate => (_stream as SslStream)?.RemoteCertificate;

    /// <summary>Connects (with TLS when <paramref name="tlsThumbprint"/> is given) to <paramref name="port"/> on 127.0.0.1 from <paramref name="from"/> (another loopback address stands for another client IP).</summary>
    public static async Task<LineClient> ConnectAsync(int port, IPAddress? from = null, string? tlsThumbprint = null, int receiveBuffer = 0)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (receiveBuffer > 0)
        {
            socket.ReceiveBufferSize = receiveBuffer;
        }
        if (from is not null)
        {
            socket.Bind(new IPEndPoint(from, 0));
        }
        await socket.ConnectAsync(IPAddress.Loopback, port).WaitAsync(Timeout);
        Stream stream = new NetworkStream(socket, ownsSocket: false);
        if (tlsThumbprint is not null)
        {
            // The test's self-signed certificate is trusted by its thumbprint, nothing else.
            var ssl = new SslStream(stream, leaveInnerStreamOpen: false, (_, certificate, _, _) => certificate?.GetCertHashString() == tlsThumbprint);
            await ssl.AuthenticateAsClientAsync("localhost").WaitAsync(Timeout);
            stream = ssl;
        }
        return new LineClient(socket, stream);
    }

    public async Task SendAsync(string line) => await SendRawAsync(Encoding.UTF8.GetBytes(line + "\n"));

    public async Task SendRawAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes).AsTask().WaitAsync(Timeout);
        await _stream.FlushAsync().WaitAsync(Timeout);
    }

    /// <summary>The next line, or null when the server closed the connection.</summary>
    public async Task<string?> ReadLineAsync()
    {
        using var cts = new CancellationTokenSource(Timeout);
        try
        {
            return await _reader.ReadLineAsync(cts.Token);
        }
        catch (IOException)
        {
            return null;
        }
    }

    public async Task<JsonElement> ReadJsonAsync()
    {
        var line = await ReadLineAsync() ?? throw new InvalidOperationException("the server closed the connection");
        using var document = JsonDocument.Parse(line);
        return document.RootElement.Clone();
    }

    /// <summary>Sends one request and returns the answer (no other traffic may be in flight).</summary>
    public async Task<JsonElement> CallAsync(string method, string paramsJson = "[]", int id = 1)
    {
        await SendAsync($"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"{method}\",\"params\":{paramsJson}}}");
        return await ReadJsonAsync();
    }

    /// <summary>Reads until the server closes; true when it did within the timeout.</summary>
    public async Task<bool> WaitClosedAsync()
    {
        try
        {
            while (await ReadLineAsync() is not null)
            {
            }
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        await _stream.DisposeAsync();
        _socket.Dispose();
    }
}
