using Coinshard.Actors.Supervision;
using Coinshard.Actors.Testing;
using Coinshard.Actors.Tests.Support;

using Microsoft.Extensions.Logging;

using Xunit;

namespace Coinshard.Actors.Tests.Supervision;

public sealed class RestartTests
{
    private static readonly SupervisionStrategy Backoff10Ms = new()
    {
        MinBackoff = TimeSpan.FromMilliseconds(10),
        MaxBackoff = TimeSpan.FromMilliseconds(35),
        MaxRestarts = 10,
        Window = TimeSpan.FromMinutes(1),
    };

    [Fact]
    public async Task A_failing_handler_restarts_the_actor_after_exponential_backoff_with_fresh_state_and_goes_on_with_the_next_message()
    {
        var time = new ManualTimeProvider();
        var logs = new CapturingLoggerFactory();
        await using var system = new ActorSystem("test", new ActorSystemOptions { TimeProvider = time, LoggerFactory = logs });
        var events = new TestProbe<string>();
        var replies = new TestProbe<int>();
        var actor = system.Spawn("counter", () => new CounterActor(events), new ActorOptions { Supervision = Backoff10Ms });
        await events.ExpectMsgAsync("start");

        await actor.TellAsync(new Add(5));
        await actor.TellAsync(new Fail());
        await actor.TellAsync(new GetTotal(replies));

        await events.ExpectMsgAsync("stop"); // the failed instance is discarded
        Assert.Equal(TimeSpan.FromMilliseconds(10), await time.WaitForTimerArmedAsync().Bounded());
        await replies.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(50)); // nothing is handled during the backoff
        time.Advance(TimeSpan.FromMilliseconds(10));

        await events.ExpectMsgAsync("start");
        await replies.ExpectMsgAsync(0); // new instance, initial state; the message after the failing one is handled

        // Each further failure within the window doubles the delay, up to MaxBackoff.
        foreach (var expected in new[] { 20, 35, 35 })
        {
            await actor.TellAsync(new Fail());
            await events.ExpectMsgAsync("stop");
            Assert.Equal(TimeSpan.FromMilliseconds(expected), await time.WaitForTimerArmedAsync().Bounded());
            time.Advance(TimeSpan.FromMilliseconds(expected));
            await events.ExpectMsgAsync("start");
        }

        Assert.Equal(4, actor.Restarts);
        Assert.Equal(4, actor.Failures);
        Assert.True(system.Health.IsHealthy);

        var warnings = logs.AtLeast(LogLevel.Warning);
        Assert.Equal(4, warnings.Count); // each failure logged exactly once
        Assert.All(warnings, w =>
        {
            Assert.Equal(LogLevel.Warning, w.Level);
            Assert.Contains("test/counter", w.Message, StringComparison.Ordinal);
            Assert.Contains(nameof(Fail), w.Message, StringComparison.Ordinal);
            Assert.Equal("boom", w.Exception?.Message);
        });
    }

    [Fact]
    public void Backoff_doubles_from_the_minimum_and_is_capped_at_the_maximum()
    {
        var strategy = new SupervisionStrategy { MinBackoff = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromSeconds(1) };

        Assert.Equal(
            new[] { 100, 200, 400, 800, 1000, 1000 }.Select(ms => TimeSpan.FromMilliseconds(ms)),
            Enumerable.Range(1, 6).Select(strategy.BackoffFor));
        Assert.Equal(TimeSpan.FromSeconds(1), strategy.BackoffFor(int.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => strategy.BackoffFor(0));
    }

    [Fact]
    public async Task Failures_older_than_the_window_no_longer_count_toward_escalation()
    {
        var time = new ManualTimeProvider();
        await using var system = new ActorSystem("test", new ActorSystemOptions { TimeProvider = time });
        var events = new TestProbe<string>();
        var strategy = new SupervisionStrategy { MinBackoff = TimeSpan.Zero, MaxRestarts = 1, Window = TimeSpan.FromMinutes(1) };
        var actor = system.Spawn("flaky", () => new CounterActor(events), new ActorOptions { Supervision = strategy });
        await events.ExpectMsgAsync("start");

        await actor.TellAsync(new Fail());
        await events.ExpectMsgAsync("stop");
        await events.ExpectMsgAsync("start");

        time.Advance(TimeSpan.FromMinutes(2)); // the first failure leaves the window
        await actor.TellAsync(new Fail());
        await events.ExpectMsgAsync("stop");
        await events.ExpectMsgAsync("start"); // restarted again rather than escalated
        Assert.True(system.Health.IsHealthy);

        await actor.TellAsync(new Fail()); // second failure within one window: over the limit
        await events.ExpectMsgAsync("stop");
        await actor.Completion.Bounded();
        Assert.False(system.Health.IsHealthy);
        Assert.Equal(2, actor.Restarts);
    }

    private sealed class FailsToStartOnce(StrongCounter attempts, IActorRef<string> events) : Actor<CounterCommand>
    {
        protected override async ValueTask PreStartAsync()
        {
            if (Interlocked.Increment(ref attempts.Value) == 1)
            {
                throw new InvalidOperationException("cannot open the store yet");
            }

            await events.TellAsync("started");
        }

        protected override async ValueTask ReceiveAsync(CounterCommand message)
        {
            if (message is GetTotal get)
            {
                await get.ReplyTo.TellAsync(attempts.Value);
            }
        }
    }

    private sealed class StrongCounter
    {
        public int Value;
    }

    [Fact]
    public async Task A_failing_PreStart_is_a_failure_too_and_is_retried_by_restarting()
    {
        await using var system = new ActorSystem("test");
        var events = new TestProbe<string>();
        var attempts = new StrongCounter();
        var actor = system.Spawn("late-start", () => new FailsToStartOnce(attempts, events),
            new ActorOptions { Supervision = new() { MinBackoff = TimeSpan.Zero } });

        await events.ExpectMsgAsync("started");
        Assert.Equal(2, await actor.AskAsync<int>(r => new GetTotal(r), Wait.Long));
        Assert.Equal(1, actor.Restarts);
        Assert.Equal(1, actor.Failures);
    }

    [Fact]
    public async Task A_stop_request_during_the_backoff_ends_the_wait_and_stops_the_actor()
    {
        var time = new ManualTimeProvider();
        await using var system = new ActorSystem("test", new ActorSystemOptions { TimeProvider = time });
        var events = new TestProbe<string>();
        var actor = system.Spawn("backing-off", () => new CounterActor(events),
            new ActorOptions { Supervision = new() { MinBackoff = TimeSpan.FromHours(1), MaxBackoff = TimeSpan.FromHours(1) } });
        await events.ExpectMsgAsync("start");
        await actor.TellAsync(new Fail());
        await events.ExpectMsgAsync("stop");
        await time.WaitForTimerArmedAsync().Bounded();

        await actor.StopAsync().Bounded(); // the clock never moves: only cancelling the backoff lets this finish

        await events.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(50)); // no new instance was started
        Assert.Equal(0, actor.Restarts);
    }
}
