using Coinshard.Actors.Tests.Support;

using Xunit;

namespace Coinshard.Actors.Tests.Lifecycle;

public sealed class SpawnTests
{
    private sealed class Parent(TaskCompletionSource<ActorContext> context) : Actor<string>
    {
        protected override ValueTask PreStartAsync()
        {
            context.SetResult(Context);
            return ValueTask.CompletedTask;
        }

        protected override ValueTask ReceiveAsync(string message) => ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Paths_join_system_parent_and_child_names()
    {
        await using var system = new ActorSystem("node1");
        var context = new TaskCompletionSource<ActorContext>(TaskCreationOptions.RunContinuationsAsynchronously);
        var parent = system.Spawn("gateway", () => new Parent(context));
        var child = (await context.Task.Bounded()).Spawn("session-7", () => new CounterActor());

        Assert.Equal("node1/gateway", parent.Path);
        Assert.Equal("node1/gateway/session-7", child.Path);
        Assert.Equal("session-7", child.Name);
        Assert.Equal(1, parent.ChildCount);
    }

    [Fact]
    public async Task Names_must_be_unique_among_live_siblings_and_free_again_after_a_stop()
    {
        await using var system = new ActorSystem("test");
        var first = system.Spawn("worker", () => new CounterActor());

        Assert.Throws<ArgumentException>(() => system.Spawn("worker", () => new CounterActor()));
        await first.StopAsync().Bounded();
        var second = system.Spawn("worker", () => new CounterActor());

        Assert.False(second.IsStopped);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("a/b")]
    public async Task Bad_names_are_refused(string name)
    {
        await using var system = new ActorSystem("test");
        Assert.ThrowsAny<ArgumentException>(() => system.Spawn(name, () => new CounterActor()));
    }

    [Fact]
    public async Task Invalid_options_are_refused_at_spawn()
    {
        await using var system = new ActorSystem("test");
        Assert.Throws<ArgumentOutOfRangeException>(() => system.Spawn("a", () => new CounterActor(), new ActorOptions { MailboxCapacity = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => system.Spawn("b", () => new CounterActor(),
            new ActorOptions { Supervision = new() { MinBackoff = TimeSpan.FromSeconds(2), MaxBackoff = TimeSpan.FromSeconds(1) } }));
        Assert.Throws<ArgumentOutOfRangeException>(() => system.Spawn("c", () => new CounterActor(), new ActorOptions { DrainTimeout = TimeSpan.FromSeconds(-2) }));
    }

    [Fact]
    public async Task Counters_report_processed_messages_and_mailbox_depth()
    {
        await using var system = new ActorSystem("test");
        var actor = system.Spawn("metered", () => new CounterActor());
        for (var i = 0; i < 10; i++)
        {
            await actor.TellAsync(new Add(1));
        }

        Assert.Equal(10, await actor.AskAsync<int>(r => new GetTotal(r), Wait.Long));
        Assert.Equal(11, actor.MessagesProcessed);
        Assert.Equal(0, actor.MailboxDepth);
        Assert.Equal(0, actor.Failures);
    }
}
