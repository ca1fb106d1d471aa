using Coinshard.Chain.Blocks;
using Coinshard.Indexing;
using Coinshard.Node.Hosting;

namespace Coinshard.Node.Admin;

/// <summary>Builds the status documents from the running node (cheap: snapshots only, no database reads).</summary>
public static class StatusReport
{
    /// <summary>The software version (assembly informational version without build metadata).</summary>
    public static string Version { get; } = typeof(StatusReport).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>The whole node.</summary>
    public static NodeStatusDocument Of(CoinshardNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var currencies = node.Currencies.Select(Of).ToList();
        var now = DateTimeOffset.UtcNow;
        return new NodeStatusDocument(
            new NodeInfoDocument(node.Settings.NodeName, Version, node.StartedAt, (long)(now - node.StartedAt).TotalSeconds, node.IsAlive, node.Currencies.All(IsReady)),
            currencies);
    }

    /// <summary>One currency.</summary>
    public static CurrencyStatusDocument Of(CurrencyRuntime currency)
    {
        ArgumentNullException.ThrowIfNull(currency);
        var status = currency.Index.Status;
        var router = currency.Backend.GetStatus();
        var gateway = currency.Gateway;
        return new CurrencyStatusDocument(
            currency.Coin,
            status.Network.Name,
            status.Mode.ToString().ToLowerInvariant(),
            StateName(status.State),
            status.IsHealthy,
            Tip(status.IndexTip),
            Tip(status.NodeTip),
            status.Lag,
            status.HoldsLease,
            status.LastError,
            status.Progress is { } p ? new ProgressDocument(Math.Round(p.BlocksPerSecond, 2), Math.Round(p.InputsOutputsPerSecond), p.Eta?.TotalSeconds is { } eta ? Math.Round(eta) : null) : null,
            currency.Settings.Store.Engine.ToString().ToLowerInvariant(),
            [.. router.Backends.Select(b => new BackendDocument(
                b.Name, b.Health.Status.ToString().ToLowerInvariant(), b.Health.LastError, b.Capabilities.ToString(),
                StateName(b.Circuit), b.Calls, b.Failures, b.Name == router.ChainSource))],
            new ElectrumDocument(
                StateName(currency.GatewayState),
                currency.GatewayError,
                gateway?.Endpoints.Select(e => $"{e.Transport.ToString().ToLowerInvariant()}://{e.EndPoint}").ToList() ?? [],
                gateway?.SessionCount ?? 0,
                gateway?.SubscriptionCount ?? 0,
                gateway?.Services.Mempool.Current.Count ?? 0));
    }

    /// <summary>
    /// Ready to serve (Kubernetes readiness): the follower is healthy and at the node's tip or standing by
    /// with an index, and the Electrum gateway, when enabled, is listening.
    /// </summary>
    public static bool IsReady(CurrencyRuntime currency)
    {
        ArgumentNullException.ThrowIfNull(currency);
        var status = currency.Index.Status;
        var indexReady = status.IsHealthy && status.IndexTip is not null && status.State is FollowerState.Following or FollowerState.StandingBy;
        return indexReady && currency.GatewayState is GatewayState.Off or GatewayState.Serving;
    }

    /// <summary>Why a currency is not ready (one line), or null when it is.</summary>
    public static string? NotReadyReason(CurrencyRuntime currency)
    {
        ArgumentNullException.ThrowIfNull(currency);
        if (IsReady(currency))
        {
            return null;
        }
        var status = currency.Index.Status;
        var reason = $"follower {StateName(status.State)}";
        if (status.Lag is { } lag && lag > 0)
        {
            reason += $", {lag} block(s) behind";
        }
        if (status.LastError is { } error)
        {
            reason += $": {error}";
        }
        if (currency.GatewayState is GatewayState.Failed or GatewayState.WaitingForSync)
        {
            reason += $"; electrum {StateName(currency.GatewayState)}{(currency.GatewayError is { } g ? ": " + g : "")}";
        }
        return reason;
    }

    /// <summary>An enum value as the API spells it (snake_case).</summary>
    public static string StateName<T>(T value)
        where T : struct, Enum => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    private static TipDocument? Tip(ChainTip? tip) => tip is null ? null : new TipDocument(tip.Height, tip.Hash.ToString());
}
