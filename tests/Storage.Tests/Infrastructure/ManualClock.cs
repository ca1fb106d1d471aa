namespace Coinshard.Storage.Tests.Infrastructure;

/// <summary>A clock that moves only when told: lease expiry is tested without waiting.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
