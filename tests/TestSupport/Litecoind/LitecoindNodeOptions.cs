namespace Coinshard.TestSupport.Litecoind;

/// <summary>How to start a <see cref="LitecoindNode"/>.</summary>
public sealed record LitecoindNodeOptions
{
    /// <summary>A short name for messages and the datadir (e.g. "rest", "cookie").</summary>
    public string Name { get; init; } = "node";

    /// <summary>Run with <c>-rest</c>.</summary>
    public bool Rest { get; init; } = true;

    /// <summary>Run with <c>-txindex</c>.</summary>
    public bool TxIndex { get; init; } = true;

    /// <summary>Authenticate with the node's <c>.cookie</c> file instead of <c>rpcuser</c>/<c>rpcpassword</c>.</summary>
    public bool CookieAuth { get; init; }

    /// <summary>Create (and load on every start) a wallet named "test"; false runs with <c>-disablewallet</c>.</summary>
    public bool Wallet { get; init; } = true;

    /// <summary>RPC user when not using the cookie.</summary>
    public string RpcUser { get; init; } = "coinshard";

    /// <summary>RPC password when not using the cookie; random per node by default.</summary>
    public string RpcPassword { get; init; } = "pw-" + Guid.NewGuid().ToString("N");

    /// <summary>More command-line arguments (e.g. <c>-blockfilterindex=1</c>).</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    /// <summary>Upper bound for the node to answer RPC after start (generous; never an expectation).</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(90);
}

/// <summary>The address types a Litecoin Core 0.21 wallet hands out.</summary>
public enum AddressKind
{
    /// <summary>P2PKH (m…/n…).</summary>
    Legacy,

    /// <summary>P2SH-wrapped P2WPKH (Q…).</summary>
    P2shSegwit,

    /// <summary>Native P2WPKH (rltc1q…).</summary>
    Bech32,

    /// <summary>MWEB stealth address (tmweb1…); sending to one from a canonical output is a peg-in.</summary>
    Mweb,
}
