using Microsoft.Extensions.Logging;

namespace Coinshard.Backends.Core;

/// <summary>
/// Every log line the Core adapter writes. None takes a parameter value, a password or a cookie:
/// only method names, endpoints without credentials, and failure reasons.
/// </summary>
internal static partial class CoreRpcLog
{
    // Retries are debug lines and giving up is a warning: the caller (the follower's state, the router's circuit)
    // reports an outage once; a warning per attempt would flood the log while a node is down.
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug,
        Message = "{Operation} on {Endpoint} failed ({Reason}); retry {Attempt} of {MaxRetries} in {DelayMs} ms")]
    public static partial void Retrying(this ILogger logger, string operation, string endpoint, string reason, int attempt, int maxRetries, long delayMs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning,
        Message = "{Operation} on {Endpoint} failed after {Attempts} attempt(s): {Reason}")]
    public static partial void GaveUp(this ILogger logger, string operation, string endpoint, int attempts, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information,
        Message = "{Endpoint} rejected the cached cookie credentials; re-reading {CookieFile} (the node may have restarted)")]
    public static partial void RereadingCookie(this ILogger logger, string endpoint, string cookieFile);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error,
        Message = "{Endpoint} rejected our credentials ({Credentials}): wrong RPC user/password or cookie")]
    public static partial void AuthenticationFailed(this ILogger logger, string endpoint, string credentials);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information,
        Message = "{Endpoint}: REST interface {State}; raw blocks and headers come from {Source}")]
    public static partial void RestDetected(this ILogger logger, string endpoint, string state, string source);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information,
        Message = "{Endpoint}: connected to {Network} node (version {Version}, txindex {TxIndex}, block filter index {FilterIndex})")]
    public static partial void Connected(this ILogger logger, string endpoint, string network, int version, bool txIndex, bool filterIndex);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information,
        Message = "{Endpoint}: another UTXO-set scan is running; waiting for it to finish (attempt {Attempt})")]
    public static partial void ScanBusy(this ILogger logger, string endpoint, int attempt);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information,
        Message = "{Endpoint}: scan cancelled or timed out; asked the node to abort it (a scan was running: {WasRunning})")]
    public static partial void ScanAborted(this ILogger logger, string endpoint, bool wasRunning);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information,
        Message = "{Endpoint}: the node has no waitfornewblock; polling for new tips every {IntervalMs} ms")]
    public static partial void PollingForTips(this ILogger logger, string endpoint, long intervalMs);
}
