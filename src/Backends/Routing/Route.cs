namespace Coinshard.Backends.Routing;

/// <summary>How a call is routed: its name for reports, the capability it needs or prefers, and whether it sticks to the chain source.</summary>
/// <param name="Operation">The interface method's name, for errors, logs and <see cref="BackendRouterStatus.LastAnsweredBy"/>.</param>
/// <param name="Requires">A capability flag an adapter must have, besides the interface.</param>
/// <param name="Prefers">A capability flag that moves adapters having it to the front.</param>
/// <param name="Affinity">How the call relates to the adapter serving chain data.</param>
internal sealed record Route(string Operation, CapabilityNeed? Requires = null, CapabilityNeed? Prefers = null, Affinity Affinity = Affinity.None);

/// <summary>How a call relates to the router's chain source (the adapter consecutive chain reads stick to).</summary>
internal enum Affinity
{
    /// <summary>Any adapter, in priority order.</summary>
    None,

    /// <summary>The chain source first while it is in service; the answering adapter becomes the chain source.</summary>
    ChainSource,

    /// <summary>The most preferred adapter in service (not the current chain source), which becomes the chain source: a new tip is where a catch-up may switch back.</summary>
    PreferredChainSource,
}

/// <summary>A capability flag by name (the names <see cref="BackendCapabilities.ToString"/> uses).</summary>
/// <param name="Name">For messages.</param>
/// <param name="Has">Whether a set of capabilities includes it.</param>
internal sealed record CapabilityNeed(string Name, Func<BackendCapabilities, bool> Has)
{
    public static CapabilityNeed RawBlocks { get; } = new("raw-blocks", c => c.ProvidesRawBlocks);

    public static CapabilityNeed Broadcast { get; } = new("broadcast", c => c.CanBroadcast);

    public static CapabilityNeed FeeEstimates { get; } = new("fee-estimates", c => c.CanEstimateFee);

    public static CapabilityNeed Mempool { get; } = new("mempool", c => c.HasMempoolAccess);

    public static CapabilityNeed UtxoSetScan { get; } = new("utxo-scan", c => c.SupportsUtxoSetScan);

    public static CapabilityNeed ConfirmedTransactions { get; } = new("tx-index", c => c.ProvidesConfirmedTransactions);
}
