using System.Collections.Concurrent;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Coinshard.TestSupport.Electrum;

/// <summary>An error answer from an Electrum server.</summary>
/// <param name="code">The JSON-RPC error code.</param>
/// <param name="message">The server's message.</param>
public sealed class ElectrumErrorException(int code, string message) : Exception($"Electrum error {code}: {message}")
{
    /// <summary>The JSON-RPC error code.</summary>
    public int Code { get; } = code;

    /// <summary>The server's message.</summary>
    public string ServerMessage { get; } = message;
}

/// <summary>A notification pushed by the server.</summary>
/// <param name="Method">The subscription method.</param>
/// <param name="Params">Its params.</param>
public sealed record ElectrumNotification(string Method, JsonElement Params);

/// <summary>
/// A small, independent Electrum protocol client for tests and the load generator: newline-framed
/// JSON-RPC over TCP or TLS, or one message per frame over WebSocket; requests are matched to
/// answers by id (several may be in flight), notifications go to <see cref="Notifications"/>.
/// </summary>
public sealed class ElectrumTestClient : IAsyncDisposable
{
    private readonly Stream? _stream;
    private readonly ClientWebSocket? _socket;
    private readonly TcpClient? _tcp;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly Channel<ElectrumNotification> _notifications = Channel.CreateUnbounded<ElectrumNotification>();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;
    private long _nextId;

    private ElectrumTestClient(TcpClient? tcp, Stream? stream, ClientWebSocket? socket)
    {
        _tcp = tcp;
        _stream = stream;
        _socket = socket;
        _reader = Task.Run(ReadLoopAsync);
    }

    /// <summary>Notifications received, in order.</summary>
    public ChannelReader<ElectrumNotification> Notifications => _notifications.Reader;

    /// <summary>Completes when the server closes the connection (or it fails).</summary>
    public Task Closed => _reader;

    /// <summary>Connects over plain TCP.</summary>
    public static async Task<ElectrumTestClient> ConnectTcpAsync(string host, int port, CancellationToken ct = default)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(host, port, ct).ConfigureAwait(false);
        return new ElectrumTestClient(tcp, tcp.GetStream(), null);
    }

    /// <summary>Connects over TLS, trusting exactly <paramref name="trusted"/> (a test certificate).</summary>
    public static async Task<ElectrumTestClient> ConnectTlsAsync(string host, int port, X509Certificate2 trusted, CancellationToken ct = default)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(host, port, ct).ConfigureAwait(false);
        var ssl = new SslStream(tcp.GetStream(), false, (_, certificate, _, _) =>
            certificate is not null && certificate.GetCertHashString() == trusted.GetCertHashString());
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = host }, ct).ConfigureAwait(false);
        return new ElectrumTestClient(tcp, ssl, null);
    }

    /// <summary>Connects over WebSocket (<c>ws://</c> or <c>wss://</c>); for wss, <paramref name="trusted"/> is the accepted certificate.</summary>
    public static async Task<ElectrumTestClient> ConnectWebSocketAsync(Uri uri, X509Certificate2? trusted = null, CancellationToken ct = default)
    {
        var socket = new ClientWebSocket();
        if (trusted is not null)
        {
            socket.Options.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                certificate is not null && certificate.GetCertHashString() == trusted.GetCertHashString();
        }
        await socket.ConnectAsync(uri, ct).ConfigureAwait(false);
        return new ElectrumTestClient(null, null, socket);
    }

    /// <summary>Sends one request and returns its result; an error answer throws <see cref="ElectrumErrorException"/>.</summary>
    public async Task<JsonElement> CallAsync(string method, params object?[] parameters)
    {
        var id = Interlocked.Increment(ref _nextId);
        var answer = Register(id);
        await SendAsync(Serialize(id, method, parameters)).ConfigureAwait(false);
        return Unwrap(await answer.ConfigureAwait(false));
    }

    /// <summary>Sends several requests as one JSON-RPC batch and returns the results in request order.</summary>
    public async Task<IReadOnlyList<JsonElement>> BatchAsync(params (string Method, object?[] Params)[] calls)
    {
        var ids = calls.Select(_ => Interlocked.Increment(ref _nextId)).ToArray();
        var answers = ids.Select(Register).ToArray();
        var text = "[" + string.Join(",", calls.Select((c, i) => Serialize(ids[i], c.Method, c.Params))) + "]";
        await SendAsync(text).ConfigureAwait(false);
        var results = new List<JsonElement>();
        foreach (var answer in answers)
        {
            results.Add(Unwrap(await answer.ConfigureAwait(false)));
        }
        return results;
    }

    /// <summary>Sends raw text as one message (a line over TCP/TLS); for abuse tests.</summary>
    public Task SendRawAsync(string text) => SendAsync(text);

    /// <summary>Waits for the next notification of <paramref name="method"/>, skipping others.</summary>
    public async Task<ElectrumNotification> NextNotificationAsync(string method, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var notification = await _notifications.Reader.ReadAsync(cts.Token).ConfigureAwait(false);
            if (notification.Method == method)
            {
                return notification;
            }
        }
    }

    private Task<JsonElement> Register(long id)
    {
        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        return answer.Task;
    }

    private static string Serialize(long id, string method, object?[] parameters) =>
        JsonSerializer.Serialize(new { jsonrpc = "2.0", id, method, @params = parameters });

    private static JsonElement Unwrap(JsonElement response)
    {
        if (response.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
        {
            throw new ElectrumErrorException(
                error.TryGetProperty("code", out var code) ? code.GetInt32() : 0,
                error.TryGetProperty("message", out var message) ? message.GetString() ?? "" : error.GetRawText());
        }
        return response.GetProperty("result");
    }

    private async Task SendAsync(string text)
    {
        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_socket is not null)
            {
                await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, _stop.Token).ConfigureAwait(false);
            }
            else
            {
                await _stream!.WriteAsync(Encoding.UTF8.GetBytes(text + "\n"), _stop.Token).ConfigureAwait(false);
                await _stream.FlushAsync(_stop.Token).ConfigureAwait(false);
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            if (_socket is not null)
            {
                var buffer = new byte[1 << 16];
                using var message = new MemoryStream();
                while (true)
                {
                    var received = await _socket.ReceiveAsync(buffer, _stop.Token).ConfigureAwait(false);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }
                    message.Write(buffer, 0, received.Count);
                    if (received.EndOfMessage)
                    {
                        Dispatch(message.ToArray());
                        message.SetLength(0);
                    }
                }
            }

            using var reader = new StreamReader(_stream!, Encoding.UTF8);
            while (await reader.ReadLineAsync(_stop.Token).ConfigureAwait(false) is { } line)
            {
                Dispatch(Encoding.UTF8.GetBytes(line));
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
        catch (IOException)
        {
        }
        catch (WebSocketException)
        {
        }
        finally
        {
            foreach (var pending in _pending.Values)
            {
                pending.TrySetException(new IOException("the Electrum server closed the connection"));
            }
            _notifications.Writer.TryComplete();
        }
    }

    private void Dispatch(byte[] utf8)
    {
        using var document = JsonDocument.Parse(utf8);
        var root = document.RootElement;
        IEnumerable<JsonElement> items = root.ValueKind == JsonValueKind.Array ? root.EnumerateArray() : [root];
        foreach (var item in items)
        {
            if (item.TryGetProperty("method", out var method))
            {
                _notifications.Writer.TryWrite(new ElectrumNotification(method.GetString()!, item.GetProperty("params").Clone()));
            }
            else if (item.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number &&
                     _pending.TryRemove(id.GetInt64(), out var answer))
            {
                answer.TrySetResult(item.Clone());
            }
            else if (item.TryGetProperty("id", out var nullId) && nullId.ValueKind == JsonValueKind.Null)
            {
                // An error about a request the server could not read (e.g. an oversized line): fail the oldest caller.
                var oldest = _pending.Keys.DefaultIfEmpty(-1).Min();
                if (oldest >= 0 && _pending.TryRemove(oldest, out var first))
                {
                    first.TrySetResult(item.Clone());
                }
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket?.Abort();
        _socket?.Dispose();
        if (_stream is not null)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        _tcp?.Dispose();
        try
        {
            await _reader.ConfigureAwait(false);
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
        _stop.Dispose();
        _sendLock.Dispose();
    }
}
