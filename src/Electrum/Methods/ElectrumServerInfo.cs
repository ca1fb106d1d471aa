using Coinshard.Electrum.Protocol;

namespace Coinshard.Electrum.Methods;

/// <summary>
/// What <c>server.*</c> methods report beyond the server identity (software name and protocol range come
/// from <see cref="Server.ElectrumServerOptions"/>), and the limits the methods apply.
/// </summary>
public sealed record ElectrumServerInfo
{
    /// <summary><c>server.banner</c> text.</summary>
    public string Banner { get; init; } = "Welcome to Coinshard.";

    /// <summary><c>server.donation_address</c> (empty when none).</summary>
    public string DonationAddress { get; init; } = "";

    /// <summary>Public host names and ports for <c>server.features</c> "hosts" (empty: none advertised).</summary>
    public IReadOnlyDictionary<string, (int? TcpPort, int? SslPort)> Hosts { get; init; } = new Dictionary<string, (int?, int?)>();

    /// <summary>
    /// Most history entries or unspent outputs returned for one scripthash; beyond it the request fails
    /// with <see cref="JsonRpcErrorCodes.HistoryTooLarge"/> instead of timing out.
    /// </summary>
    public int MaxHistory { get; init; } = 50_000;

    /// <summary>Most headers per <c>blockchain.block.headers</c> call (the protocol's "max").</summary>
    public int MaxHeaders { get; init; } = 2016;
}
