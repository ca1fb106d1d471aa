using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;

using Coinshard.Node.Admin;

namespace Coinshard.Cli.Admin;

/// <summary>A node's admin API, as the CLI calls it: JSON documents in, one-line errors out.</summary>
internal sealed class AdminClient(Uri baseUrl, string token) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = baseUrl, Timeout = TimeSpan.FromMinutes(30) };

    public Uri BaseUrl => baseUrl;

    /// <summary>GET or POST <paramref name="path"/>; the raw JSON and the document.</summary>
    public async Task<(string Json, T Document)> CallAsync<T>(HttpMethod method, string path, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException || e.HttpRequestError == HttpRequestError.ConnectionError)
        {
            throw new AdminUnavailableException($"cannot reach the admin API at {baseUrl} ({e.Message}); is `coinshard run` running there? (--admin)");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new AdminUnavailableException($"the admin API at {baseUrl} did not answer in time");
        }
        using (response)
        {
            var json = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var message = TryError(json) ?? $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
                throw response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound or HttpStatusCode.Unauthorized or HttpStatusCode.Conflict
                    ? new CliUsageException(message)
                    : new AdminUnavailableException(message);
            }
            var document = JsonSerializer.Deserialize<T>(json, AdminJson.Options)
                ?? throw new AdminUnavailableException($"the admin API at {baseUrl} answered an empty document");
            return (json, document);
        }
    }

    private static string? TryError(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<ErrorDocument>(json, AdminJson.Options)?.Error;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>The node could not answer (unreachable, or a server-side error): exit code 1.</summary>
internal sealed class AdminUnavailableException(string message) : Exception(message);
