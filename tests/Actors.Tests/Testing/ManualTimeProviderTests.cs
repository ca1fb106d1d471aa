using Coinshard.Actors.Testing;
using Coinshard.Actors.Tests.Support;

using Xunit;

namespace Coinshard.Actors.Tests.Testing;

public sealed class ManualTimeProviderTests
{
    [Fact]
    public async Task Delays_complete_only_when_the_clock_is_advanced_past_them()
    {
        var time = new ManualTimeProvider();
        var start = time.GetUtcNow();
        var delay = Task.Delay(TimeSpan.FromSeconds(10), time);
        Assert.Equal(TimeSpan.FromSeconds(10), await time.WaitForTimerArmedAsync().Bounded());

        time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(delay.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        await delay.Bounded();
        Assert.Equal(start + TimeSpan.FromSeconds(10), time.GetUtcNow());
    }

    [Fact]
    public void Timers_fire_in_due_order_and_periodic_timers_repeat()
    {
        var time = new ManualTimeProvider();
        var fired = new List<string>();
        using var late = time.CreateTimer(_ => fired.Add("late"), null, TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan);
        using var early = time.CreateTimer(_ => fired.Add("early"), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        using var tick = time.CreateTimer(_ => fired.Add("tick"), null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2));

        time.Advance(TimeSpan.FromSeconds(6));

        Assert.Equal(new[] { "early", "tick", "tick", "late", "tick" }, fired);
    }

    [Fact]
    public void Disposed_or_disarmed_timers_do_not_fire()
    {
        var time = new ManualTimeProvider();
        var fired = 0;
        var disposed = time.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        using var disarmed = time.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        disposed.Dispose();
        disarmed.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(0, fired);
        Assert.False(disposed.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
    }
}
