using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coinshard.Backends.Core;

/// <summary>
/// JSON-RPC 1.0 over HTTP to a Bitcoin or Litecoin Core node, plus its REST interface: single calls
/// and batches (one HTTP request, answers matched by id), per-call timeouts, retries with exponential
/// backoff and jitter on transport failures and on warm-up (RPC error -28) but never on ordinary RPC
/// errors, cookie files re-read when a restarted node rejects the old cookie, and health tracking.
/// Neither exceptions nor logs ever contain the password, the cookie or call parameters.
/// </summary>
public sealed class CoreRpcClient : IDisposable
{
    private readonly CoreRpcOptions _options;
    private readonly HttpClient _http;
    private readonly Uri _rpcUrl;
    private readonly RpcCredentials _credentials;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly BackendHealthTracker _health;
    private readonly Lock _cookieLock = new();
    private AuthenticationHeaderValue? _cookieHeader;
    private long _nextId;

    /// <summary>Creates a client; no connection is made until the first call.</summary>
    /// <param name="options">Where the node is and how patient to be.</param>
    /// <param name="logger">Receives retries and failures (never secrets); null for none.</param>
    /// <param name="handler">HTTP handler to use instead of a fresh one (the client does not dispose it).</param>
    /// <param name="timeProvider">Clock for backoff delays and health timestamps; null for the system clock.</param>
    public CoreRpcClient(CoreRpcOptions options, ILogger<CoreRpcClient>? logger = null, HttpMessageHandler? handler = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Url);
        if (!options.Url.IsAbsoluteUri || (options.Url.Scheme != Uri.UriSchemeHttp && options.Url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException("the RPC URL must be an absolute http:// or https:// URL", nameof(options));
        }
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRetries);
        _options = options;
        _credentials = options.Credentials ?? CredentialsFromUrl(options.Url)
            ?? throw new ArgumentException("no RPC credentials: set Credentials or put user:password in the URL", nameof(options));
        _rpcUrl = new UriBuilder(options.Url) { UserName = "", Password = "" }.Uri;
        Endpoint = _rpcUrl.GetLeftPart(UriPartial.Path);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _health = new BackendHealthTracker(_time);
        _http = handler is null
            ? new HttpClient(new SocketsHttpHandler
            {
                ConnectTimeout = options.Timeout < TimeSpan.FromSeconds(10) ? options.Timeout : TimeSpan.FromSeconds(10),
                // Well below Core's -rpcservertimeout (30 s): a stopping node waits for idle keep-alive
                // connections to time out, so idle ones must not linger, and the node never closes one under us.
                PooledConnectionIdleTimeout = TimeSpan.FromSeconds(2),
                UseCookies = false,
                AllowAutoRedirect = false,
            })
            : new HttpClient(handler, disposeHandler: false);
        _http.Timeout = Timeout.InfiniteTimeSpan;
    }

    /// <summary>The node's URL without credentials, for messages and logs.</summary>
    public string Endpoint { get; }

    /// <summary>The client's options.</summary>
    public CoreRpcOptions Options => _options;

    /// <summary>Health according to the most recent calls (an RPC error still counts as healthy: the node answered).</summary>
    public BackendHealth Health => _health.Current;

    /// <summary>Calls one method and returns its result (a detached element that outlives the response).</summary>
    /// <exception cref="RpcException">The node answered with an error.</exception>
    /// <exception cref="BackendUnavailableException">No answer after the configured retries.</exception>
    /// <exception cref="BackendAuthenticationException">The node refused the credentials.</exception>
    /// <exception cref="BackendProtocolException">The answer was not a JSON-RPC response.</exception>
    public async Task<JsonElement> CallAsync(RpcRequest request, RpcCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var id = Interlocked.Increment(ref _nextId);
        var body = RpcJsonWriter.WriteSingle(id, request);
        var response = await SendWithRetriesAsync(
            request.Method,
            options,
            async token => ParseSingle(request.Method, id, await PostAsync(request.Method, body, token).ConfigureAwait(false)),
            cancellationToken).ConfigureAwait(false);
        return response.GetResultOrThrow();
    }

    /// <summary>
    /// Sends several calls in one HTTP request; answers come back in request order, each a result or
    /// an error (an error in one call does not fail the others). The batch is retried as a whole on
    /// transport failures and when any call reports warm-up.
    /// </summary>
    public async Task<IReadOnlyList<RpcResponse>> BatchAsync(IReadOnlyList<RpcRequest> requests, RpcCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        if (requests.Count == 0)
        {
            return [];
        }
        var firstId = Interlocked.Add(ref _nextId, requests.Count) - requests.Count + 1;
        var body = RpcJsonWriter.WriteBatch(firstId, requests);
        var operation = $"batch of {requests.Count} ({requests[0].Method}…)";
        return await SendWithRetriesAsync(
            operation,
            options,
            async token => ParseBatch(operation, requests, firstId, await PostAsync(operation, body, token).ConfigureAwait(false)),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// GETs a path of the node's REST interface (e.g. <c>rest/block/&lt;hash&gt;.bin</c>; no credentials
    /// needed) and returns status and body. Retries like RPC calls on transport failures and HTTP 503.
    /// </summary>
    /// <exception cref="BackendUnavailableException">No answer after the configured retries.</exception>
    public async Task<RestResponse> GetRestAsync(string relativePath, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(relativePath);
        var url = new Uri(_rpcUrl, "/" + relativePath.TrimStart('/'));
        var operation = "GET /" + relativePath.TrimStart('/');
        return await SendWithRetriesAsync(operation, null, async token =>
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, token).ConfigureAwait(false);
                var content = await response.Content.ReadAsByteArrayAsync(token).ConfigureAwait(false);
                return response.StatusCode == HttpStatusCode.ServiceUnavailable
                    ? throw new TransientFailure("HTTP 503 (work queue full or node shutting down)")
                    : new RestResponse(response.StatusCode, content);
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                throw new TransientFailure(DescribeTransport(e), e);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private async Task<T> SendWithRetriesAsync<T>(string operation, RpcCallOptions? options, Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        var timeout = options?.Timeout ?? _options.Timeout;
        var maxRetries = options?.RetryTransientFailures == false ? 0 : _options.MaxRetries;
        for (var attemptNumber = 1; ; attemptNumber++)
        {
            string reason;
            Exception failure;
            bool timedOut;
            try
            {
                using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeoutSource.CancelAfter(timeout);
                try
                {
                    var result = await attempt(timeoutSource.Token).ConfigureAwait(false);
                    _health.RecordSuccess();
                    return result;
                }
                catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TransientFailure($"no answer within {timeout.TotalSeconds:0.###} s", e, timedOut: true);
                }
            }
            catch (TransientFailure e)
            {
                reason = e.Message;
                failure = e.InnerException ?? e;
                timedOut = e.TimedOut;
            }
            catch (Exception e) when (e is BackendAuthenticationException or BackendProtocolException)
            {
                _health.RecordFailure(e.Message);
                throw;
            }

            if (attemptNumber > maxRetries)
            {
                _logger.GaveUp(operation, Endpoint, attemptNumber, reason);
                var unavailable = new BackendUnavailableException(Endpoint, reason, attemptNumber, timedOut, failure);
                _health.RecordFailure(unavailable.Message);
                throw unavailable;
            }
            var delay = Backoff.EqualJitter(_options.RetryBaseDelay, _options.RetryMaxDelay, attemptNumber);
            _logger.Retrying(operation, Endpoint, reason, attemptNumber, maxRetries, (long)delay.TotalMilliseconds);
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>POSTs a request body; handles authentication (one cookie re-read on 401) and maps transport errors.</summary>
    private async Task<(HttpStatusCode Status, byte[] Body)> PostAsync(string operation, byte[] body, CancellationToken cancellationToken)
    {
        var rereadCookie = false;
        while (true)
        {
            var authorization = GetAuthorization(forceReread: rereadCookie);
            HttpStatusCode status;
            byte[] content;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, _rpcUrl);
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Authorization = authorization;
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
                status = response.StatusCode;
                content = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                throw new TransientFailure(DescribeTransport(e), e);
            }

            switch (status)
            {
                case HttpStatusCode.Unauthorized when _credentials.CookieFile is { } cookieFile && !rereadCookie:
                    _logger.RereadingCookie(Endpoint, cookieFile);
                    rereadCookie = true;
                    continue;
                case HttpStatusCode.Unauthorized:
                    _logger.AuthenticationFailed(Endpoint, _credentials.ToString());
                    throw new BackendAuthenticationException(Endpoint, "wrong RPC user/password or cookie (HTTP 401)");
                case HttpStatusCode.Forbidden:
                    throw new BackendAuthenticationException(Endpoint, "the node refuses RPC from this address (HTTP 403; check rpcallowip)");
                case HttpStatusCode.ServiceUnavailable:
                    throw new TransientFailure("HTTP 503 (work queue full or node shutting down)");
                default:
                    if (content.Length == 0)
                    {
                        throw new BackendProtocolException($"{operation} on {Endpoint}: HTTP {(int)status} with an empty body");
                    }
                    return (status, content);
            }
        }
    }

    private AuthenticationHeaderValue GetAuthorization(bool forceReread)
    {
        if (_credentials.Fixed is { } fixedCredentials)
        {
            return Basic(fixedCredentials.User, fixedCredentials.Password);
        }
        lock (_cookieLock)
        {
            if (_cookieHeader is null || forceReread)
            {
                _cookieHeader = ReadCookie(_credentials.CookieFile!);
            }
            return _cookieHeader;
        }
    }

    private static AuthenticationHeaderValue ReadCookie(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // The node deletes its cookie when it stops and writes a new one when it starts.
            throw new TransientFailure($"cookie file {path} does not exist (is the node running?)", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TransientFailure($"cookie file {path} cannot be read: {e.GetType().Name}", e);
        }
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw new TransientFailure($"cookie file {path} is not in user:password form (being written?)");
        }
        return Basic(text[..colon], text[(colon + 1)..]);
    }

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    private static RpcCredentials? CredentialsFromUrl(Uri url)
    {
        if (string.IsNullOrEmpty(url.UserInfo))
        {
            return null;
        }
        var parts = url.UserInfo.Split(':', 2);
        return RpcCredentials.FromUserPassword(Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "");
    }

    private static string DescribeTransport(Exception e) => e switch
    {
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => "connection failed (node not running, or wrong host/port)",
        HttpRequestException { HttpRequestError: var error } when error != HttpRequestError.Unknown => $"HTTP transport error: {error}",
        _ => $"transport error: {e.GetType().Name}",
    };

    private RpcResponse ParseSingle(string method, long id, (HttpStatusCode Status, byte[] Body) reply)
    {
        using var document = ParseJson(method, reply);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new BackendProtocolException($"{method} on {Endpoint}: HTTP {(int)reply.Status}, expected a JSON-RPC object");
        }
        var response = ReadResponse(method, root);
        if (!root.TryGetProperty("id", out var idElement) || !idElement.TryGetInt64(out var answeredId) || answeredId != id)
        {
            throw new BackendProtocolException($"{method} on {Endpoint}: the answer's id does not match the request");
        }
        ThrowIfWarmingUp(response);
        return response;
    }

    private RpcResponse[] ParseBatch(string operation, IReadOnlyList<RpcRequest> requests, long firstId, (HttpStatusCode Status, byte[] Body) reply)
    {
        using var document = ParseJson(operation, reply);
        var root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Object && ReadResponse(operation, root) is { Error: { } error })
        {
            // Core answers a whole batch with one error when it cannot run it at all (e.g. warming up).
            if (error.Code == CoreRpcErrorCodes.InWarmup)
            {
                throw new TransientFailure($"node is warming up: {error.Message}");
            }
            throw new RpcException(operation, error.Code, error.Message);
        }
        if (root.ValueKind != JsonValueKind.Array)
        {
            throw new BackendProtocolException($"{operation} on {Endpoint}: HTTP {(int)reply.Status}, expected a JSON array");
        }
        var responses = new RpcResponse?[requests.Count];
        foreach (var item in root.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty("id", out var idElement)
                || !idElement.TryGetInt64(out var id)
                || id < firstId || id >= firstId + requests.Count)
            {
                throw new BackendProtocolException($"{operation} on {Endpoint}: a batch answer has a missing or unknown id");
            }
            var index = (int)(id - firstId);
            var response = ReadResponse(requests[index].Method, item);
            ThrowIfWarmingUp(response);
            responses[index] = response;
        }
        var result = new RpcResponse[responses.Length];
        for (var i = 0; i < responses.Length; i++)
        {
            result[i] = responses[i] ?? throw new BackendProtocolException($"{operation} on {Endpoint}: no answer for {requests[i].Method}");
        }
        return result;
    }

    private JsonDocument ParseJson(string operation, (HttpStatusCode Status, byte[] Body) reply)
    {
        try
        {
            return JsonDocument.Parse(reply.Body);
        }
        catch (JsonException e)
        {
            throw new BackendProtocolException($"{operation} on {Endpoint}: HTTP {(int)reply.Status}, the answer is not JSON", e);
        }
    }

    private RpcResponse ReadResponse(string method, JsonElement item)
    {
        if (item.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
        {
            if (error.ValueKind != JsonValueKind.Object
                || !error.TryGetProperty("code", out var code) || !code.TryGetInt32(out var codeValue))
            {
                throw new BackendProtocolException($"{method} on {Endpoint}: malformed error object");
            }
            var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "";
            return new RpcResponse(method, default, new RpcError(codeValue, message));
        }
        if (!item.TryGetProperty("result", out var result))
        {
            throw new BackendProtocolException($"{method} on {Endpoint}: answer has neither result nor error");
        }
        return new RpcResponse(method, result.Clone(), null);
    }

    private static void ThrowIfWarmingUp(RpcResponse response)
    {
        if (response.Error is { Code: CoreRpcErrorCodes.InWarmup } error)
        {
            throw new TransientFailure($"node is warming up: {error.Message}");
        }
    }

    /// <summary>A failure worth retrying; becomes <see cref="BackendUnavailableException"/> when retries run out.</summary>
    private sealed class TransientFailure(string message, Exception? inner = null, bool timedOut = false) : Exception(message, inner)
    {
        public bool TimedOut { get; } = timedOut;
    }
}

/// <summary>An answer of the node's REST interface.</summary>
/// <param name="Status">The HTTP status.</param>
/// <param name="Body">The body bytes.</param>
public sealed record RestResponse(HttpStatusCode Status, byte[] Body)
{
    /// <summary>True for HTTP 200.</summary>
    public bool IsSuccess => Status == HttpStatusCode.OK;
}
