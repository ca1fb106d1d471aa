using Microsoft.Extensions.Logging;

namespace Coinshard.Indexing.Following;

/// <summary>Every log line of the chain follower (no secrets: backend names and store messages are credential-free).</summary>
internal static partial class FollowerLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "{Network}: {State}{Detail}")]
    public static partial void State(ILogger logger, string network, string state, string detail);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "{Network}: {State}: {Reason}")]
    public static partial void Unhealthy(ILogger logger, string network, string state, string reason);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "{Network}: still {State} after {Minutes} min: {Reason}")]
    public static partial void StillUnhealthy(ILogger logger, string network, string state, long minutes, string reason);

    [LoggerMessage(EventId = 103, Level = LogLevel.Error, Message = "{Network}: follower stopped (Faulted): {Reason}")]
    public static partial void Faulted(ILogger logger, string network, string reason);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information,
        Message = "{Network}: height {Height} / {Target} ({Percent:0.0}%), {BlocksPerSecond:0.0} blocks/s, {IoPerSecond:0} inputs+outputs/s, ETA {Eta}")]
    public static partial void Progress(ILogger logger, string network, int height, int target, double percent, double blocksPerSecond, double ioPerSecond, string eta);

    [LoggerMessage(EventId = 105, Level = LogLevel.Warning,
        Message = "{Network}: reorg: the node's chain leaves ours after height {ForkHeight}; disconnecting {Blocks} block(s) down from {TipHeight} {TipHash}")]
    public static partial void Reorg(ILogger logger, string network, int forkHeight, int blocks, int tipHeight, string tipHash);

    [LoggerMessage(EventId = 106, Level = LogLevel.Information, Message = "{Network}: writing as '{Owner}' (follower lease token {Token})")]
    public static partial void LeaseAcquired(ILogger logger, string network, string owner, long token);

    [LoggerMessage(EventId = 107, Level = LogLevel.Warning, Message = "{Network}: lost the follower lease, stopped writing: {Reason}")]
    public static partial void LeaseLost(ILogger logger, string network, string reason);

    [LoggerMessage(EventId = 108, Level = LogLevel.Warning, Message = "{Network}: could not renew the follower lease (will retry): {Reason}")]
    public static partial void RenewFailed(ILogger logger, string network, string reason);

    [LoggerMessage(EventId = 109, Level = LogLevel.Warning, Message = "{Network}: rewound from {From} to {To} ({Blocks} block(s) disconnected) on operator request")]
    public static partial void Rewound(ILogger logger, string network, int from, int to, int blocks);

    [LoggerMessage(EventId = 110, Level = LogLevel.Warning, Message = "{Network}: index reset on operator request (was at {Tip}); rebuilding from height {StartHeight}")]
    public static partial void Reset(ILogger logger, string network, string tip, int startHeight);

    [LoggerMessage(EventId = 111, Level = LogLevel.Debug, Message = "{Network}: blocks {From}-{To} spend {Count} coin(s) created below the start height {StartHeight}; skipped")]
    public static partial void MissingCoinsSkipped(ILogger logger, string network, int from, int to, int count, int startHeight);

    [LoggerMessage(EventId = 112, Level = LogLevel.Warning, Message = "{Network}: the change feed moved past this reader; every cached status is dropped")]
    public static partial void MissedChanges(ILogger logger, string network);

    [LoggerMessage(EventId = 120, Level = LogLevel.Warning,
        Message = "{Network}: an interrupted snapshot load was found ({Done} of {Total} coins written; never served): discarding it and loading {Path} again")]
    public static partial void InterruptedLoadRestarted(ILogger logger, string network, long done, long total, string path);
}
