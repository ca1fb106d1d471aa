using Coinshard.Chain.Hashing;

using Microsoft.Extensions.Logging;

namespace Coinshard.Electrum.Mempool;

/// <summary>The mempool tracker's log lines.</summary>
internal static partial class MempoolLog
{
    [LoggerMessage(EventId = 101, Level = LogLevel.Warning,
        Message = "mempool transaction {TxId} could not be parsed and is ignored: {Reason}")]
    public static partial void Unparsable(this ILogger logger, Hash256 txId, string reason);
}
