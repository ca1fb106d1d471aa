using System.Globalization;
using System.Text;

using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Transactions;
using Coinshard.Storage.Internal;
using Coinshard.Storage.Tests.Infrastructure;

using Xunit;

namespace Coinshard.Storage.Tests.Conformance;

public abstract partial class ChainStoreConformanceTests
{
    [StoreFact]
    public async Task A_version_1_database_migrates_to_the_compact_coin_tables_and_keeps_serving_and_following()
    {
        // A v1 database, written as v1 did: three blocks with undo data, plus coins whose txids share
        // their first 8 bytes and an output index above 65535.
        var model = new ChainModel(Seed, undoDepth: 1000);
        for (var i = 0; i < 3; i++)
        {
            model.Apply(model.NextBlock(maxTransactions: 10));
        }
        var random = new Random(11);
        var twinOf = model.Coins.Values.First();
        var extra = new List<StoredCoin>
        {
            twinOf with { OutPoint = new OutPoint(SnapshotSample.WithPrefix(SnapshotSample.RandomHash(random), twinOf.OutPoint.TxId, 8), twinOf.OutPoint.Index) },
            twinOf with { OutPoint = new OutPoint(twinOf.OutPoint.TxId, twinOf.OutPoint.Index + 65536), Value = 12345 },
        };
        foreach (var coin in extra)
        {
            model.Coins.Add(coin.OutPoint, coin);
        }

        var sql = new StringBuilder();
        sql.Append("CREATE TABLE coinshard_schema (component TEXT PRIMARY KEY, version INT NOT NULL);");
        sql.Append(GlobalMigrations.Single(m => m.Version == 1).Sql);
        sql.Append(new TableNames(Chain.Networks.Currency.Bitcoin).Expand(CurrencyMigrations.Single(m => m.Version == 1).Sql));
        sql.Append("INSERT INTO coinshard_schema (component, version) VALUES ('coinshard', 1), ('bitcoin', 1);");
        sql.Append(CultureInfo.InvariantCulture, $"""
            INSERT INTO bitcoin_state (key, value) VALUES ('network', '{TestNetwork.Name}'), ('mode', 'utxo'), ('history_start_height', '0'),
                ('shard_count', '16'), ('undo_depth', '1000'), ('scripthash_key', '{ScripthashKeys.Scheme}');
            """);
        foreach (var block in model.Blocks.Select(b => b.Delta))
        {
            var undo = new UndoRecord(block.Spent, block.Created.Select(c => c.OutPoint).ToList(), [], []);
            sql.Append(CultureInfo.InvariantCulture,
                $"INSERT INTO bitcoin_headers (height, hash, header) VALUES ({block.Height}, {BlobLiteral(block.Hash.ToArray())}, {BlobLiteral(block.Header)});");
            sql.Append(CultureInfo.InvariantCulture,
                $"INSERT INTO bitcoin_undo (height, hash, data) VALUES ({block.Height}, {BlobLiteral(block.Hash.ToArray())}, {BlobLiteral(undo.Serialize())});");
        }
        foreach (var coin in model.Coins.Values)
        {
            sql.Append(CultureInfo.InvariantCulture,
                $"INSERT INTO bitcoin_coins (txid, vout, sh, value, height, coinbase, tx_pos) VALUES ({BlobLiteral(coin.OutPoint.TxId.ToArray())}, " +
                $"{coin.OutPoint.Index}, {ScripthashKeys.ToColumn(coin.ScripthashKey)}, {coin.Value}, {coin.Height}, {(coin.IsCoinbase ? 1 : 0)}, {coin.TxPos});");
        }
        await RawAsync(sql.ToString());

        var (store, lease) = await OpenWriterAsync(IndexMode.Utxo);
        Assert.Equal(2L, Convert.ToInt64(await RawAsync("SELECT version FROM coinshard_schema WHERE component = 'bitcoin'")));
        Assert.Equal(2L, Convert.ToInt64(await RawAsync("SELECT COUNT(*) FROM bitcoin_coins_x")));
        await AssertMatchesModelAsync(store, model, IndexMode.Utxo);
        Assert.Equal(model.Coins.Values.ToHashSet(), (await store.GetCoinsAsync(model.Coins.Keys.ToList())).ToHashSet());

        // The migrated store disconnects blocks written by v1 (from their undo data) and connects new ones.
        await store.DisconnectTipAsync(model.Tip!.Hash, lease);
        model.Disconnect();
        await AssertMatchesModelAsync(store, model, IndexMode.Utxo);
        var next = model.NextBlock(maxTransactions: 10);
        await store.ConnectBlockAsync(next, lease);
        model.Apply(next);
        await AssertMatchesModelAsync(store, model, IndexMode.Utxo);
    }
}
