namespace Coinshard.Backends;

/// <summary>Thread-safe record of call outcomes, turned into <see cref="BackendHealth"/> snapshots.</summary>
internal sealed class BackendHealthTracker(TimeProvider time)
{
    private readonly Lock _lock = new();
    private BackendHealth _health = BackendHealth.Initial;

    public BackendHealth Current
    {
        get
        {
            lock (_lock)
            {
                return _health;
            }
        }
    }

    public void RecordSuccess()
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            _health = _health with { Status = BackendHealthStatus.Healthy, LastSuccessAt = now, ConsecutiveFailures = 0 };
        }
    }

    public void RecordFailure(string error)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            _health = _health with
            {
                Status = BackendHealthStatus.Unhealthy,
                LastError = error,
                LastErrorAt = now,
                ConsecutiveFailures = _health.ConsecutiveFailures + 1,
            };
        }
    }
}
