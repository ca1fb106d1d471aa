namespace Coinshard.Backends.Core;

/// <summary>Behaviour of <see cref="CoreRpcBackend"/> beyond the RPC connection itself.</summary>
public sealed record CoreRpcBackendOptions
{
    /// <summary>Fetch blocks and headers over REST when the node runs with <c>-rest</c> (detected once); false to always use RPC.</summary>
    public bool UseRest { get; init; } = true;

    /// <summary>
    /// Longest single <c>waitfornewblock</c> call. A block found between our tip check and the wait is noticed
    /// at the latest after this long, so keep it short; a wait longer than this is split into several calls.
    /// </summary>
    public TimeSpan TipWaitSlice { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often to poll <c>getblockchaininfo</c> for a new tip when the node has no <c>waitfornewblock</c>.</summary>
    public TimeSpan TipPollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a scan may wait for another client's scan to finish, plus its own run time.</summary>
    public TimeSpan ScanTimeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How often to ask <c>scantxoutset status</c> while another scan runs.</summary>
    public TimeSpan ScanStatusPollInterval { get; init; } = TimeSpan.FromMilliseconds(250);
}
