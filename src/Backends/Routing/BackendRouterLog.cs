using Microsoft.Extensions.Logging;

namespace Coinshard.Backends.Routing;

/// <summary>Every log line the router writes; backend names and failure messages carry no credentials.</summary>
internal static partial class BackendRouterLog
{
    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "{Operation} failed on {Backend}: {Reason}")]
    public static partial void CallFailed(this ILogger logger, string operation, string backend, string reason);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning,
        Message = "{Backend} is out of service for {CoolDownMs} ms after {Failures} consecutive failure(s): {Reason}")]
    public static partial void OutOfService(this ILogger logger, string backend, long coolDownMs, int failures, string reason);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "{Backend} is back in service")]
    public static partial void BackInService(this ILogger logger, string backend);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "chain data now comes from {Backend} (was {Previous})")]
    public static partial void ChainSourceChanged(this ILogger logger, string backend, string previous);

    [LoggerMessage(EventId = 105, Level = LogLevel.Debug, Message = "probe of {Backend} failed: {Reason}")]
    public static partial void ProbeFailed(this ILogger logger, string backend, string reason);

    [LoggerMessage(EventId = 106, Level = LogLevel.Warning,
        Message = "broadcast of {Txid}: nodes disagree: accepted by {Accepted}, refused by {Refused} ({Reason})")]
    public static partial void BroadcastDisagreement(this ILogger logger, string txid, string accepted, string refused, string reason);

    [LoggerMessage(EventId = 107, Level = LogLevel.Debug, Message = "{Operation}: {Backend} does not have it ({Reason}); asking the next backend")]
    public static partial void NotHere(this ILogger logger, string operation, string backend, string reason);
}
