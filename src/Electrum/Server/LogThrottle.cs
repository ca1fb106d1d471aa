using System.Diagnostics;

namespace Coinshard.Electrum.Server;

/// <summary>
/// Lets through at most a few log lines per window for events a client can trigger at will
/// (refused connections, abuse closes), and counts what it held back so the next line can say so.
/// Thread-safe.
/// </summary>
internal sealed class LogThrottle(int linesPerWindow, TimeSpan window)
{
    private readonly Lock _gate = new();
    private readonly long _windowTicks = (long)(window.TotalSeconds * Stopwatch.Frequency);
    private long _windowStart = long.MinValue;
    private int _lines;
    private int _suppressed;

    /// <summary>True when a line may be written; <paramref name="suppressed"/> is how many were held back before it.</summary>
    public bool TryAcquire(out int suppressed)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            if (_windowStart == long.MinValue || now - _windowStart >= _windowTicks)
            {
                _windowStart = now;
                _lines = 0;
            }
            if (_lines < linesPerWindow)
            {
                _lines++;
                suppressed = _suppressed;
                _suppressed = 0;
                return true;
            }
            _suppressed++;
            suppressed = 0;
            return false;
        }
    }
}
