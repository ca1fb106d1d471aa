using Coinshard.Actors.Supervision;
using Coinshard.Actors.Testing;
using Coinshard.Actors.Tests.Support;

using Microsoft.Extensions.Logging;

using Xunit;

namespace Coinshard.Actors.Tests.Supervision;

public sealed class EscalationTests
{
    private static readonly SupervisionStrategy TwoRestartsNoDelay = new() { MinBackoff = TimeSpan.Zero, MaxRestarts = 2 };

    [Fact]
    public async Task Repeated_failures_escalate_to_the_system_which_turns_unhealthy_and_logs_once_with_context()
    {
        var logs = new CapturingLoggerFactory();
        await using var system = new ActorSystem("node", new ActorSystemOptions { LoggerFactory = logs });
        var actor = system.Spawn("follower", () => new CounterActor(), new ActorOptions { Supervision = TwoRestartsNoDelay });

        for (var i = 0; i < 3; i++)
        {
            await actor.TellAsync(new Fail($"boom {i}"));
        }

        await actor.Completion.Bounded();

        var health = system.Health;
        Assert.False(health.IsHealthy);
        var failure = Assert.Single(health.Failures);
        Assert.Equal("node/follower", failure.ActorPath);
        Assert.Equal(nameof(Fail), failure.MessageType);
        Assert.Equal("boom 2", failure.Exception.Message);
        Assert.Contains("3 failures", failure.Reason, StringComparison.Ordinal);
        Assert.Equal(2, actor.Restarts);

        var errors = logs.AtLeast(LogLevel.Error);
        var error = Assert.Single(errors);
        Assert.Contains("node/follower", error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(Fail), error.Message, StringComparison.Ordinal);
        Assert.Same(failure.Exception, error.Exception);

        // The actor is gone for good: sends fail fast.
        Assert.False(actor.TryTell(new Add(1)));
        await Assert.ThrowsAsync<ActorStoppedException>(() => actor.AskAsync<int>(r => new GetTotal(r), TimeSpan.FromHours(1)).Bounded());
    }

    [Fact]
    public async Task The_Stop_directive_stops_the_actor_rejects_its_queue_and_keeps_the_system_healthy()
    {
        var logs = new CapturingLoggerFactory();
        await using var system = new ActorSystem("test", new ActorSystemOptions { LoggerFactory = logs });
        var events = new TestProbe<string>();
        var strategy = new SupervisionStrategy
        {
            Decider = ex => ex is InvalidOperationException ? SupervisionDirective.Stop : SupervisionDirective.Restart,
        };
        var actor = system.Spawn("strict", () => new CounterActor(events), new ActorOptions { Supervision = strategy });
        await events.ExpectMsgAsync("start");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await actor.TellAsync(new Block(gate));
        await events.ExpectMsgAsync("busy");
        await actor.TellAsync(new Fail());
        await actor.TellAsync(new Add(1));
        await actor.TellAsync(new Add(2));

        gate.SetResult();
        await actor.Completion.Bounded();

        await events.ExpectMsgAsync("stop");
        await events.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(50)); // not restarted
        Assert.Equal(2, actor.MessagesRejected);
        Assert.Equal(0, actor.Restarts);
        Assert.True(system.Health.IsHealthy);
        var warning = Assert.Single(logs.AtLeast(LogLevel.Warning));
        Assert.Contains("test/strict", warning.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(Fail), warning.Message, StringComparison.Ordinal);
    }

    /// <summary>Spawns one counter child in PreStart and publishes it, so the test can reach each incarnation.</summary>
    private sealed class Supervisor(IActorRef<string> events, IActorRef<ActorRef<CounterCommand>> children, SupervisionStrategy childStrategy)
        : Actor<string>
    {
        protected override async ValueTask PreStartAsync()
        {
            await events.TellAsync("parent start");
            var child = Context.Spawn("worker", () => new CounterActor(events, "child "), new ActorOptions { Supervision = childStrategy });
            await children.TellAsync(child);
        }

        protected override async ValueTask PostStopAsync() => await events.TellAsync("parent stop");

        protected override ValueTask ReceiveAsync(string message) => ValueTask.CompletedTask;
    }

    [Fact]
    public async Task An_escalating_child_makes_its_parent_restart_which_recreates_the_child()
    {
        var logs = new CapturingLoggerFactory();
        await using var system = new ActorSystem("test", new ActorSystemOptions { LoggerFactory = logs });
        var events = new TestProbe<string>();
        var children = new TestProbe<ActorRef<CounterCommand>>();
        var escalate = new SupervisionStrategy { Directive = SupervisionDirective.Escalate };
        var parent = system.Spawn("parent", () => new Supervisor(events, children, escalate),
            new ActorOptions { Supervision = new() { MinBackoff = TimeSpan.Zero } });
        await events.ExpectMsgAsync("parent start");
        await events.ExpectMsgAsync("child start");
        var first = await children.ExpectMsgAsync();
        Assert.Equal("test/parent/worker", first.Path);

        await first.TellAsync(new Fail());

        await events.ExpectMsgAsync("child stop");
        await events.ExpectMsgAsync("parent stop");
        await events.ExpectMsgAsync("parent start");
        await events.ExpectMsgAsync("child start");
        var second = await children.ExpectMsgAsync();
        Assert.NotSame(first, second);
        Assert.True(first.IsStopped);
        await second.TellAsync(new Add(3));
        Assert.Equal(3, await second.AskAsync<int>(r => new GetTotal(r), Wait.Long));
        Assert.Equal(1, parent.Restarts);
        Assert.True(system.Health.IsHealthy);

        // Logged once, by the parent that decided to restart, with the child's path and the original error.
        var warning = Assert.Single(logs.AtLeast(LogLevel.Warning));
        var escalation = Assert.IsType<ActorEscalationException>(warning.Exception);
        Assert.Equal("test/parent/worker", escalation.Failure.ActorPath);
        Assert.Equal("boom", escalation.InnerException?.Message);
        Assert.Contains("test/parent", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Escalation_through_a_parent_that_gives_up_reaches_the_system_with_the_original_error()
    {
        var logs = new CapturingLoggerFactory();
        await using var system = new ActorSystem("test", new ActorSystemOptions { LoggerFactory = logs });
        var events = new TestProbe<string>();
        var children = new TestProbe<ActorRef<CounterCommand>>();
        var escalate = new SupervisionStrategy { Directive = SupervisionDirective.Escalate };
        var parent = system.Spawn("parent", () => new Supervisor(events, children, escalate),
            new ActorOptions { Supervision = new() { MaxRestarts = 0 } });
        var child = await children.ExpectMsgAsync();

        await child.TellAsync(new Fail("disk full"));
        await parent.Completion.Bounded();

        var failure = Assert.Single(system.Health.Failures);
        Assert.Equal("test/parent", failure.ActorPath);
        Assert.Equal(nameof(Fail), failure.MessageType);
        var escalation = Assert.IsType<ActorEscalationException>(failure.Exception);
        Assert.Equal("disk full", escalation.InnerException?.Message);
        Assert.Contains("test/parent/worker", escalation.Message, StringComparison.Ordinal);
        Assert.Single(logs.AtLeast(LogLevel.Warning)); // only the system's error: no duplicate lines on the way up
        Assert.Equal(LogLevel.Error, logs.AtLeast(LogLevel.Warning)[0].Level);
    }

    [Fact]
    public async Task A_throwing_decider_escalates_the_original_failure_instead_of_crashing_the_runtime()
    {
        await using var system = new ActorSystem("test");
        var strategy = new SupervisionStrategy { Decider = _ => throw new NotSupportedException("decider bug") };
        var actor = system.Spawn("odd", () => new CounterActor(), new ActorOptions { Supervision = strategy });

        await actor.TellAsync(new Fail());
        await actor.Completion.Bounded();

        var failure = Assert.Single(system.Health.Failures);
        Assert.Equal("boom", failure.Exception.Message);
        Assert.Contains("decider bug", failure.Reason, StringComparison.Ordinal);
    }
}
