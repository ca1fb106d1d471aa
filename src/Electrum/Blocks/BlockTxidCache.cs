using Coinshard.Backends;
using Coinshard.Chain.Blocks;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;

namespace Coinshard.Electrum.Blocks;

/// <summary>
/// The transaction ids of recent blocks, for <c>get_merkle</c> and <c>id_from_pos</c>: fetched from
/// the backend once per block and kept for the last <c>capacity</c> blocks asked about (wallets ask
/// about the same recent blocks again and again).
/// </summary>
public sealed class BlockTxidCache(IBlockSource blocks, Network network, int capacity = 64)
{
    private readonly LinkedList<(Hash256 Hash, Hash256[] TxIds)> _order = new();
    private readonly Dictionary<Hash256, LinkedListNode<(Hash256 Hash, Hash256[] TxIds)>> _byHash = [];
    private readonly Lock _gate = new();

    /// <summary>The txids of the block <paramref name="blockHash"/>, in block order.</summary>
    public async Task<Hash256[]> GetAsync(Hash256 blockHash, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_byHash.TryGetValue(blockHash, out var node))
            {
                _order.Remove(node);
                _order.AddFirst(node);
                return node.Value.TxIds;
            }
        }

        var raw = await blocks.GetBlockAsync(blockHash, cancellationToken).ConfigureAwait(false);
        var txIds = Scan(raw, network.Currency);
        lock (_gate)
        {
            if (!_byHash.ContainsKey(blockHash))
            {
                _byHash[blockHash] = _order.AddFirst((blockHash, txIds));
                while (_order.Count > capacity)
                {
                    _byHash.Remove(_order.Last!.Value.Hash);
                    _order.RemoveLast();
                }
            }
        }
        return txIds;
    }

    private static Hash256[] Scan(byte[] raw, Currency currency)
    {
        var scanner = new BlockScanner(raw, currency);
        var txIds = new Hash256[scanner.TransactionCount];
        while (scanner.MoveNext())
        {
            txIds[scanner.Current.Index] = scanner.Current.TxId;
        }
        return txIds;
    }
}
