namespace Coinshard.Backends;

/// <summary>Retry delays shared by the adapters and the router.</summary>
internal static class Backoff
{
    /// <summary>
    /// Exponential backoff with "equal jitter": the delay doubles from <paramref name="baseDelay"/> per
    /// attempt up to <paramref name="maxDelay"/>; half of it is fixed, the other half random, so that
    /// clients failing together do not retry together.
    /// </summary>
    public static TimeSpan EqualJitter(TimeSpan baseDelay, TimeSpan maxDelay, int attempt)
    {
        var exponential = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30));
        var capped = Math.Min(exponential, maxDelay.TotalMilliseconds);
#pragma warning disable CA5394 // jitter needs no cryptographic randomness
        return TimeSpan.FromMilliseconds((capped / 2) + (Random.Shared.NextDouble() * capped / 2));
#pragma warning restore CA5394
    }
}
