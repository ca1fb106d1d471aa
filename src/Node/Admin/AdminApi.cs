using System.Net;
using System.Text.Json;

using Coinshard.Chain;
using Coinshard.Chain.Addresses;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Scripts;
using Coinshard.Indexing;
using Coinshard.Indexing.Snapshots;
using Coinshard.Node.Configuration;
using Coinshard.Node.Hosting;
using Coinshard.Storage;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Coinshard.Node.Admin;

/// <summary>
/// The admin HTTP API of one node, on its own listener (loopback by default). Every endpoint but the
/// Kubernetes probes (<c>/health/live</c>, <c>/health/ready</c>) requires <c>Authorization: Bearer TOKEN</c>.
/// </summary>
public sealed partial class AdminApi : IAsyncDisposable
{
    /// <summary>Most UTXOs one request returns (a larger <c>limit</c> is clamped).</summary>
    public const int MaxUtxos = 100_000;

    private readonly WebApplication _app;

    private AdminApi(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>Where the API listens (the real port when 0 was configured in tests).</summary>
    public Uri Url { get; }

    /// <summary>Starts the API for <paramref name="node"/>.</summary>
    /// <exception cref="IOException">The token file cannot be read or written.</exception>
    /// <exception cref="InvalidOperationException">The port cannot be bound.</exception>
    public static async Task<AdminApi> StartAsync(AdminSettings settings, CoinshardNode node, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(node);
        var token = AdminToken.Obtain(settings);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(logs);
        builder.WebHost.UseKestrel(k => k.Listen(settings.BindAddress, settings.Port, l => l.Protocols = HttpProtocols.Http1));
        var app = builder.Build();
        var logger = logs.CreateLogger<AdminApi>();

        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/health", StringComparison.Ordinal) || IsAuthorized(context, token))
            {
                await next(context).ConfigureAwait(false);
                return;
            }
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await WriteAsync(context, StatusCodes.Status401Unauthorized, new ErrorDocument("missing or wrong admin token: send 'Authorization: Bearer TOKEN' (the token is in the data directory's admin.token unless configured)")).ConfigureAwait(false);
        });

        app.MapGet("/health/live", (HttpContext c) => node.IsAlive
            ? WriteAsync(c, 200, new { status = "alive" })
            : WriteAsync(c, 503, new { status = "failed", reason = "an actor failed repeatedly; see the log" }));
        app.MapGet("/health/ready", (HttpContext c) =>
        {
            var reasons = node.Currencies.Select(r => (r.Coin, Reason: StatusReport.NotReadyReason(r))).Where(x => x.Reason is not null).ToDictionary(x => x.Coin, x => x.Reason);
            return reasons.Count == 0 && node.IsAlive
                ? WriteAsync(c, 200, new { status = "ready" })
                : WriteAsync(c, 503, new { status = "not_ready", currencies = reasons });
        });
        app.MapGet("/metrics", (HttpContext c) =>
        {
            c.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            return c.Response.WriteAsync(PrometheusMetrics.Render(node), c.RequestAborted);
        });
        app.MapGet("/v1/status", (HttpContext c) => WriteAsync(c, 200, StatusReport.Of(node)));
        app.MapGet("/v1/{coin}/status", (HttpContext c, string coin) =>
            WithCurrency(c, node, coin, r => WriteAsync(c, 200, StatusReport.Of(r))));
        app.MapGet("/v1/{coin}/stats", (HttpContext c, string coin) =>
            WithCurrency(c, node, coin, r => StatsAsync(c, r)));
        app.MapGet("/v1/{coin}/utxos/{target}", (HttpContext c, string coin, string target, int? limit) =>
            WithCurrency(c, node, coin, r => UtxosAsync(c, r, target, limit)));
        app.MapGet("/v1/{coin}/balance/{target}", (HttpContext c, string coin, string target) =>
            WithCurrency(c, node, coin, r => BalanceAsync(c, r, target)));
        app.MapPost("/v1/{coin}/follower/rewind", (HttpContext c, string coin, int? height) =>
            WithCurrency(c, node, coin, r => RewindAsync(c, r, height, logger)));
        app.MapPost("/v1/{coin}/follower/reset", (HttpContext c, string coin) =>
            WithCurrency(c, node, coin, r => ResetAsync(c, r, logger)));
        app.MapGet("/v1/{coin}/snapshot", (HttpContext c, string coin) =>
            WithCurrency(c, node, coin, r => SnapshotStatusAsync(c, r)));
        app.MapPost("/v1/{coin}/snapshot/load", (HttpContext c, string coin) =>
            WithCurrency(c, node, coin, r => SnapshotLoadAsync(c, r, logger)));
        app.MapFallback((HttpContext c) => WriteAsync(c, 404, new ErrorDocument($"no such endpoint: {c.Request.Method} {c.Request.Path}")));

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"the admin API cannot listen on {settings.BindAddress}:{settings.Port}: {e.Message}", e);
        }
        var bound = app.Urls.FirstOrDefault() ?? $"http://{settings.BindAddress}:{settings.Port}";
        var url = new Uri(bound.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        var tokenNote = settings.TokenSource == AdminTokenSource.Generated ? $"token in {settings.TokenFile}" : $"token {settings.TokenSource.ToString().ToLowerInvariant()}";
        var urlText = url.ToString();
        LogListening(logger, urlText, tokenNote);
        return new AdminApi(app, url);
    }

    private static bool IsAuthorized(HttpContext context, AdminToken token)
    {
        var header = context.Request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        return header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && token.Matches(header.AsSpan(prefix.Length).Trim());
    }

    private static Task WithCurrency(HttpContext context, CoinshardNode node, string coin, Func<CurrencyRuntime, Task> action)
    {
        var runtime = node.Find(coin);
        return runtime is null
            ? WriteAsync(context, 404, new ErrorDocument($"'{coin}' is not indexed by this node; it has: {string.Join(", ", node.Currencies.Select(c => c.Coin))}"))
            : GuardAsync(context, () => action(runtime));
    }

    /// <summary>Turns the errors a request can meet into one-line JSON errors with the right status code.</summary>
    private static async Task GuardAsync(HttpContext context, Func<Task> action)
    {
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (Exception e) when (e is BadTargetException or SnapshotLoadException)
        {
            await WriteAsync(context, 400, new ErrorDocument(e.Message)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NotWriterException or UndoUnavailableException or StoreModeException or StoreNotEmptyException or InvalidOperationException)
        {
            await WriteAsync(context, 409, new ErrorDocument(e.Message)).ConfigureAwait(false);
        }
        catch (StoreException e)
        {
            await WriteAsync(context, 503, new ErrorDocument(e.Message)).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            await WriteAsync(context, 504, new ErrorDocument(e.Message)).ConfigureAwait(false);
        }
    }

    private static async Task UtxosAsync(HttpContext context, CurrencyRuntime currency, string target, int? limit)
    {
        var (address, scripthash) = ParseTarget(currency, target);
        var max = Math.Clamp(limit ?? 1000, 1, MaxUtxos);
        var store = currency.Index.Store;
        var height = (await store.GetTipAsync(context.RequestAborted).ConfigureAwait(false))?.Height ?? -1;
        var coins = await store.GetCoinsByScripthashAsync(scripthash, max + 1, context.RequestAborted).ConfigureAwait(false);
        var shown = coins.Take(max).Select(c => new UtxoDocument(c.OutPoint.TxId.ToString(), c.OutPoint.Index, c.Value, c.Height, c.IsCoinbase)).ToList();
        var total = await store.GetBalanceAsync(scripthash, context.RequestAborted).ConfigureAwait(false);
        await WriteAsync(context, 200, new UtxosDocument(currency.Coin, address, scripthash.ToString(), height, shown.Count, total, coins.Count > max, shown)).ConfigureAwait(false);
    }

    private static async Task StatsAsync(HttpContext context, CurrencyRuntime currency)
    {
        var store = currency.Index.Store;
        // Tip and totals can change between two reads while a block is connected; read until they agree.
        for (var attempt = 0; ; attempt++)
        {
            var tip = await store.GetTipAsync(context.RequestAborted).ConfigureAwait(false);
            var stats = await store.GetCoinStatsAsync(context.RequestAborted).ConfigureAwait(false);
            var undo = await store.GetUndoWindowAsync(context.RequestAborted).ConfigureAwait(false);
            if (attempt < 5 && await store.GetTipAsync(context.RequestAborted).ConfigureAwait(false) != tip)
            {
                continue;
            }
            await WriteAsync(context, 200, new StatsDocument(
                currency.Coin, tip is null ? null : new TipDocument(tip.Height, tip.Hash.ToString()), stats.Count, stats.TotalValue, undo?.Lowest, undo?.Highest)).ConfigureAwait(false);
            return;
        }
    }

    private static async Task BalanceAsync(HttpContext context, CurrencyRuntime currency, string target)
    {
        var (address, scripthash) = ParseTarget(currency, target);
        var store = currency.Index.Store;
        var height = (await store.GetTipAsync(context.RequestAborted).ConfigureAwait(false))?.Height ?? -1;
        var confirmed = await store.GetBalanceAsync(scripthash, context.RequestAborted).ConfigureAwait(false);
        var unconfirmed = currency.Gateway?.Services.Mempool.Current.Get(ScripthashKeys.Of(scripthash))?.BalanceDelta ?? 0;
        await WriteAsync(context, 200, new BalanceDocument(currency.Coin, address, scripthash.ToString(), height, confirmed, unconfirmed)).ConfigureAwait(false);
    }

    private static async Task RewindAsync(HttpContext context, CurrencyRuntime currency, int? height, ILogger logger)
    {
        if (height is not { } h || h < 0)
        {
            await WriteAsync(context, 400, new ErrorDocument("give the height to rewind to: POST /v1/COIN/follower/rewind?height=N (N ≥ 0)")).ConfigureAwait(false);
            return;
        }
        LogOperator(logger, currency.Coin, $"rewind to height {h}");
        var result = await currency.Index.RewindAsync(h, context.RequestAborted).ConfigureAwait(false);
        await WriteAsync(context, 200, new RewindDocument(
            currency.Coin,
            new TipDocument(result.From.Height, result.From.Hash.ToString()),
            new TipDocument(result.To.Height, result.To.Hash.ToString()),
            result.BlocksDisconnected)).ConfigureAwait(false);
    }

    private static async Task ResetAsync(HttpContext context, CurrencyRuntime currency, ILogger logger)
    {
        LogOperator(logger, currency.Coin, "reset");
        await currency.Index.ResetAsync(context.RequestAborted).ConfigureAwait(false);
        await WriteAsync(context, 200, new ResetDocument(currency.Coin, StatusReport.StateName(currency.Index.Status.State))).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>POST /v1/{coin}/snapshot/load</c> with <c>file</c>, <c>dust_limit</c> and <c>reset</c> as query parameters or a JSON
    /// body: starts the load in the background (202) after checking the file's header; progress at <c>GET /v1/{coin}/snapshot</c>.
    /// </summary>
    private static async Task SnapshotLoadAsync(HttpContext context, CurrencyRuntime currency, ILogger logger)
    {
        var query = context.Request.Query;
        string? file = query["file"];
        string? dustText = query["dust_limit"];
        string? resetText = query["reset"];
        if (context.Request.ContentLength is > 0 || context.Request.HasJsonContentType())
        {
            try
            {
                using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
                var root = body.RootElement;
                file ??= root.TryGetProperty("file", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
                dustText ??= root.TryGetProperty("dust_limit", out var d) && d.ValueKind == JsonValueKind.Number ? d.GetRawText() : null;
                resetText ??= root.TryGetProperty("reset", out var r) && r.ValueKind is JsonValueKind.True or JsonValueKind.False ? r.GetRawText() : null;
            }
            catch (JsonException e)
            {
                throw new BadTargetException($"the body is not JSON: {e.Message}");
            }
        }
        if (string.IsNullOrWhiteSpace(file))
        {
            throw new BadTargetException("give the snapshot file (a path on the node's machine): POST /v1/COIN/snapshot/load?file=PATH[&dust_limit=N][&reset=true], or a JSON body {\"file\": …}");
        }
        long dust = 0;
        if (dustText is not null && (!long.TryParse(dustText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out dust) || dust < 0))
        {
            throw new BadTargetException($"dust_limit must be a whole number of satoshis ≥ 0, not '{dustText}'");
        }
        var reset = resetText is not null && bool.TryParse(resetText, out var parsed) && parsed;
        var path = Path.GetFullPath(file);
        LogOperator(logger, currency.Coin, $"snapshot load of {path} (dust limit {dust} sat{(reset ? ", reset first" : "")})");
        await currency.Index.LoadSnapshotAsync(new SnapshotSource(path, dust), reset, context.RequestAborted).ConfigureAwait(false);
        await WriteAsync(context, 202, await SnapshotDocumentAsync(currency, context.RequestAborted).ConfigureAwait(false)).ConfigureAwait(false);
    }

    private static async Task SnapshotStatusAsync(HttpContext context, CurrencyRuntime currency) =>
        await WriteAsync(context, 200, await SnapshotDocumentAsync(currency, context.RequestAborted).ConfigureAwait(false)).ConfigureAwait(false);

    /// <summary>This process's load when there is one, else what the store recorded (an interrupted or completed load).</summary>
    internal static async Task<SnapshotDocument> SnapshotDocumentAsync(CurrencyRuntime currency, CancellationToken ct)
    {
        BulkLoadStatus? stored = null;
        try
        {
            stored = await currency.Index.Store.GetBulkLoadStatusAsync(ct).ConfigureAwait(false);
        }
        catch (StoreException)
        {
            // Not open yet: report what this process knows.
        }
        if (currency.Index.SnapshotLoad is { } job && (job.IsRunning || stored is not { State: BulkLoadState.Complete } || job.Result is not null))
        {
            var p = job.Progress;
            var state = job.Error is not null ? "failed" : StatusReport.StateName(p.Phase);
            return new SnapshotDocument(currency.Coin, state, job.Source.Path, job.Source.DustLimit, p.BaseHeight < 0 ? null : p.BaseHeight,
                job.Result?.BaseHash.ToString() ?? stored?.Target.BaseHash.ToString(), p.CoinsDone, p.CoinsTotal, p.CoinsSkipped, p.BytesDone, p.BytesTotal,
                Math.Round(p.CoinsPerSecond), p.Eta?.TotalSeconds, p.HeadersDone, p.Elapsed.TotalSeconds, job.Error);
        }
        if (stored is null)
        {
            return new SnapshotDocument(currency.Coin, "none", null, 0, null, null, 0, 0, 0, 0, 0, 0, null, 0, 0, null);
        }
        var complete = stored.State == BulkLoadState.Complete;
        var elapsed = complete && stored.CompletedAtUnixMs is { } done ? (done - stored.StartedAtUnixMs) / 1000.0 : 0;
        return new SnapshotDocument(currency.Coin, complete ? "complete" : "interrupted", null, stored.Target.DustLimit, stored.Target.BaseHeight,
            stored.Target.BaseHash.ToString(), stored.CoinsAdded + stored.CoinsSkipped, stored.Target.SnapshotCoins, stored.CoinsSkipped, 0, 0, 0, null, 0, elapsed,
            complete ? null : "a snapshot load was interrupted; nothing is served: load again (coinshard snapshot load FILE) or reset the index");
    }

    /// <summary>An address of the currency's network, or an Electrum scripthash (64 hex digits, reversed as the protocol sends it).</summary>
    internal static (string? Address, Hash256 Scripthash) ParseTarget(CurrencyRuntime currency, string target)
    {
        var text = target.Trim();
        if (text.Length == 64 && text.All(char.IsAsciiHexDigit))
        {
            return (null, Hash256.Parse(text));
        }
        try
        {
            var decoded = AddressCodec.Decode(text, currency.Settings.Network);
            return (text, ElectrumScripthash.Compute(decoded.Script));
        }
        catch (ChainFormatException e)
        {
            throw new BadTargetException($"'{(text.Length > 100 ? text[..100] + "…" : text)}' is neither a {currency.Settings.Network.Name} address nor a scripthash (64 hex digits): {e.Message}");
        }
    }

    private static Task WriteAsync<T>(HttpContext context, int status, T document)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        return JsonSerializer.SerializeAsync(context.Response.Body, document, AdminJson.Options, context.RequestAborted);
    }

    /// <summary>Stops the listener.</summary>
    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class BadTargetException(string message) : Exception(message);

    [LoggerMessage(EventId = 520, Level = LogLevel.Information, Message = "admin API on {Url} ({Token})")]
    private static partial void LogListening(ILogger logger, string url, string token);

    [LoggerMessage(EventId = 521, Level = LogLevel.Warning, Message = "{Coin}: operator {Command} requested through the admin API")]
    private static partial void LogOperator(ILogger logger, string coin, string command);
}
