using System.Text.RegularExpressions;

using Coinshard.Integration.Tests.Support;
using Coinshard.TestSupport;

using Xunit;
using Xunit.Abstractions;

namespace Coinshard.Integration.Tests.Scenarios;

/// <summary>
/// Crash safety of the real process: <c>kill -9</c> at random heights while catching up a big chain, several
/// times in a row, on SQLite and PostgreSQL at once; after each restart nothing the index reported is lost and
/// it resumes; at the end it equals the node. And the node itself restarted in the middle of a catch-up.
/// </summary>
public sealed partial class CrashSafetyTests(BigChainFixture chain, ITestOutputHelper output) : IClassFixture<BigChainFixture>
{
    private const int Kills = 4;

    [Fact]
    public async Task Kill_9_at_random_points_of_a_catch_up_then_restart_converges_to_the_node()
    {
        await using var indexers = await Indexers.StartAsync("crash", chain.Node);
        var seed = 17;
        var results = await Task.WhenAll(indexers.Processes.Select(p => KillRepeatedlyAsync(p, new Random(seed++))));
        foreach (var (process, heights) in indexers.Processes.Zip(results))
        {
            output.WriteLine($"{process.Name}: killed at heights {string.Join(", ", heights)} of {chain.Chain.Height}, {process.Starts} starts");
            Assert.True(heights.Where(h => h < chain.Chain.Height).Distinct().Count() >= 2, $"{process.Name}: kills at two or more heights of the catch-up ({string.Join(", ", heights)})");
        }
        await indexers.MatchNodeAsync(chain.Node, chain.Targets);
    }

    /// <summary>Kills the process at <see cref="Kills"/> random heights of its catch-up; returns the heights it had reported.</summary>
    private async Task<List<int>> KillRepeatedlyAsync(CoinshardProcess process, Random random)
    {
        var tip = chain.Chain.Height;
        var killedAt = new List<int>();
        var last = 0;
        for (var i = 0; i < Kills; i++)
        {
            var reported = -1;
            if (i == 1)
            {
                // Right after a restart, before or during its first write.
                await Task.Delay(random.Next(0, 100));
                reported = (await process.StatusAsync()).IndexTip?.Height ?? -1;
            }
            else
            {
                // A random height above the last kill (so each kill needs progress), then a random moment after it:
                // usually in the middle of writing the next batch. Each kill draws from its own band of the catch-up,
                // so that a fast catch-up still leaves room for the later kills below the tip.
                var band = i == 0 ? 0 : i - 1;
                var bands = Kills - 1;
                var bandLow = 60 + ((tip - 63) * band / bands);
                var bandHigh = 60 + ((tip - 63) * (band + 1) / bands);
                var low = Math.Min(Math.Max(bandLow, last + 1), tip - 3);
                var target = random.Next(low, Math.Max(low + 1, Math.Min(bandHigh, tip - 2)));
                await Eventually.TrueAsync(
                    async () => (reported = (await process.StatusAsync()).IndexTip?.Height ?? -1) >= target,
                    $"{process.Name} indexes up to height {target}",
                    IndexAssert.TipTimeout,
                    TimeSpan.FromMilliseconds(20));
                await Task.Delay(random.Next(0, 200));
                reported = Math.Max(reported, (await process.StatusAsync()).IndexTip?.Height ?? -1);
            }
            await process.KillAsync();
            killedAt.Add(reported);
            last = Math.Max(last, reported);
            await process.StartAgainAsync();
            // Whatever the index reported before the kill was committed: the restart resumes at or above it.
            var resumed = await Eventually.ValueAsync(
                async () => (await process.StatusAsync()).IndexTip,
                $"{process.Name} reads its stored tip after restart {process.Starts}");
            Assert.True(resumed.Height >= reported, $"{process.Name}: reported height {reported} before the kill, resumed at {resumed.Height}");
        }
        return killedAt;
    }

    [Fact]
    public async Task The_node_stopped_and_started_again_mid_catch_up_is_waited_for_then_the_index_converges()
    {
        await using var indexers = await Indexers.StartAsync("node-restart", chain.Node, [Engine.Sqlite]);
        var process = indexers.Processes[0];
        await Eventually.TrueAsync(
            async () => (await process.StatusAsync()).IndexTip?.Height >= chain.Chain.Height / 3,
            $"{process.Name} is a third of the way through its catch-up",
            IndexAssert.TipTimeout,
            TimeSpan.FromMilliseconds(20));
        await chain.Node.StopAsync();
        try
        {
            await Eventually.TrueAsync(async () => (await process.StatusAsync()).State == "waiting_for_backend", $"{process.Name} waits for the backend");
            var (code, body) = await process.ReadyAsync();
            Assert.Equal(503, code);
            Assert.Contains("waiting_for_backend", body, StringComparison.Ordinal);
            var logLinesBefore = process.Output().Split('\n').Length;
            await Task.Delay(TimeSpan.FromSeconds(4)); // several retries (backoff from 1 s)
            Assert.True(process.IsRunning, "the process keeps running while the node is down");
            Assert.Equal(1, process.Starts);
            var outage = string.Join('\n', process.Output().Split('\n').Skip(logLinesBefore));
            Assert.True(outage.Split('\n').Length <= 5, $"a quiet outage, not a line per retry:\n{outage}");
            var status = await process.StatusAsync();
            Assert.DoesNotContain(chain.Node.RpcPassword, process.Output(), StringComparison.Ordinal);
            Assert.DoesNotContain(chain.Node.RpcPassword, status.LastError ?? "", StringComparison.Ordinal);
            output.WriteLine($"while the node was down: {status.State}: {status.LastError}");
        }
        finally
        {
            await chain.Node.StartAgainAsync();
        }
        await indexers.MatchNodeAsync(chain.Node, chain.Targets);
        Assert.Matches(StateLine(), process.Output());
    }

    [GeneratedRegex("waiting for the backend")]
    private static partial Regex StateLine();
}

