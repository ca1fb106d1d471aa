using System.Collections.Concurrent;

using Coinshard.Actors.Testing;
using Coinshard.Actors.Tests.Support;

using Xunit;

namespace Coinshard.Actors.Tests.Lifecycle;

public sealed class ShutdownTests
{
    /// <summary>Builds a tree in PreStart and records the order of PostStop calls.</summary>
    private sealed class TreeNode(string label, int fanOut, int depth, ConcurrentQueue<string> stopped, CountdownEvent started)
        : Actor<string>
    {
        protected override ValueTask PreStartAsync()
        {
            if (depth > 0)
            {
                for (var i = 0; i < fanOut; i++)
                {
                    var childLabel = $"{label}.{i}";
                    Context.Spawn(childLabel, () => new TreeNode(childLabel, fanOut, depth - 1, stopped, started));
                }
            }

            started.Signal();
            return ValueTask.CompletedTask;
        }

        protected override ValueTask PostStopAsync()
        {
            stopped.Enqueue(label);
            return ValueTask.CompletedTask;
        }

        protected override ValueTask ReceiveAsync(string message) => ValueTask.CompletedTask;
    }

    [Fact]
    public async Task System_shutdown_stops_children_before_parents_in_reverse_creation_order_and_completes_after_all()
    {
        var system = new ActorSystem("node");
        var stopped = new ConcurrentQueue<string>();
        using var started = new CountdownEvent(2 * 7); // two trees of 1 + 2 + 4 nodes
        var a = system.Spawn("a", () => new TreeNode("a", 2, 2, stopped, started));
        var b = system.Spawn("b", () => new TreeNode("b", 2, 2, stopped, started));
        Assert.True(started.Wait(Wait.Long));

        await system.ShutdownAsync().Bounded();

        Assert.Equal(
            new[]
            {
                "b.1.1", "b.1.0", "b.1", "b.0.1", "b.0.0", "b.0", "b",
                "a.1.1", "a.1.0", "a.1", "a.0.1", "a.0.0", "a.0", "a",
            },
            stopped);
        Assert.True(system.Terminated.IsCompletedSuccessfully);
        Assert.True(a.IsStopped && b.IsStopped);
        Assert.Equal(0, system.TopLevelCount);
        Assert.Same(system.Terminated, system.ShutdownAsync());
        Assert.Throws<ActorStoppedException>(() => system.Spawn("late", () => new CounterActor()));
    }

    [Fact]
    public async Task Stopping_one_actor_stops_its_subtree_first_and_leaves_its_siblings_running()
    {
        await using var system = new ActorSystem("node");
        var stopped = new ConcurrentQueue<string>();
        using var started = new CountdownEvent(3 + 1);
        var tree = system.Spawn("t", () => new TreeNode("t", 2, 1, stopped, started));
        var sibling = system.Spawn("s", () => new TreeNode("s", 0, 0, stopped, started));
        Assert.True(started.Wait(Wait.Long));
        Assert.Equal(2, tree.ChildCount);

        await tree.StopAsync().Bounded();

        Assert.Equal(new[] { "t.1", "t.0", "t" }, stopped);
        Assert.Equal(0, tree.ChildCount);
        Assert.False(sibling.IsStopped);
        Assert.Equal(1, system.TopLevelCount);
    }

    [Fact]
    public async Task Drain_mode_handles_queued_messages_before_stopping_when_the_deadline_allows()
    {
        await using var system = new ActorSystem("test");
        var events = new TestProbe<string>();
        var replies = new TestProbe<int>();
        var actor = system.Spawn("drainer", () => new CounterActor(events), new ActorOptions { StopMode = StopMode.Drain });
        await events.ExpectMsgAsync("start");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await actor.TellAsync(new Block(gate));
        await events.ExpectMsgAsync("busy");
        await actor.TellAsync(new Add(1));
        await actor.TellAsync(new Add(2));
        await actor.TellAsync(new GetTotal(replies));

        var stopping = actor.StopAsync(TimeSpan.FromMinutes(5));
        Assert.False(actor.TryTell(new Add(100))); // no new messages once stopping
        await Assert.ThrowsAsync<ActorStoppedException>(() => actor.TellAsync(new Add(100)).AsTask());
        gate.SetResult();
        await stopping.Bounded();

        await replies.ExpectMsgAsync(3); // queued messages were handled, in order
        await events.ExpectMsgAsync("stop"); // and PostStop ran after them
        Assert.Equal(0, actor.MessagesRejected);
    }

    private sealed class TokenWatcher(IActorRef<string> events, TaskCompletionSource gate) : Actor<int>
    {
        protected override async ValueTask ReceiveAsync(int message)
        {
            await events.TellAsync($"handling {message}");
            if (message == 0)
            {
                var stopping = Context.StoppingToken;
                await gate.Task;
                await events.TellAsync(stopping.IsCancellationRequested ? "token cancelled" : "token live");
            }
        }
    }

    [Fact]
    public async Task Drain_mode_rejects_what_is_left_at_the_deadline_and_cancels_the_stopping_token_then()
    {
        var time = new ManualTimeProvider();
        var logs = new CapturingLoggerFactory();
        await using var system = new ActorSystem("test", new ActorSystemOptions { TimeProvider = time, LoggerFactory = logs });
        var events = new TestProbe<string>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var actor = system.Spawn("slow", () => new TokenWatcher(events, gate), new ActorOptions { StopMode = StopMode.Drain });
        await actor.TellAsync(0);
        await events.ExpectMsgAsync("handling 0");
        for (var i = 1; i <= 3; i++)
        {
            await actor.TellAsync(i);
        }

        var stopping = actor.StopAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromSeconds(5), await time.WaitForTimerArmedAsync().Bounded()); // the token's deadline
        time.Advance(TimeSpan.FromSeconds(6));
        gate.SetResult();
        await stopping.Bounded();

        await events.ExpectMsgAsync("token cancelled");
        await events.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(50)); // 1, 2, 3 were not handled
        Assert.Equal(3, actor.MessagesRejected);
        Assert.Contains(logs.Entries, e => e.Message.Contains("test/slow", StringComparison.Ordinal)
            && e.Message.Contains("3 queued messages rejected", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reject_mode_drops_the_queue_at_once_and_fails_pending_asks()
    {
        await using var system = new ActorSystem("test");
        var events = new TestProbe<string>();
        var actor = system.Spawn("session", () => new CounterActor(events), new ActorOptions { StopMode = StopMode.Reject });
        await events.ExpectMsgAsync("start");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await actor.TellAsync(new Block(gate));
        await events.ExpectMsgAsync("busy");
        await actor.TellAsync(new Add(1));
        var ask = actor.AskAsync<int>(r => new GetTotal(r), TimeSpan.FromHours(1));

        var stopping = actor.StopAsync(TimeSpan.FromHours(1)); // a long deadline does not matter in Reject mode
        gate.SetResult();
        await stopping.Bounded();

        await Assert.ThrowsAsync<ActorStoppedException>(() => ask.Bounded());
        Assert.Equal(2, actor.MessagesRejected);
        await events.ExpectMsgAsync("stop");
    }

    [Fact]
    public async Task Shutdown_drains_with_one_shared_deadline_and_completes_even_with_busy_actors()
    {
        var time = new ManualTimeProvider();
        var system = new ActorSystem("test", new ActorSystemOptions { TimeProvider = time });
        var events = new TestProbe<string>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var busy = system.Spawn("busy", () => new CounterActor(events));
        await events.ExpectMsgAsync("start");
        await busy.TellAsync(new Block(gate));
        await events.ExpectMsgAsync("busy");
        await busy.TellAsync(new Add(1));

        var shutdown = system.ShutdownAsync(TimeSpan.FromSeconds(10));
        Assert.False(shutdown.IsCompleted); // waits for the running handler
        time.Advance(TimeSpan.FromSeconds(11));
        gate.SetResult();
        await shutdown.Bounded();

        Assert.Equal(1, busy.MessagesRejected);
    }

    private sealed class SelfStopper(IActorRef<string> events) : Actor<string>
    {
        protected override async ValueTask ReceiveAsync(string message)
        {
            await events.TellAsync(message);
            if (message == "quit")
            {
                Context.Stop();
            }
        }

        protected override async ValueTask PostStopAsync() => await events.TellAsync("stopped");
    }

    [Fact]
    public async Task An_actor_can_stop_itself_from_its_handler_without_deadlocking()
    {
        await using var system = new ActorSystem("test");
        var events = new TestProbe<string>();
        var actor = system.Spawn("self", () => new SelfStopper(events), new ActorOptions { StopMode = StopMode.Reject });

        await actor.TellAsync("quit");
        await actor.Completion.Bounded();

        await events.ExpectMsgAsync("quit");
        await events.ExpectMsgAsync("stopped");
    }

    [Fact]
    public async Task PostStop_exceptions_are_logged_and_do_not_block_the_stop()
    {
        var logs = new CapturingLoggerFactory();
        await using var system = new ActorSystem("test", new ActorSystemOptions { LoggerFactory = logs });
        var actor = system.Spawn("messy", () => new ThrowingPostStop());

        await actor.StopAsync().Bounded();

        Assert.Contains(logs.Entries, e => e.Exception?.Message == "cleanup failed");
    }

    private sealed class ThrowingPostStop : Actor<string>
    {
        protected override ValueTask ReceiveAsync(string message) => ValueTask.CompletedTask;

        protected override ValueTask PostStopAsync() => throw new InvalidOperationException("cleanup failed");
    }
}
