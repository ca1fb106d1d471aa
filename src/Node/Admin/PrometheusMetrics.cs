using System.Globalization;
using System.Text;

using Coinshard.Indexing;
using Coinshard.Node.Hosting;

namespace Coinshard.Node.Admin;

/// <summary>The node's metrics in the Prometheus text exposition format (version 0.0.4).</summary>
public static class PrometheusMetrics
{
    /// <summary>Renders every metric of <paramref name="node"/>.</summary>
    public static string Render(CoinshardNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var m = new StringBuilder();
        Family(m, "coinshard_up", "gauge", "1 while the node's actors are healthy.");
        Sample(m, "coinshard_up", "", node.IsAlive ? 1 : 0);
        Family(m, "coinshard_uptime_seconds", "gauge", "Seconds since the node started.");
        Sample(m, "coinshard_uptime_seconds", "", (DateTimeOffset.UtcNow - node.StartedAt).TotalSeconds);

        var states = Enum.GetValues<FollowerState>();
        Family(m, "coinshard_index_height", "gauge", "Height of the index's tip (-1 before the first block).");
        foreach (var c in node.Currencies)
        {
            Sample(m, "coinshard_index_height", Coin(c), c.Index.Status.IndexTip?.Height ?? -1);
        }
        Family(m, "coinshard_node_height", "gauge", "Height of the backend node's tip when last seen (-1 when unknown).");
        foreach (var c in node.Currencies)
        {
            Sample(m, "coinshard_node_height", Coin(c), c.Index.Status.NodeTip?.Height ?? -1);
        }
        Family(m, "coinshard_follower_state", "gauge", "1 for the follower's current state.");
        foreach (var c in node.Currencies)
        {
            foreach (var state in states)
            {
                Sample(m, "coinshard_follower_state", $"{Coin(c)},state=\"{StatusReport.StateName(state)}\"", c.Index.Status.State == state ? 1 : 0);
            }
        }
        Family(m, "coinshard_follower_lease_held", "gauge", "1 when this node writes the currency's index.");
        foreach (var c in node.Currencies)
        {
            Sample(m, "coinshard_follower_lease_held", Coin(c), c.Index.Status.HoldsLease ? 1 : 0);
        }
        Family(m, "coinshard_blocks_connected_total", "counter", "Blocks this process connected.");
        foreach (var c in node.Currencies)
        {
            Sample(m, "coinshard_blocks_connected_total", Coin(c), c.Index.WriteCounters.Blocks);
        }
        Family(m, "coinshard_catchup_inputs_outputs_per_second", "gauge", "Catch-up speed (0 when idle).");
        foreach (var c in node.Currencies)
        {
            Sample(m, "coinshard_catchup_inputs_outputs_per_second", Coin(c), c.Index.Status.Progress?.InputsOutputsPerSecond ?? 0);
        }
        var routers = node.Currencies.Select(c => (Currency: c, Status: c.Backend.GetStatus())).ToList();
        Family(m, "coinshard_backend_healthy", "gauge", "1 when the backend's last call succeeded.");
        foreach (var (c, status) in routers)
        {
            foreach (var b in status.Backends)
            {
                Sample(m, "coinshard_backend_healthy", $"{Coin(c)},backend=\"{Escape(b.Name)}\"", b.Health.IsHealthy ? 1 : 0);
            }
        }
        Family(m, "coinshard_backend_calls_total", "counter", "Calls the router sent to each backend.");
        foreach (var (c, status) in routers)
        {
            foreach (var b in status.Backends)
            {
                Sample(m, "coinshard_backend_calls_total", $"{Coin(c)},backend=\"{Escape(b.Name)}\"", b.Calls);
            }
        }
        Family(m, "coinshard_backend_failures_total", "counter", "Failed calls per backend.");
        foreach (var (c, status) in routers)
        {
            foreach (var b in status.Backends)
            {
                Sample(m, "coinshard_backend_failures_total", $"{Coin(c)},backend=\"{Escape(b.Name)}\"", b.Failures);
            }
        }
        Family(m, "coinshard_electrum_serving", "gauge", "1 while the currency's Electrum listeners are open.");
        foreach (var c in node.Currencies)
        {
            Sample(m, "coinshard_electrum_serving", Coin(c), c.GatewayState == GatewayState.Serving ? 1 : 0);
        }
        Family(m, "coinshard_electrum_sessions", "gauge", "Open Electrum sessions.");
        foreach (var c in node.Currencies)
        {
            Sample(m, "coinshard_electrum_sessions", Coin(c), c.Gateway?.SessionCount ?? 0);
        }
        Family(m, "coinshard_electrum_subscriptions", "gauge", "Subscribed scripthashes.");
        foreach (var c in node.Currencies)
        {
            Sample(m, "coinshard_electrum_subscriptions", Coin(c), c.Gateway?.SubscriptionCount ?? 0);
        }
        Family(m, "coinshard_mempool_transactions", "gauge", "Transactions in the tracked mempool.");
        foreach (var c in node.Currencies)
        {
            Sample(m, "coinshard_mempool_transactions", Coin(c), c.Gateway?.Services.Mempool.Current.Count ?? 0);
        }
        return m.ToString();
    }

    private static string Coin(CurrencyRuntime c) => $"coin=\"{c.Coin}\"";

    private static void Family(StringBuilder m, string name, string type, string help) =>
        m.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
         .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Sample(StringBuilder m, string name, string labels, double value)
    {
        m.Append(name);
        if (labels.Length > 0)
        {
            m.Append('{').Append(labels).Append('}');
        }
        m.Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
}
