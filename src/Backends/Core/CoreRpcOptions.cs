namespace Coinshard.Backends.Core;

/// <summary>How to reach a Core node's JSON-RPC and REST interface, and how patient to be.</summary>
public sealed record CoreRpcOptions
{
    /// <summary>The RPC URL, e.g. <c>http://127.0.0.1:9332/</c>. User and password in the URL are used when <see cref="Credentials"/> is null.</summary>
    public required Uri Url { get; init; }

    /// <summary>Credentials; null to take them from <see cref="Url"/>.</summary>
    public RpcCredentials? Credentials { get; init; }

    /// <summary>Timeout of an ordinary call.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of calls that walk the whole UTXO set (<c>scantxoutset</c>, <c>gettxoutsetinfo</c>); minutes on mainnet.</summary>
    public TimeSpan LongTimeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Retries after a transport failure, a timeout, HTTP 503 or RPC error -28 (warming up); 0 disables retries.</summary>
    public int MaxRetries { get; init; } = 5;

    /// <summary>Delay before the first retry; doubles each time (with jitter) up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Longest delay between retries.</summary>
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(5);
}
