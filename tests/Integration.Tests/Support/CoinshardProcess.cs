using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

using Coinshard.Node.Admin;
using Coinshard.TestSupport;
using Coinshard.TestSupport.Litecoind;

namespace Coinshard.Integration.Tests.Support;

/// <summary>
/// The real <c>coinshard run</c> as a separate process (<c>dotnet coinshard.dll run …</c>, the assembly the
/// Cli project built next to these tests), on one litecoind and one store, with its admin API on a free
/// port. It can be killed with SIGKILL (<see cref="KillAsync"/>), stopped with SIGTERM and started again on
/// the same data directory and ports. The admin token is read from <c>{DataDir}/admin.token</c>, which the
/// process writes at each start.
/// </summary>
public sealed class CoinshardProcess : IAsyncDisposable
{
    private readonly TempDirectory _dataDir;
    private readonly List<string> _arguments;
    private readonly StringBuilder _output = new();
    private readonly Lock _outputLock = new();
    private Process? _process;
    private Process? _watchdog;
    private HttpClient? _http;

    private CoinshardProcess(string name, TempDirectory dataDir, List<string> arguments, int adminPort)
    {
        Name = name;
        _dataDir = dataDir;
        _arguments = arguments;
        AdminUrl = new Uri($"http://127.0.0.1:{adminPort}/");
    }

    /// <summary>A short name for messages ("sqlite", "postgresql").</summary>
    public string Name { get; }

    /// <summary>The data directory (SQLite file, admin.token); kept across restarts.</summary>
    public string DataDir => _dataDir.Path;

    /// <summary>The admin API.</summary>
    public Uri AdminUrl { get; }

    /// <summary>The SQLite database file when the store is SQLite (the default path).</summary>
    public string SqlitePath => Path.Combine(DataDir, "litecoin.db");

    /// <summary>True while the process runs.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>How often the process was started.</summary>
    public int Starts { get; private set; }

    /// <summary>The process's exit code once it has exited.</summary>
    public int? ExitCode => _process is { HasExited: true } p ? p.ExitCode : null;

    /// <summary>
    /// Starts <c>coinshard run</c> on <paramref name="backend"/> with <paramref name="store"/>, and waits until the admin
    /// API answers with the token from the data directory (not until the index has caught up).
    /// </summary>
    public static async Task<CoinshardProcess> StartAsync(string name, LitecoindNode backend, IntegrationStore store, IEnumerable<string>? extraSettings = null, bool waitForAdmin = true)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(store);
        var dataDir = new TempDirectory("coinshard-" + name);
        var adminPort = FreePorts.Next();
        var arguments = new List<string>
        {
            "run", "--data-dir", dataDir.Path, "--network", "litecoin-regtest",
            "--rpc-url", backend.RpcUrl.ToString(), "--rpc-user", backend.RpcUser, "--rpc-password", backend.RpcPassword,
            "--admin-port", adminPort.ToString(CultureInfo.InvariantCulture),
            "--electrum-tcp-port", "0",
            "--set", "Coinshard:Currencies:litecoin:Electrum:Tls:Port=0",
            "--set", "Coinshard:Currencies:litecoin:Electrum:WebSocket:Port=0",
            "--set", "Coinshard:Currencies:litecoin:Electrum:SecureWebSocket:Port=0",
            "--set", "Coinshard:Currencies:litecoin:PollInterval=00:00:00.200",
        };
        arguments.AddRange(store.Arguments);
        foreach (var setting in extraSettings ?? [])
        {
            arguments.Add("--set");
            arguments.Add(setting);
        }
        var process = new CoinshardProcess(name, dataDir, arguments, adminPort);
        try
        {
            await process.StartAgainAsync(waitForAdmin).ConfigureAwait(false);
            return process;
        }
        catch
        {
            await process.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Where the Cli project's <c>coinshard.dll</c> is: next to the test assembly (copied by the project reference).</summary>
    public static string Assembly
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "coinshard.dll");
            return File.Exists(path) && File.Exists(Path.Combine(AppContext.BaseDirectory, "coinshard.runtimeconfig.json"))
                ? path
                : throw new InvalidOperationException($"coinshard.dll (with its runtimeconfig) is not in {AppContext.BaseDirectory}; build tests/Integration.Tests, which references src/Cli");
        }
    }

    /// <summary>Starts the process again on the same data directory, store and ports (after a kill or a stop).</summary>
    public async Task StartAgainAsync(bool waitForAdmin = true)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"coinshard {Name} is already running");
        }
        CleanUpProcess();
        // A killed process's token file is stale: wait for the new one.
        File.Delete(Path.Combine(DataDir, "admin.token"));
        var info = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = DataDir, // no appsettings.json there
        };
        info.ArgumentList.Add(Assembly);
        foreach (var argument in _arguments)
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var process = Process.Start(info) ?? throw new InvalidOperationException("Process.Start returned null");
        Starts++;
        AppendOutput($"---- start {Starts} (pid {process.Id}) ----");
        process.OutputDataReceived += (_, e) => AppendOutput(e.Data);
        process.ErrorDataReceived += (_, e) => AppendOutput(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        _watchdog = Watchdog.Start(process.Id);
        if (waitForAdmin)
        {
            await WaitForAdminAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Waits until the admin API answers <c>/v1/status</c> with the token the process wrote.</summary>
    public async Task WaitForAdminAsync()
    {
        await Eventually.TrueAsync(
            async () =>
            {
                if (!IsRunning)
                {
                    throw new InvalidOperationException($"coinshard {Name} exited with code {ExitCode}:\n{Output()}");
                }
                var tokenFile = Path.Combine(DataDir, "admin.token");
                if (!File.Exists(tokenFile))
                {
                    return false;
                }
                var token = (await File.ReadAllTextAsync(tokenFile).ConfigureAwait(false)).Trim();
                if (token.Length == 0)
                {
                    return false;
                }
                _http?.Dispose();
                _http = new HttpClient { BaseAddress = AdminUrl, Timeout = TimeSpan.FromSeconds(30) };
                _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var response = await _http.GetAsync("v1/status").ConfigureAwait(false);
                return response.IsSuccessStatusCode;
            },
            $"coinshard {Name} answers on its admin API {AdminUrl}",
            TimeSpan.FromSeconds(90)).ConfigureAwait(false);
    }

    /// <summary>Kills the process with SIGKILL, as a crash (or the OOM killer) would.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Stops the process with SIGTERM (ordered shutdown) and returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (_process is not { HasExited: false } process)
        {
            return ExitCode ?? 0;
        }
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync().ConfigureAwait(false);
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            await process.WaitForExitAsync().ConfigureAwait(false);
        }
        return process.ExitCode;
    }

    /// <summary>The process's console output (every start), for failure messages and log assertions.</summary>
    public string Output()
    {
        lock (_outputLock)
        {
            return _output.ToString();
        }
    }

    // ---- admin API ----

    private HttpClient Http => _http ?? throw new InvalidOperationException($"coinshard {Name}: the admin API has not answered yet");

    /// <summary><c>GET /v1/litecoin/status</c>.</summary>
    public Task<CurrencyStatusDocument> StatusAsync() => GetAsync<CurrencyStatusDocument>("v1/litecoin/status");

    /// <summary><c>GET /v1/litecoin/stats</c>: our UTXO count and total at our tip.</summary>
    public Task<StatsDocument> StatsAsync() => GetAsync<StatsDocument>("v1/litecoin/stats");

    /// <summary><c>GET /v1/litecoin/utxos/{address}</c> (every output: the API's maximum limit).</summary>
    public Task<UtxosDocument> UtxosAsync(string address) => GetAsync<UtxosDocument>($"v1/litecoin/utxos/{address}?limit={AdminApi.MaxUtxos}");

    /// <summary><c>GET /health/ready</c>: the status code and body.</summary>
    public async Task<(int Status, string Body)> ReadyAsync()
    {
        using var response = await Http.GetAsync("health/ready").ConfigureAwait(false);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync().ConfigureAwait(false));
    }

    /// <summary>A POST to the admin API (rewind, reset): status code and body.</summary>
    public async Task<(int Status, string Body)> PostAsync(string path)
    {
        using var response = await Http.PostAsync(path, null).ConfigureAwait(false);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync().ConfigureAwait(false));
    }

    private async Task<T> GetAsync<T>(string path)
    {
        using var response = await Http.GetAsync(path).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"coinshard {Name}: GET {path}: HTTP {(int)response.StatusCode}: {body}", null, response.StatusCode);
        }
        return JsonSerializer.Deserialize<T>(body, AdminJson.Options)!;
    }

    // ---- plumbing ----

    private void AppendOutput(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_outputLock)
        {
            // Keep the start and the end: enough to diagnose, bounded for long catch-ups.
            if (_output.Length > 400_000)
            {
                _output.Remove(100_000, 100_000).Insert(100_000, "\n[…]\n");
            }
            _output.AppendLine(line);
        }
    }

    private void CleanUpProcess()
    {
        Watchdog.Stop(_watchdog);
        _watchdog = null;
        _process?.Dispose();
        _process = null;
    }

    /// <summary>Kills the process and deletes its data directory.</summary>
    public async ValueTask DisposeAsync()
    {
        await KillAsync().ConfigureAwait(false);
        CleanUpProcess();
        _http?.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dataDir.Dispose();
    }

    public override string ToString() => $"coinshard {Name} (admin {AdminUrl}, data {DataDir})";
}

/// <summary>A shell loop that SIGKILLs a child process when the test host dies (even by SIGKILL), and ends with the child.</summary>
internal static class Watchdog
{
    public static Process? Start(int childPid)
    {
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("while kill -0 \"$1\" 2>/dev/null; do kill -0 \"$2\" 2>/dev/null || { kill -9 \"$1\"; exit 0; }; sleep 1; done");
        info.ArgumentList.Add("coinshard-watchdog");
        info.ArgumentList.Add(childPid.ToString(CultureInfo.InvariantCulture));
        info.ArgumentList.Add(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        try
        {
            return Process.Start(info);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    public static void Stop(Process? watchdog)
    {
        if (watchdog is null)
        {
            return;
        }
        try
        {
            if (!watchdog.HasExited)
            {
                watchdog.Kill();
            }
        }
        catch (InvalidOperationException)
        {
        }
        watchdog.Dispose();
    }
}
