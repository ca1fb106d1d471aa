namespace Coinshard.Actors.Tests.Support;

/// <summary>
/// Bounds every wait in the tests. Generous on purpose: it only limits how long a broken test hangs, it never
/// asserts that something is fast.
/// </summary>
internal static class Wait
{
    public static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    public static Task Bounded(this Task task) => task.WaitAsync(Long);

    public static Task<T> Bounded<T>(this Task<T> task) => task.WaitAsync(Long);

    public static Task<T> Bounded<T>(this ValueTask<T> task) => task.AsTask().WaitAsync(Long);

    /// <summary>Polls <paramref name="condition"/> until it holds or <see cref="Long"/> passes; true if it held.</summary>
    public static async Task<bool> UntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Long;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(5);
        }

        return true;
    }
}
