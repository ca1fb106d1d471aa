using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

using Coinshard.Indexing;
using Coinshard.Node.Admin;
using Coinshard.Node.Configuration;
using Coinshard.Node.Hosting;
using Coinshard.TestSupport;
using Coinshard.TestSupport.Litecoind;
using Coinshard.TestSupport.Logging;

using Microsoft.Extensions.Configuration;

namespace Coinshard.Node.Tests.Support;

/// <summary>A Coinshard node started in-process against a real litecoind, with its admin API on a free port.</summary>
public sealed class RunningNode : IAsyncDisposable
{
    private RunningNode(CoinshardNode node, TempDirectory directory, CapturingLoggerFactory logs, string token)
    {
        Node = node;
        Directory = directory;
        Logs = logs;
        Token = token;
        Http = new HttpClient { BaseAddress = node.Admin!.Url };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public CoinshardNode Node { get; }

    public TempDirectory Directory { get; }

    public CapturingLoggerFactory Logs { get; }

    public string Token { get; }

    /// <summary>An HTTP client for the admin API, carrying the token.</summary>
    public HttpClient Http { get; }

    public CurrencyRuntime Litecoin => Node.Currencies[0];

    public int ElectrumPort => Litecoin.Settings.Electrum!.Options.Tcp.Port;

    /// <summary>The configuration keys of a single-currency node on <paramref name="litecoind"/>; tests add or override keys.</summary>
    public static Dictionary<string, string?> Configuration(LitecoindNode litecoind, string dataDir, string? token = null) => new()
    {
        ["Coinshard:DataDir"] = dataDir,
        ["Coinshard:Admin:Port"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
        ["Coinshard:Admin:Token"] = token,
        ["Coinshard:Currencies:litecoin:Network"] = "litecoin-regtest",
        ["Coinshard:Currencies:litecoin:PollInterval"] = "00:00:00.200",
        ["Coinshard:Currencies:litecoin:Backends:0:Url"] = litecoind.RpcUrl.ToString(),
        ["Coinshard:Currencies:litecoin:Backends:0:User"] = litecoind.RpcUser,
        ["Coinshard:Currencies:litecoin:Backends:0:Password"] = litecoind.RpcPassword,
        ["Coinshard:Currencies:litecoin:Electrum:Tcp:Port"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
        ["Coinshard:Currencies:litecoin:Electrum:Tls:Port"] = "0",
        ["Coinshard:Currencies:litecoin:Electrum:WebSocket:Port"] = "0",
        ["Coinshard:Currencies:litecoin:Electrum:SecureWebSocket:Port"] = "0",
        ["Coinshard:Currencies:litecoin:Electrum:NotifyInterval"] = "00:00:00.200",
    };

    public static async Task<RunningNode> StartAsync(LitecoindNode litecoind, Action<Dictionary<string, string?>>? configure = null)
    {
        var directory = new TempDirectory("coinshard-node");
        var token = "test-token-" + Guid.NewGuid().ToString("N");
        var values = Configuration(litecoind, directory.Path, token);
        configure?.Invoke(values);
        var settings = NodeSettings.From(new ConfigurationBuilder().AddInMemoryCollection(values).Build(), _ => null);
        var logs = new CapturingLoggerFactory();
        try
        {
            var node = await CoinshardNode.StartAsync(settings, logs);
            return new RunningNode(node, directory, logs, values["Coinshard:Admin:Token"] ?? token);
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    /// <summary>Waits until the index is at the node's tip and the gateway serves.</summary>
    public async Task WaitForTipAsync(LitecoindNode litecoind)
    {
        var best = await litecoind.GetBestBlockHashAsync();
        await Eventually.TrueAsync(
            () => Litecoin.Index.Status.IndexTip?.Hash.ToString() == best && Litecoin.GatewayState is GatewayState.Serving or GatewayState.Off,
            $"the node indexes up to {best} and serves (status {Litecoin.Index.Status.State}, gateway {Litecoin.GatewayState})");
    }

    public async Task<(int Status, JsonElement Body)> GetAsync(string path, HttpClient? client = null)
    {
        using var response = await (client ?? Http).GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, JsonDocument.Parse(body).RootElement.Clone());
    }

    public async Task<(int Status, JsonElement Body)> PostAsync(string path)
    {
        using var response = await Http.PostAsync(path, null);
        var body = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, JsonDocument.Parse(body).RootElement.Clone());
    }

    public async Task<T> GetDocumentAsync<T>(string path)
    {
        using var response = await Http.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return JsonSerializer.Deserialize<T>(await response.Content.ReadAsStringAsync(), AdminJson.Options)!;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Node.DisposeAsync();
        Logs.Dispose();
        Directory.Dispose();
    }
}
