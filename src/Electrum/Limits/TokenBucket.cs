using System.Diagnostics;

namespace Coinshard.Electrum.Limits;

/// <summary>
/// A cost budget that refills at a constant rate up to a capacity. A request either takes its cost
/// now, or reserves it (the balance goes negative) and waits until the refill covers it; when that
/// wait would be longer than allowed nothing is taken and the request is refused. Reservations make
/// concurrent users of one bucket (the sessions of one address) queue fairly. Thread-safe.
/// </summary>
internal sealed class TokenBucket
{
    private readonly Lock _gate = new();
    private readonly double _capacity;
    private readonly double _perTick;
    private double _balance;
    private long _updated;

    /// <param name="capacity">Most units available at once (the burst).</param>
    /// <param name="refillPerSecond">Units regained per second; must be positive.</param>
    /// <param name="now">The current <see cref="Stopwatch"/> timestamp.</param>
    public TokenBucket(double capacity, double refillPerSecond, long now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(refillPerSecond);
        _capacity = capacity;
        _perTick = refillPerSecond / Stopwatch.Frequency;
        _balance = capacity;
        _updated = now;
    }

    /// <summary>Units available now (negative while reservations are outstanding).</summary>
    public double Balance(long now)
    {
        lock (_gate)
        {
            Refill(now);
            return _balance;
        }
    }

    /// <summary>
    /// Takes <paramref name="cost"/> (capped at the capacity, so that any request can pass eventually).
    /// Returns how long the caller must wait before going ahead (zero when the budget covers it), or
    /// null when that wait would exceed <paramref name="maxWait"/>: then nothing was taken.
    /// </summary>
    public TimeSpan? TryReserve(double cost, TimeSpan maxWait, long now)
    {
        cost = Math.Min(cost, _capacity);
        lock (_gate)
        {
            Refill(now);
            if (_balance >= cost)
            {
                _balance -= cost;
                return TimeSpan.Zero;
            }
            var wait = TimeSpan.FromSeconds((cost - _balance) / (_perTick * Stopwatch.Frequency));
            if (wait > maxWait)
            {
                return null;
            }
            _balance -= cost;
            return wait;
        }
    }

    /// <summary>Gives back a reservation that was not used (another bucket refused the request).</summary>
    public void Refund(double cost, long now)
    {
        cost = Math.Min(cost, _capacity);
        lock (_gate)
        {
            Refill(now);
            _balance = Math.Min(_capacity, _balance + cost);
        }
    }

    private void Refill(long now)
    {
        if (now > _updated)
        {
            _balance = Math.Min(_capacity, _balance + (now - _updated) * _perTick);
            _updated = now;
        }
    }
}
