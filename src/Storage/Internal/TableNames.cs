using Coinshard.Chain.Networks;

namespace Coinshard.Storage.Internal;

/// <summary>Table names of one currency (prefix = lower-case currency name) and the global tables.</summary>
internal sealed class TableNames
{
    public const string Schema = "coinshard_schema";
    public const string Leases = "coinshard_leases";
    public const string GlobalComponent = "coinshard";

    public TableNames(Currency currency)
    {
        Prefix = currency switch
        {
            Currency.Bitcoin => "bitcoin",
            Currency.Litecoin => "litecoin",
            _ => throw new ArgumentOutOfRangeException(nameof(currency), currency, "unknown currency"),
        };
        State = Prefix + "_state";
        Headers = Prefix + "_headers";
        Coins = Prefix + "_coins";
        CoinsOverflow = Prefix + "_coins_x";
        Utxo = Prefix + "_utxo";
        HeadersLoad = Prefix + "_headers_load";
        Undo = Prefix + "_undo";
        History = Prefix + "_history";
        TxPos = Prefix + "_txpos";
        Changes = Prefix + "_changes";
    }

    /// <summary>Lower-case currency name; also the schema component name of the currency's tables.</summary>
    public string Prefix { get; }

    public string State { get; }

    public string Headers { get; }

    /// <summary>Coins keyed by their outpoint id (see <see cref="CoinRows"/>).</summary>
    public string Coins { get; }

    /// <summary>Coins whose id slot is taken by another outpoint (or whose vout is 65536 or more).</summary>
    public string CoinsOverflow { get; }

    /// <summary>The view over both coin tables that every coin read uses; it does not exist while a snapshot loads.</summary>
    public string Utxo { get; }

    /// <summary>Headers received during a snapshot load, moved into <see cref="Headers"/> when it completes.</summary>
    public string HeadersLoad { get; }

    public string Undo { get; }

    public string History { get; }

    public string TxPos { get; }

    public string Changes { get; }

    /// <summary>Every per-currency table with the columns that order a full dump (for tests and diagnostics).</summary>
    public IReadOnlyList<(string Table, string OrderBy)> DumpOrder =>
    [
        (State, "key"),
        (Headers, "height"),
        (Coins, "id"),
        (CoinsOverflow, "id, txrest, vout"),
        (HeadersLoad, "height"),
        (Undo, "height"),
        (History, "sh, height, tx_pos"),
        (TxPos, "txid"),
    ];

    /// <summary>Expands <c>{p}</c> in a migration script.</summary>
    public string Expand(string sql) => sql.Replace("{p}", Prefix, StringComparison.Ordinal);
}
