using Coinshard.Indexing.Tests.Support;
using Coinshard.Storage;
using Coinshard.TestSupport;

using Xunit;

namespace Coinshard.Indexing.Tests.Following;

/// <summary>The follower scenarios on SQLite.</summary>
[Collection(LitecoindTests.Name)]
public sealed class SqliteFollowerTests(LitecoindFixture chain) : FollowerScenarios(chain)
{
    protected override Engine Engine => Engine.Sqlite;

    [Fact]
    public Task Catches_up_then_follows_matching_the_node_in_utxo_mode() => CatchUpThenFollowAsync(IndexMode.Utxo);

    [Fact]
    public Task Catches_up_then_follows_matching_the_node_with_every_history_in_full_mode() => CatchUpThenFollowAsync(IndexMode.Full);

    [Fact]
    public Task A_reorg_within_the_undo_window_is_followed() => FollowReorgWithinTheUndoWindowAsync();

    [Fact]
    public Task A_reorg_deeper_than_the_undo_window_faults_with_the_way_out_then_rewind_and_reset_recover() =>
        DeepReorgFaultsThenRewindAndResetRecoverAsync();

    [Fact]
    public Task Two_indexers_on_one_database_one_writes_the_other_stands_by_and_takes_over() => TwoIndexersShareOneDatabaseAsync();
}

/// <summary>The follower scenarios on PostgreSQL (skipped without COINSHARD_TEST_POSTGRES).</summary>
[Collection(LitecoindTests.Name)]
public sealed class PostgresFollowerTests(LitecoindFixture chain) : FollowerScenarios(chain)
{
    protected override Engine Engine => Engine.PostgreSql;

    [PostgresFact]
    public Task Catches_up_then_follows_matching_the_node_with_every_history_in_full_mode() => CatchUpThenFollowAsync(IndexMode.Full);

    [PostgresFact]
    public Task A_reorg_within_the_undo_window_is_followed() => FollowReorgWithinTheUndoWindowAsync();

    [PostgresFact]
    public Task A_reorg_deeper_than_the_undo_window_faults_with_the_way_out_then_rewind_and_reset_recover() =>
        DeepReorgFaultsThenRewindAndResetRecoverAsync();

    [PostgresFact]
    public Task Two_indexers_on_one_database_one_writes_the_other_stands_by_and_takes_over() => TwoIndexersShareOneDatabaseAsync();
}
