using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Coinshard.Node.Tests.Support;

/// <summary>
/// The real <c>coinshard run</c> as a child process (the CLI's dll next to the test assembly), configured with
/// <c>--set</c> pairs; killed with SIGKILL by <see cref="KillAsync"/> to test crash safety.
/// </summary>
internal sealed class CoinshardProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private CoinshardProcess(Process process, Uri admin, string token)
    {
        _process = process;
        Http = new HttpClient { BaseAddress = admin, Timeout = TimeSpan.FromSeconds(10) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public HttpClient Http { get; }

    /// <summary>What the process printed so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static CoinshardProcess Start(IReadOnlyDictionary<string, string?> settings)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "coinshard.dll"));
        info.ArgumentList.Add("run");
        foreach (var (key, value) in settings)
        {
            if (value is not null)
            {
                info.ArgumentList.Add("--set");
                info.ArgumentList.Add($"{key}={value}");
            }
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("coinshard did not start");
        return new CoinshardProcess(process, new Uri($"http://127.0.0.1:{settings["Coinshard:Admin:Port"]}/"), settings["Coinshard:Admin:Token"]!);
    }

    /// <summary>GET a JSON document; null while the API is not up yet.</summary>
    public async Task<(int Status, JsonElement Body)?> TryGetAsync(string path)
    {
        try
        {
            using var response = await Http.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            return ((int)response.StatusCode, JsonDocument.Parse(body).RootElement.Clone());
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
        Http.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
