namespace Coinshard.Indexing.Following;

/// <summary>Catch-up speed over the last minute or so, from (time, height, inputs+outputs) samples.</summary>
internal sealed class ProgressMeter(TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(10);

    private readonly Queue<(DateTimeOffset At, int Height, long Io)> _samples = new();
    private long _io;
    private DateTimeOffset _lastLog = DateTimeOffset.MinValue;

    /// <summary>Records that the tip reached <paramref name="height"/> after <paramref name="inputsAndOutputs"/> more work.</summary>
    public void Record(int height, long inputsAndOutputs)
    {
        var now = time.GetUtcNow();
        _io += inputsAndOutputs;
        _samples.Enqueue((now, height, _io));
        while (_samples.Count > 2 && now - _samples.Peek().At > Window)
        {
            _samples.Dequeue();
        }
    }

    /// <summary>Forgets the samples (after a pause, a reorg or a rewind, old speeds mislead).</summary>
    public void Reset()
    {
        _samples.Clear();
        _io = 0;
    }

    /// <summary>Speed and ETA to <paramref name="target"/>; null until two samples a moment apart exist.</summary>
    public FollowerProgress? Current(int height, int target)
    {
        if (_samples.Count < 2)
        {
            return null;
        }
        var first = _samples.Peek();
        var last = _samples.Last();
        var seconds = (last.At - first.At).TotalSeconds;
        if (seconds <= 0.05)
        {
            return null;
        }
        var blocks = (last.Height - first.Height) / seconds;
        var io = (last.Io - first.Io) / seconds;
        TimeSpan? eta = blocks > 0 && target > height ? TimeSpan.FromSeconds(Math.Min((target - height) / blocks, TimeSpan.MaxValue.TotalSeconds / 2)) : null;
        return new FollowerProgress(blocks, io, eta);
    }

    /// <summary>True about every 10 seconds: time for a progress line.</summary>
    public bool ShouldLog()
    {
        var now = time.GetUtcNow();
        if (now - _lastLog < LogEvery)
        {
            return false;
        }
        _lastLog = now;
        return true;
    }

    /// <summary>An ETA as people read it: "45 s", "12 min", "3 h 05 min", "2 d 4 h".</summary>
    public static string Format(TimeSpan? eta) => eta switch
    {
        null => "unknown",
        { TotalSeconds: < 90 } e => $"{e.TotalSeconds:0} s",
        { TotalMinutes: < 90 } e => $"{e.TotalMinutes:0} min",
        { TotalHours: < 48 } e => $"{(int)e.TotalHours} h {e.Minutes:00} min",
        { } e => $"{(int)e.TotalDays} d {e.Hours} h",
    };
}
