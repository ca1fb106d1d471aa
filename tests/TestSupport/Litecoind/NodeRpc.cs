using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Coinshard.TestSupport.Litecoind;

/// <summary>An RPC error the node returned to <see cref="NodeRpc"/>.</summary>
public sealed class NodeRpcException(string method, int code, string rpcMessage)
    : Exception($"{method}: RPC error {code}: {rpcMessage}")
{
    /// <summary>The method that failed.</summary>
    public string Method { get; } = method;

    /// <summary>The node's error code.</summary>
    public int Code { get; } = code;

    /// <summary>The node's error message.</summary>
    public string RpcMessage { get; } = rpcMessage;
}

/// <summary>
/// A deliberately small JSON-RPC client for driving a test node. It shares no code with the production
/// client in src/Backends, so tests never verify that client with itself. No retries: callers wait for
/// readiness explicitly.
/// </summary>
public sealed class NodeRpc : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromMinutes(5) };
    private readonly Func<Uri> _url;
    private readonly Func<(string User, string Password)> _credentials;
    private long _id;

    /// <summary>Creates a client; the URL and credentials are asked for on every call, as both change when a node restarts.</summary>
    public NodeRpc(Func<Uri> url, Func<(string User, string Password)> credentials)
    {
        _url = url;
        _credentials = credentials;
    }

    /// <summary>Calls <paramref name="method"/> and returns its result (detached).</summary>
    /// <exception cref="NodeRpcException">The node answered with an error.</exception>
    public async Task<JsonElement> CallAsync(string method, params object?[] parameters)
    {
        var id = Interlocked.Increment(ref _id);
        var body = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["jsonrpc"] = "1.0",
            ["id"] = id,
            ["method"] = method,
            ["params"] = parameters,
        });
        var (user, password) = _credentials();
        using var request = new HttpRequestMessage(HttpMethod.Post, _url());
        request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        // No keep-alive: a stopping node would wait for idle connections to time out (-rpcservertimeout, 30 s).
        request.Headers.ConnectionClose = true;
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        using var response = await _http.SendAsync(request).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        if (text.Length == 0)
        {
            throw new HttpRequestException($"{method}: HTTP {(int)response.StatusCode} with an empty body", null, response.StatusCode);
        }
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
        {
            throw new NodeRpcException(method, error.GetProperty("code").GetInt32(), error.GetProperty("message").GetString() ?? "");
        }
        return root.GetProperty("result").Clone();
    }

    /// <summary>Calls and returns a string result.</summary>
    public async Task<string> CallStringAsync(string method, params object?[] parameters) =>
        (await CallAsync(method, parameters).ConfigureAwait(false)).GetString()!;

    /// <summary>Calls and returns an integer result.</summary>
    public async Task<long> CallInt64Async(string method, params object?[] parameters) =>
        (await CallAsync(method, parameters).ConfigureAwait(false)).GetInt64();

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
