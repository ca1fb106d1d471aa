namespace Coinshard.TestSupport;

/// <summary>
/// Polling assertions for things that become true asynchronously (a node syncing, a peer connecting).
/// Timeouts are generous upper bounds, never expectations: a test must not depend on how fast the machine is.
/// </summary>
public static class Eventually
{
    /// <summary>The default upper bound: long enough for a loaded 2-core machine.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Polls <paramref name="condition"/> until it returns true. Exceptions it throws count as "not yet";
    /// the last one is attached if time runs out.
    /// </summary>
    /// <exception cref="TimeoutException">Still false after <paramref name="timeout"/>; the message says what was awaited.</exception>
    public static async Task TrueAsync(Func<Task<bool>> condition, string because, TimeSpan? timeout = null, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var limit = timeout ?? DefaultTimeout;
        var pause = interval ?? TimeSpan.FromMilliseconds(100);
        var deadline = DateTime.UtcNow + limit;
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await condition().ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                last = e;
            }
            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"timed out after {limit.TotalSeconds:0} s waiting until {because}", last);
            }
            await Task.Delay(pause).ConfigureAwait(false);
        }
    }

    /// <summary>Polls a synchronous condition; see <see cref="TrueAsync(Func{Task{bool}}, string, TimeSpan?, TimeSpan?)"/>.</summary>
    public static Task TrueAsync(Func<bool> condition, string because, TimeSpan? timeout = null, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return TrueAsync(() => Task.FromResult(condition()), because, timeout, interval);
    }

    /// <summary>Polls <paramref name="probe"/> until it returns a non-null value, and returns it.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T?>> probe, string because, TimeSpan? timeout = null, TimeSpan? interval = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(probe);
        T? value = null;
        await TrueAsync(async () => (value = await probe().ConfigureAwait(false)) is not null, because, timeout, interval).ConfigureAwait(false);
        return value!;
    }
}
