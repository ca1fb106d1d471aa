using System.Threading.Tasks.Sources;

namespace Coinshard.Electrum.Sessions;

/// <summary>
/// An auto-reset event for one waiter that allocates nothing per wait: the session's loops park on it
/// while idle (a parked loop costs only its state machine, no thread, no buffer). A
/// <see cref="Set"/> with no waiter is remembered until the next <see cref="WaitAsync"/>.
/// Continuations run on the thread pool, so <see cref="Set"/> never runs the waiter inline.
/// </summary>
internal sealed class AsyncSignal : IValueTaskSource
{
    private readonly Lock _gate = new();
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private bool _waiting;
    private bool _set;

    /// <summary>Completes when <see cref="Set"/> is (or was) called. One waiter at a time.</summary>
    public ValueTask WaitAsync()
    {
        lock (_gate)
        {
            if (_set)
            {
                _set = false;
                return ValueTask.CompletedTask;
            }
            _core.Reset();
            _waiting = true;
            return new ValueTask(this, _core.Version);
        }
    }

    /// <summary>Wakes the waiter, or lets the next wait pass at once.</summary>
    public void Set()
    {
        lock (_gate)
        {
            if (!_waiting)
            {
                _set = true;
                return;
            }
            _waiting = false;
        }
        _core.SetResult(true);
    }

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
