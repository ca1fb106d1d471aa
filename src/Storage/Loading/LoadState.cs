using System.Globalization;

using Coinshard.Chain.Hashing;

namespace Coinshard.Storage.Loading;

/// <summary>The <c>{p}_state</c> keys a snapshot load records, and their parsing.</summary>
internal static class LoadState
{
    public const string State = "load_state";
    public const string BaseHeight = "load_base_height";
    public const string BaseHash = "load_base_hash";
    public const string SnapshotCoins = "load_snapshot_coins";
    public const string DustLimit = "load_dust_limit";
    public const string CoinsAdded = "load_coins_added";
    public const string CoinsSkipped = "load_coins_skipped";
    public const string Started = "load_started";
    public const string Completed = "load_completed";

    public const string Loading = "loading";
    public const string Complete = "complete";

    /// <summary>SQL condition selecting every load key.</summary>
    public const string KeyFilter = "key LIKE 'load\\_%' ESCAPE '\\'";

    public static BulkLoadStatus? Parse(IReadOnlyDictionary<string, string> state)
    {
        if (!state.TryGetValue(State, out var value))
        {
            return null;
        }
        long Long(string key) => long.Parse(state.GetValueOrDefault(key, "0"), CultureInfo.InvariantCulture);
        var target = new BulkLoadTarget(
            (int)Long(BaseHeight),
            Hash256.Parse(state.GetValueOrDefault(BaseHash, Hash256.Zero.ToString())),
            Long(SnapshotCoins),
            Long(DustLimit));
        return new BulkLoadStatus(
            value == Complete ? BulkLoadState.Complete : BulkLoadState.Loading,
            target,
            Long(CoinsAdded),
            Long(CoinsSkipped),
            Long(Started),
            state.ContainsKey(Completed) ? Long(Completed) : null);
    }

    public static string Describe(BulkLoadStatus status) =>
        $"a snapshot load at base block {status.Target.BaseHeight} {status.Target.BaseHash} " +
        $"({status.CoinsAdded:N0} of {status.Target.SnapshotCoins:N0} coins written) is in progress or was interrupted";
}
