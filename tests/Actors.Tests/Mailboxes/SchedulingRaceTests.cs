using Coinshard.Actors.Tests.Support;

using Xunit;
using Xunit.Abstractions;

namespace Coinshard.Actors.Tests.Mailboxes;

/// <summary>
/// Hammers the "schedule only while there is work" protocol: if a wake-up were ever lost, a message would sit in
/// an idle actor's mailbox and the final count would never be reached (the bounded wait then fails the test).
/// Sized so that removing the loop's final "any work left?" re-check is caught here (checked by hand on a
/// 2-core machine); it still runs in about a second.
/// </summary>
public sealed class SchedulingRaceTests(ITestOutputHelper output)
{
    private sealed class Tally(StrongTotal total) : Actor<int>
    {
        protected override ValueTask ReceiveAsync(int message)
        {
            Interlocked.Add(ref total.Value, message);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class StrongTotal
    {
        public long Value;
    }

    [Theory]
    [InlineData(20240501)]
    [InlineData(7)]
    public async Task Every_message_from_racing_producers_is_handled_exactly_once(int seed)
    {
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        await using var system = new ActorSystem("race");
        var totals = new StrongTotal[4];
        var actors = new ActorRef<int>[totals.Length];
        for (var i = 0; i < actors.Length; i++)
        {
            var total = totals[i] = new StrongTotal();
            actors[i] = system.Spawn($"tally-{i}", () => new Tally(total),
                new ActorOptions { MailboxCapacity = random.Next(1, 8), Throughput = random.Next(1, 5) });
        }

        const int producers = 6;
        const int perProducer = 50000;
        var plans = Enumerable.Range(0, producers)
            .Select(_ => Enumerable.Range(0, perProducer).Select(_ => (Target: random.Next(actors.Length), UseTry: random.Next(2) == 0)).ToArray())
            .ToArray();
        var expected = new long[actors.Length];
        foreach (var step in plans.SelectMany(p => p))
        {
            expected[step.Target]++;
        }

        await Task.WhenAll(plans.Select(plan => Task.Run(async () =>
        {
            foreach (var (target, useTry) in plan)
            {
                if (useTry)
                {
                    while (!actors[target].TryTell(1))
                    {
                        await Task.Yield();
                    }
                }
                else
                {
                    await actors[target].TellAsync(1);
                }
            }
        }))).Bounded();

        // No further sends after this point, so nothing else could wake an actor whose wake-up was lost:
        // its mailbox would keep messages forever and the condition below would never hold.
        for (var i = 0; i < actors.Length; i++)
        {
            var index = i;
            var reached = await Wait.UntilAsync(() => Interlocked.Read(ref totals[index].Value) == expected[index]);
            Assert.True(reached, $"seed {seed}: actor {i} handled {Interlocked.Read(ref totals[i].Value)} of {expected[i]}");
            Assert.Equal(0, actors[i].MailboxDepth);
        }
    }
}
