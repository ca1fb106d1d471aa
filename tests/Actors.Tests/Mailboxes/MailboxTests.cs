using System.Runtime.CompilerServices;

using Coinshard.Actors.Testing;
using Coinshard.Actors.Tests.Support;

using Xunit;

namespace Coinshard.Actors.Tests.Mailboxes;

public sealed class MailboxTests
{
    private sealed record Numbered(int Producer, int Sequence);

    /// <summary>Forwards each message after yielding, and records whether two handlers ever overlapped.</summary>
    private sealed class ForwardingActor(IActorRef<Numbered> sink, StrongBox<int> overlaps) : Actor<Numbered>
    {
        private int _active;

        protected override async ValueTask ReceiveAsync(Numbered message)
        {
            if (Interlocked.Increment(ref _active) != 1)
            {
                Interlocked.Increment(ref overlaps.Value);
            }

            await Task.Yield(); // a real await inside the handler: the next message must still wait for it
            await sink.TellAsync(message);
            Interlocked.Decrement(ref _active);
        }
    }

    [Fact]
    public async Task Messages_from_one_sender_are_handled_in_order_one_at_a_time()
    {
        await using var system = new ActorSystem("test");
        var probe = new TestProbe<Numbered>();
        var overlaps = new StrongBox<int>();
        var actor = system.Spawn("ordered", () => new ForwardingActor(probe, overlaps),
            new ActorOptions { MailboxCapacity = 8, Throughput = 3 });

        for (var i = 0; i < 1000; i++)
        {
            await actor.TellAsync(new Numbered(0, i));
        }

        var received = await probe.ReceiveAsync(1000);
        Assert.Equal(Enumerable.Range(0, 1000), received.Select(m => m.Sequence));
        Assert.Equal(0, overlaps.Value);
        Assert.Equal(1000, actor.MessagesProcessed);
    }

    [Fact]
    public async Task Concurrent_senders_each_keep_their_order_and_the_actor_never_runs_two_handlers_at_once()
    {
        await using var system = new ActorSystem("test");
        var probe = new TestProbe<Numbered>();
        var overlaps = new StrongBox<int>();
        var actor = system.Spawn("shared", () => new ForwardingActor(probe, overlaps), new ActorOptions { MailboxCapacity = 4 });

        const int producers = 4;
        const int perProducer = 250;
        await Task.WhenAll(Enumerable.Range(0, producers).Select(p => Task.Run(async () =>
        {
            for (var i = 0; i < perProducer; i++)
            {
                await actor.TellAsync(new Numbered(p, i));
            }
        })));

        var received = await probe.ReceiveAsync(producers * perProducer);
        for (var p = 0; p < producers; p++)
        {
            Assert.Equal(Enumerable.Range(0, perProducer), received.Where(m => m.Producer == p).Select(m => m.Sequence));
        }

        Assert.Equal(0, overlaps.Value);
    }

    [Fact]
    public async Task A_full_mailbox_makes_TellAsync_wait_until_room_frees_up_and_nothing_is_dropped()
    {
        await using var system = new ActorSystem("test");
        var events = new TestProbe<string>();
        var actor = system.Spawn("slow", () => new CounterActor(events), new ActorOptions { MailboxCapacity = 2 });
        await events.ExpectMsgAsync("start");

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await actor.TellAsync(new Block(gate));
        await events.ExpectMsgAsync("busy"); // the handler is now stuck, so nothing leaves the mailbox
        await actor.TellAsync(new Add(1));
        await actor.TellAsync(new Add(2));
        Assert.Equal(2, actor.MailboxDepth);

        var blocked = actor.TellAsync(new Add(3)).AsTask();
        Assert.False(blocked.IsCompleted); // back-pressure: the producer waits
        Assert.False(actor.TryTell(new Add(100))); // and the non-blocking path reports failure instead of dropping

        gate.SetResult();
        await blocked.Bounded(); // the producer resumes once the actor catches up

        var replies = new TestProbe<int>();
        await actor.TellAsync(new GetTotal(replies));
        await replies.ExpectMsgAsync(1 + 2 + 3);
        Assert.True(actor.TryTell(new Add(1)));
        Assert.Equal(0, actor.MessagesRejected);
    }

    [Fact]
    public async Task A_waiting_producer_can_give_up_through_its_cancellation_token()
    {
        await using var system = new ActorSystem("test");
        var events = new TestProbe<string>();
        var actor = system.Spawn("slow", () => new CounterActor(events), new ActorOptions { MailboxCapacity = 1 });
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await actor.TellAsync(new Block(gate));
        await events.ExpectMsgAsync("start");
        await events.ExpectMsgAsync("busy");
        await actor.TellAsync(new Add(1));

        using var cancel = new CancellationTokenSource();
        var blocked = actor.TellAsync(new Add(2), cancel.Token).AsTask();
        Assert.False(blocked.IsCompleted);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocked.Bounded());
        gate.SetResult();
    }

    [Fact]
    public async Task Telling_a_stopped_actor_fails_fast_and_TryTell_reports_false()
    {
        await using var system = new ActorSystem("test");
        var actor = system.Spawn("gone", () => new CounterActor());
        await actor.StopAsync().Bounded();

        Assert.True(actor.IsStopped);
        Assert.False(actor.TryTell(new Add(1)));
        var error = await Assert.ThrowsAsync<ActorStoppedException>(() => actor.TellAsync(new Add(1)).AsTask().Bounded());
        Assert.Equal(actor.Path, error.ActorPath);
        Assert.Equal(nameof(Add), error.MessageType);
    }

    [Fact]
    public async Task A_producer_waiting_on_a_full_mailbox_is_released_with_an_error_when_the_actor_stops()
    {
        await using var system = new ActorSystem("test");
        var events = new TestProbe<string>();
        var actor = system.Spawn("slow", () => new CounterActor(events), new ActorOptions { MailboxCapacity = 1, StopMode = StopMode.Reject });
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await actor.TellAsync(new Block(gate));
        await events.ExpectMsgAsync("start");
        await events.ExpectMsgAsync("busy");
        await actor.TellAsync(new Add(1));
        var blocked = actor.TellAsync(new Add(2)).AsTask();

        var stopping = actor.StopAsync();
        await Assert.ThrowsAsync<ActorStoppedException>(() => blocked.Bounded());
        gate.SetResult();
        await stopping.Bounded();
        Assert.Equal(1, actor.MessagesRejected);
    }

    [Fact]
    public async Task Null_messages_are_refused()
    {
        await using var system = new ActorSystem("test");
        var actor = system.Spawn("a", () => new CounterActor());
        Assert.Throws<ArgumentNullException>(() => actor.TryTell(null!));
    }
}
