using Coinshard.Actors.Testing;
using Coinshard.Actors.Tests.Support;

using Xunit;

namespace Coinshard.Actors.Tests.Asking;

public sealed class AskTests
{
    [Fact]
    public async Task Ask_returns_the_reply()
    {
        await using var system = new ActorSystem("test");
        var actor = system.Spawn("counter", () => new CounterActor());
        await actor.TellAsync(new Add(40));
        await actor.TellAsync(new Add(2));

        var total = await actor.AskAsync<int>(replyTo => new GetTotal(replyTo), Wait.Long);

        Assert.Equal(42, total);
    }

    [Fact]
    public async Task Ask_through_the_interface_extension_works_for_any_reference()
    {
        await using var system = new ActorSystem("test");
        var actor = system.Spawn("counter", () => new CounterActor());
        await actor.TellAsync(new Add(7));

        Assert.Equal(7, await AskTotalThroughInterface(actor));
    }

    private static Task<int> AskTotalThroughInterface(IActorRef<CounterCommand> actor) =>
        actor.AskAsync<CounterCommand, int>(replyTo => new GetTotal(replyTo), Wait.Long);

    [Fact]
    public async Task Ask_without_a_reply_times_out_with_an_exception_naming_the_actor_and_message_type()
    {
        var time = new ManualTimeProvider();
        await using var system = new ActorSystem("test", new ActorSystemOptions { TimeProvider = time });
        var actor = system.Spawn("mute", () => new CounterActor());
        var timeout = TimeSpan.FromSeconds(5);

        // Add never replies, so the reply slot the message ignores can only time out.
        var ask = actor.AskAsync<int>(_ => new Add(1), timeout);
        Assert.Equal(timeout, await time.WaitForTimerArmedAsync().Bounded());
        time.Advance(timeout);

        var error = await Assert.ThrowsAsync<AskTimeoutException>(() => ask.Bounded());
        Assert.Equal("test/mute", error.ActorPath);
        Assert.Equal(nameof(Add), error.MessageType);
        Assert.Contains("test/mute", error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(Add), error.Message, StringComparison.Ordinal);
        Assert.Equal(timeout, error.Timeout);
    }

    [Fact]
    public async Task Ask_to_a_stopped_actor_fails_fast_instead_of_waiting_for_its_timeout()
    {
        await using var system = new ActorSystem("test");
        var actor = system.Spawn("gone", () => new CounterActor());
        await actor.StopAsync().Bounded();

        // An hour-long timeout: only an immediate failure lets this finish within the bounded wait.
        var error = await Assert.ThrowsAsync<ActorStoppedException>(
            () => actor.AskAsync<int>(replyTo => new GetTotal(replyTo), TimeSpan.FromHours(1)).Bounded());
        Assert.Equal(nameof(GetTotal), error.MessageType);
    }

    [Fact]
    public async Task A_queued_ask_fails_with_ActorStoppedException_when_the_actor_stops_before_handling_it()
    {
        await using var system = new ActorSystem("test");
        var events = new TestProbe<string>();
        var actor = system.Spawn("busy", () => new CounterActor(events), new ActorOptions { StopMode = StopMode.Reject });
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await actor.TellAsync(new Block(gate));
        await events.ExpectMsgAsync("start");
        await events.ExpectMsgAsync("busy");

        var ask = actor.AskAsync<int>(replyTo => new GetTotal(replyTo), TimeSpan.FromHours(1));
        var stopping = actor.StopAsync();
        gate.SetResult();

        await Assert.ThrowsAsync<ActorStoppedException>(() => ask.Bounded());
        await stopping.Bounded();
    }

    [Fact]
    public async Task When_the_handler_throws_the_ask_fails_with_that_exception()
    {
        await using var system = new ActorSystem("test");
        var actor = system.Spawn("faulty", () => new CounterActor(),
            new ActorOptions { Supervision = new() { MinBackoff = TimeSpan.Zero } });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => actor.AskAsync<int>(_ => new Fail("no total for you"), Wait.Long).Bounded());

        Assert.Equal("no total for you", error.Message);
    }

    [Fact]
    public async Task Late_replies_after_a_timeout_are_ignored_and_do_not_hurt_the_replier()
    {
        var time = new ManualTimeProvider();
        await using var system = new ActorSystem("test", new ActorSystemOptions { TimeProvider = time });
        var events = new TestProbe<string>();
        var actor = system.Spawn("late", () => new CounterActor(events));
        await events.ExpectMsgAsync("start");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await actor.TellAsync(new Block(gate));
        await events.ExpectMsgAsync("busy");

        var ask = actor.AskAsync<int>(replyTo => new GetTotal(replyTo), TimeSpan.FromSeconds(1));
        await time.WaitForTimerArmedAsync().Bounded();
        time.Advance(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<AskTimeoutException>(() => ask.Bounded());

        gate.SetResult(); // now the actor handles GetTotal and replies into the abandoned slot
        var total = await actor.AskAsync<int>(replyTo => new GetTotal(replyTo), TimeSpan.FromDays(1)).Bounded();
        Assert.Equal(0, total);
        Assert.Equal(0, actor.Failures);
    }

    [Fact]
    public async Task Ask_requires_a_positive_finite_timeout()
    {
        await using var system = new ActorSystem("test");
        var actor = system.Spawn("a", () => new CounterActor());

        // Thrown synchronously, before anything is sent.
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = actor.AskAsync<int>(r => new GetTotal(r), TimeSpan.Zero); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = actor.AskAsync<int>(r => new GetTotal(r), Timeout.InfiniteTimeSpan); });
    }
}
