using Coinshard.Chain.Hashing;
using Coinshard.Electrum.Mempool;
using Coinshard.Electrum.Scripthashes;
using Coinshard.Indexing.Shards;

using Xunit;

namespace Coinshard.Electrum.Tests.Scripthashes;

public class ScripthashHistoryTests
{
    private static Hash256 H(string hex) => Hash256.Parse(hex);

    /// <summary>The worked example of the specification (protocol-basics, "Status Example"), built from its RPC traffic.</summary>
    [Fact]
    public void The_specification_status_example_gives_its_status()
    {
        var confirmed = new List<StatusEntry>
        {
            new(H("a6c9c361bd0bc536d6a22648efbf8f9b200e425ef6c3a7a9669dc444c532a347"), 2472),
            new(H("9c42f84b2fcdaff676ba25d9d4941741cc0d1a01cce0c23fdc4c0b2afa38431c"), 2473),
            new(H("770f2d4371b3fabb902dd9a103e2dd005fcd3971181078fca4a2a1d6ff127b30"), 2473),
        };
        var unordered = new List<MempoolTxEntry>
        {
            new(H("bb4c8ab438c13b89ca80d1d5bee25b0b6b7f55673f4d801998ba97db161d9e85"), 200, true),
            new(H("e02a1dadfa83b996b24175df807b271ea5d02937ef5b35c195fac1e1bdc3198f"), 300, false),
            new(H("80b19848aed792565ab7c5a79b7c2a00fbf985741579396ebe0ab6098e607311"), 200, false),
        };
        unordered.Sort(MempoolTracker.CanonicalOrder);
        var mempool = new ScripthashMempool(unordered, [], []);

        var history = ScripthashHistory.Combine(confirmed, mempool);

        Assert.Equal(
            [
                ("a6c9c361bd0bc536d6a22648efbf8f9b200e425ef6c3a7a9669dc444c532a347", 2472, (long?)null),
                ("9c42f84b2fcdaff676ba25d9d4941741cc0d1a01cce0c23fdc4c0b2afa38431c", 2473, null),
                ("770f2d4371b3fabb902dd9a103e2dd005fcd3971181078fca4a2a1d6ff127b30", 2473, null),
                ("80b19848aed792565ab7c5a79b7c2a00fbf985741579396ebe0ab6098e607311", 0, 200),
                ("e02a1dadfa83b996b24175df807b271ea5d02937ef5b35c195fac1e1bdc3198f", 0, 300),
                ("bb4c8ab438c13b89ca80d1d5bee25b0b6b7f55673f4d801998ba97db161d9e85", -1, 200),
            ],
            history.Select(e => (e.TxId.ToString(), e.Height, e.Fee)));
        Assert.Equal("78e96c6562cafa71c115503b9411fdfdc595a45031e2ab76ff75162fe1b0590d", ScripthashHistory.Status(history));
    }

    [Fact]
    public void No_history_has_a_null_status()
    {
        Assert.Null(ScripthashHistory.Status([]));
    }
}
