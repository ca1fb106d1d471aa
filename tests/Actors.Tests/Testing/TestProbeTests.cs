using Coinshard.Actors.Testing;

using Xunit;

namespace Coinshard.Actors.Tests.Testing;

public sealed class TestProbeTests
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(30);

    [Fact]
    public async Task ExpectMsg_returns_messages_in_arrival_order()
    {
        var probe = new TestProbe<string>();
        Assert.True(probe.TryTell("a"));
        await probe.TellAsync("b");

        Assert.Equal("a", await probe.ExpectMsgAsync());
        Assert.Equal("b", await probe.ExpectMsgAsync("b"));
        Assert.Equal(0, probe.Count);
    }

    [Fact]
    public async Task ExpectMsg_fails_when_nothing_arrives_in_time()
    {
        var probe = new TestProbe<string>("quiet");

        var error = await Assert.ThrowsAsync<ProbeExpectationException>(() => probe.ExpectMsgAsync(Short));

        Assert.Contains("probe/quiet", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExpectMsg_with_a_value_fails_on_a_different_message()
    {
        var probe = new TestProbe<string>();
        probe.TryTell("actual");

        var error = await Assert.ThrowsAsync<ProbeExpectationException>(() => probe.ExpectMsgAsync("expected"));

        Assert.Contains("actual", error.Message, StringComparison.Ordinal);
    }

    private abstract record Event;

    private sealed record Started(int Id) : Event;

    private sealed record Stopped(int Id) : Event;

    [Fact]
    public async Task Typed_ExpectMsg_checks_the_type_and_the_predicate()
    {
        var probe = new TestProbe<Event>();
        probe.TryTell(new Started(1));
        probe.TryTell(new Started(2));
        probe.TryTell(new Stopped(3));

        Assert.Equal(1, (await probe.ExpectMsgAsync<Started>()).Id);
        await Assert.ThrowsAsync<ProbeExpectationException>(() => probe.ExpectMsgAsync<Started>(s => s.Id == 99));
        await Assert.ThrowsAsync<ProbeExpectationException>(() => probe.ExpectMsgAsync<Started>());
    }

    [Fact]
    public async Task ExpectNoMsg_passes_on_silence_and_fails_on_a_message()
    {
        var probe = new TestProbe<int>();
        await probe.ExpectNoMsgAsync(Short);

        probe.TryTell(1);
        await Assert.ThrowsAsync<ProbeExpectationException>(() => probe.ExpectNoMsgAsync(Short));
    }

    [Fact]
    public async Task FishForMessage_skips_until_a_match_and_fails_if_none_comes()
    {
        var probe = new TestProbe<int>();
        foreach (var n in new[] { 1, 3, 5, 6, 7 })
        {
            probe.TryTell(n);
        }

        Assert.Equal(6, await probe.FishForMessageAsync(n => n % 2 == 0));
        Assert.Equal(7, await probe.ExpectMsgAsync());
        await Assert.ThrowsAsync<ProbeExpectationException>(() => probe.FishForMessageAsync(n => n > 100, Short));
    }

    [Fact]
    public async Task Messages_arriving_later_are_awaited()
    {
        var probe = new TestProbe<int>();
        var later = Task.Run(async () =>
        {
            await Task.Yield();
            await probe.TellAsync(42);
        });

        Assert.Equal(42, await probe.ExpectMsgAsync());
        await later;
    }

    [Fact]
    public async Task Receive_fails_when_fewer_messages_arrive()
    {
        var probe = new TestProbe<int>();
        probe.TryTell(1);

        var error = await Assert.ThrowsAsync<ProbeExpectationException>(() => probe.ReceiveAsync(2, Short));

        Assert.Contains("got 1", error.Message, StringComparison.Ordinal);
    }
}
