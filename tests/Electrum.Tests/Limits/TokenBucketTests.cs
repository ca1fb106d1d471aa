using System.Diagnostics;

using Coinshard.Electrum.Limits;

using Xunit;

namespace Coinshard.Electrum.Tests.Limits;

/// <summary>The budget arithmetic, on explicit timestamps (no clock involved).</summary>
public class TokenBucketTests
{
    private static long Seconds(double s) => (long)(s * Stopwatch.Frequency);

    [Fact]
    public void A_full_bucket_pays_at_once_then_reservations_wait_for_the_refill()
    {
        var bucket = new TokenBucket(capacity: 10, refillPerSecond: 2, now: 0);

        Assert.Equal(TimeSpan.Zero, bucket.TryReserve(10, TimeSpan.FromSeconds(5), 0));
        // Empty: 4 units at 2/s is a 2 s wait, within 5 s: reserved (the balance goes to -4).
        Assert.Equal(2.0, bucket.TryReserve(4, TimeSpan.FromSeconds(5), 0)!.Value.TotalSeconds, 6);
        Assert.Equal(-4, bucket.Balance(0), 6);
        // The next 4 queue behind: (4 + 4) / 2 = 4 s.
        Assert.Equal(4.0, bucket.TryReserve(4, TimeSpan.FromSeconds(5), 0)!.Value.TotalSeconds, 6);
        // 4 more would need 6 s > 5 s: refused, nothing taken.
        Assert.Null(bucket.TryReserve(4, TimeSpan.FromSeconds(5), 0));
        Assert.Equal(-8, bucket.Balance(0), 6);
    }

    [Fact]
    public void The_refill_is_capped_at_the_capacity()
    {
        var bucket = new TokenBucket(capacity: 10, refillPerSecond: 2, now: 0);
        bucket.TryReserve(10, TimeSpan.Zero, 0);

        Assert.Equal(3, bucket.Balance(Seconds(1.5)), 6);
        Assert.Equal(10, bucket.Balance(Seconds(1000)), 6);
    }

    [Fact]
    public void A_cost_above_the_capacity_is_capped_so_it_can_pass_eventually()
    {
        var bucket = new TokenBucket(capacity: 10, refillPerSecond: 1, now: 0);

        Assert.Equal(TimeSpan.Zero, bucket.TryReserve(1000, TimeSpan.Zero, 0));
        Assert.Equal(0, bucket.Balance(0), 6);
    }

    [Fact]
    public void A_refund_gives_back_a_reservation_up_to_the_capacity()
    {
        var bucket = new TokenBucket(capacity: 10, refillPerSecond: 1, now: 0);
        bucket.TryReserve(6, TimeSpan.Zero, 0);

        bucket.Refund(6, 0);
        Assert.Equal(10, bucket.Balance(0), 6);
        bucket.Refund(6, 0);
        Assert.Equal(10, bucket.Balance(0), 6);
    }
}
