namespace Coinshard.Actors.Internal;

/// <summary>How and until when a stopping actor may drain; shared down the tree so a whole shutdown has one deadline.</summary>
internal sealed record StopRequest(DateTimeOffset Deadline, StopMode Mode)
{
    public static DateTimeOffset DeadlineAfter(TimeProvider time, TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return DateTimeOffset.MaxValue;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        var now = time.GetUtcNow();
        return timeout >= DateTimeOffset.MaxValue - now ? DateTimeOffset.MaxValue : now + timeout;
    }
}
