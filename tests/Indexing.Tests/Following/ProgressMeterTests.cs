using Coinshard.Actors.Testing;
using Coinshard.Indexing.Following;
using Coinshard.Indexing.Shards;

using Xunit;

namespace Coinshard.Indexing.Tests.Following;

/// <summary>Catch-up figures on a manual clock, and the status cache's eviction order.</summary>
public class ProgressMeterTests
{
    [Fact]
    public void Speed_and_eta_come_from_the_samples_of_the_last_minute()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var meter = new ProgressMeter(clock);
        meter.Record(100, 0);
        Assert.Null(meter.Current(100, 1000));

        clock.Advance(TimeSpan.FromSeconds(10));
        meter.Record(200, 5_000);
        var progress = meter.Current(200, 1200)!;
        Assert.Equal(10, progress.BlocksPerSecond, 6);
        Assert.Equal(500, progress.InputsOutputsPerSecond, 6);
        Assert.Equal(TimeSpan.FromSeconds(100), progress.Eta);

        // Samples older than a minute drop out: the speed follows the recent pace (20 blocks in the last 10 s).
        clock.Advance(TimeSpan.FromSeconds(60));
        meter.Record(260, 600);
        clock.Advance(TimeSpan.FromSeconds(10));
        meter.Record(280, 200);
        progress = meter.Current(280, 280)!;
        Assert.Equal(2, progress.BlocksPerSecond, 6);
        Assert.Equal(20, progress.InputsOutputsPerSecond, 6);
        Assert.Null(progress.Eta); // at the target
    }

    [Fact]
    public void Progress_lines_are_due_every_ten_seconds()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var meter = new ProgressMeter(clock);
        Assert.True(meter.ShouldLog());
        Assert.False(meter.ShouldLog());
        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.False(meter.ShouldLog());
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(meter.ShouldLog());
    }

    [Theory]
    [InlineData(null, "unknown")]
    [InlineData(42.0, "42 s")]
    [InlineData(600.0, "10 min")]
    [InlineData(3 * 3600 + 5 * 60.0, "3 h 05 min")]
    [InlineData(52 * 3600.0, "2 d 4 h")]
    public void Etas_read_like_people_write_them(double? seconds, string expected) =>
        Assert.Equal(expected, ProgressMeter.Format(seconds is { } s ? TimeSpan.FromSeconds(s) : null));

    [Fact]
    public void The_status_cache_drops_the_least_recently_used_entry()
    {
        var cache = new LruCache<int, string>(2);
        cache.Set(1, "one");
        cache.Set(2, "two");
        Assert.True(cache.TryGet(1, out _));
        cache.Set(3, "three");
        Assert.False(cache.TryGet(2, out _));
        Assert.True(cache.TryGet(1, out var one));
        Assert.Equal("one", one);
        Assert.True(cache.Remove(3));
        Assert.False(cache.Remove(3));
        Assert.Equal(1, cache.Count);
        cache.Clear();
        Assert.Equal(0, cache.Count);
    }
}
