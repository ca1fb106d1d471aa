using Coinshard.Backends;
using Coinshard.Chain.Networks;
using Coinshard.Electrum.Blocks;
using Coinshard.Electrum.Headers;
using Coinshard.Electrum.Mempool;
using Coinshard.Electrum.Subscriptions;
using Coinshard.Storage;

namespace Coinshard.Electrum.Methods;

/// <summary>Everything the Electrum methods of one currency read from: the index, the backend, the mempool view, caches.</summary>
/// <param name="Network">The chain served (its genesis hash goes into <c>server.features</c>).</param>
/// <param name="Store">The UTXO index.</param>
/// <param name="Mode">utxo or full (decides how history is served).</param>
/// <param name="Blocks">Raw blocks (merkle proofs) from the backend.</param>
/// <param name="Transactions">Raw transactions from the backend.</param>
/// <param name="VerboseTransactions">The node's verbose transaction JSON (null when the backend cannot describe transactions).</param>
/// <param name="Broadcaster">Broadcast through the backend.</param>
/// <param name="Fees">Fee estimates and relay fee from the backend.</param>
/// <param name="MempoolInfo">The node's mempool figures (fee floors for <c>mempool.get_info</c>).</param>
/// <param name="Mempool">The tracked mempool.</param>
/// <param name="HeaderProofs">cp_height proofs.</param>
/// <param name="BlockTxids">Txids of recent blocks.</param>
/// <param name="Subscriptions">Subscriptions and notifications.</param>
/// <param name="Server">The server's identity (software, protocol range) as its listeners negotiate it.</param>
/// <param name="Info">What server.* methods report and the method limits.</param>
public sealed record ElectrumCoinServices(
    Network Network,
    ChainStore Store,
    IndexMode Mode,
    IBlockSource Blocks,
    ITransactionSource Transactions,
    IVerboseTransactionSource? VerboseTransactions,
    IBroadcaster Broadcaster,
    IFeeEstimator Fees,
    IMempoolSource MempoolInfo,
    MempoolTracker Mempool,
    HeaderCheckpointProver HeaderProofs,
    BlockTxidCache BlockTxids,
    SubscriptionHub Subscriptions,
    Server.ElectrumServerOptions Server,
    ElectrumServerInfo Info);
