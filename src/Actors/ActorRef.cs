using Coinshard.Actors.Internal;
using Coinshard.Actors.Supervision;

namespace Coinshard.Actors;

/// <summary>
/// A live actor seen from outside, whatever its message type: identity, lifecycle and metrics. Parents hold their
/// children as <see cref="ActorRef"/>, hosts read the counters for their metrics endpoint. Send through the
/// typed <see cref="ActorRef{TMessage}"/>.
/// </summary>
public abstract class ActorRef : IActorParent
{
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private StopRequest? _stopRequest;
    private CancellationTokenSource? _stoppingCts;
    private ChildList? _children;
    private long _processed;
    private long _failures;
    private long _restarts;
    private long _rejected;

    private protected ActorRef(ActorSystem system, IActorParent parent, string name, ActorOptions options)
    {
        System = system;
        Parent = parent;
        Name = name;
        Path = parent.Path + "/" + name;
        Options = options;
    }

    /// <summary>The actor's name, unique among its live siblings.</summary>
    public string Name { get; }

    /// <summary>Parent path + "/" + name, starting with the system's name; used in logs, errors and health reports.</summary>
    public string Path { get; }

    /// <summary>The system the actor belongs to.</summary>
    public ActorSystem System { get; }

    /// <summary>The settings the actor was spawned with.</summary>
    public ActorOptions Options { get; }

    /// <summary>Messages waiting in the mailbox now (a gauge for back-pressure dashboards).</summary>
    public abstract int MailboxDepth { get; }

    /// <summary>Messages whose handler completed without throwing.</summary>
    public long MessagesProcessed => Interlocked.Read(ref _processed);

    /// <summary>Handler, start-up and escalated-child failures, whatever was decided about them.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Times a new instance replaced a failed one.</summary>
    public long Restarts => Interlocked.Read(ref _restarts);

    /// <summary>Queued messages refused because the actor stopped before handling them.</summary>
    public long MessagesRejected => Interlocked.Read(ref _rejected);

    /// <summary>Live children right now.</summary>
    public int ChildCount => Volatile.Read(ref _children)?.Count ?? 0;

    /// <summary>True once the actor, its children and its <c>PostStopAsync</c> are done.</summary>
    public bool IsStopped => _stopped.Task.IsCompleted;

    /// <summary>Completes (never faults) when the actor has completely stopped, for whatever reason.</summary>
    public Task Completion => _stopped.Task;

    internal IActorParent Parent { get; }

    internal ChildList? ChildrenIfAny => Volatile.Read(ref _children);

    internal ChildList Children
    {
        get
        {
            var children = Volatile.Read(ref _children);
            if (children is null)
            {
                var created = new ChildList();
                children = Interlocked.CompareExchange(ref _children, created, null) ?? created;
            }

            return children;
        }
    }

    /// <summary>
    /// Cancelled when the drain deadline passes (at once for <see cref="StopMode.Reject"/> and failure stops), so
    /// a handler awaiting I/O or a full mailbox can give up instead of holding the shutdown.
    /// </summary>
    internal CancellationToken StoppingToken
    {
        get
        {
            var cts = Volatile.Read(ref _stoppingCts);
            if (cts is null)
            {
                var created = new CancellationTokenSource(Timeout.InfiniteTimeSpan, System.TimeProvider);
                cts = Interlocked.CompareExchange(ref _stoppingCts, created, null) ?? created;
                if (!ReferenceEquals(cts, created))
                {
                    created.Dispose();
                }
                else if (PendingStop is { } stop)
                {
                    Arm(cts, stop);
                }
            }

            return cts.Token;
        }
    }

    private protected StopRequest? PendingStop => Volatile.Read(ref _stopRequest);

    /// <summary>
    /// Stops the actor: no new messages are accepted, queued ones are drained until the deadline or rejected
    /// (per <see cref="ActorOptions.StopMode"/>), children stop newest first, then <c>PostStopAsync</c> runs.
    /// Never await this from the actor's own handler (it waits for that handler); use
    /// <see cref="ActorContext.Stop"/> there.
    /// </summary>
    /// <param name="drainTimeout">How long queued messages may still be handled; defaults to <see cref="ActorOptions.DrainTimeout"/>.</param>
    /// <returns>The <see cref="Completion"/> task.</returns>
    public Task StopAsync(TimeSpan? drainTimeout = null)
    {
        var deadline = StopRequest.DeadlineAfter(System.TimeProvider, drainTimeout ?? Options.DrainTimeout);
        return RequestStop(new StopRequest(deadline, Options.StopMode));
    }

    /// <inheritdoc/>
    public override string ToString() => Path;

    internal Task StopCoreAsync(DateTimeOffset deadline) => RequestStop(new StopRequest(deadline, Options.StopMode));

    private protected Task RequestStop(StopRequest request)
    {
        if (Interlocked.CompareExchange(ref _stopRequest, request, null) is null)
        {
            if (Volatile.Read(ref _stoppingCts) is { } cts)
            {
                Arm(cts, request);
            }

            OnStopRequested();
        }

        return _stopped.Task;
    }

    /// <summary>Called once, on the requesting thread, right after the stop request is recorded.</summary>
    private protected abstract void OnStopRequested();

    /// <summary>Makes sure the actor's loop runs soon (it handles messages, escalations and stop requests).</summary>
    private protected abstract void Schedule();

    private protected void MarkStopped()
    {
        if (Volatile.Read(ref _stoppingCts) is { } cts)
        {
            try
            {
                cts.Cancel();
            }
            catch (AggregateException)
            {
                // A handler's cancellation callback threw; the actor is gone either way.
            }
        }

        Parent.ChildStopped(this);
        _stopped.TrySetResult();
    }

    private protected void CountProcessed() => Interlocked.Increment(ref _processed);

    private protected void CountFailure() => Interlocked.Increment(ref _failures);

    private protected void CountRestart() => Interlocked.Increment(ref _restarts);

    private protected void CountRejected(int count) => Interlocked.Add(ref _rejected, count);

    void IActorParent.ChildStopped(ActorRef child) => ChildrenIfAny?.Remove(child);

    void IActorParent.ChildEscalated(ActorRef child, ActorFailure failure)
    {
        Children.AddEscalation(failure);
        Schedule();
    }

    private void Arm(CancellationTokenSource cts, StopRequest stop)
    {
        var remaining = stop.Deadline - System.TimeProvider.GetUtcNow();
        try
        {
            if (stop.Mode == StopMode.Reject || remaining <= TimeSpan.Zero)
            {
                _ = cts.CancelAsync();
            }
            else if (remaining < TimeSpan.FromDays(30))
            {
                cts.CancelAfter(remaining);
            }
        }
        catch (ObjectDisposedException)
        {
            // Lost a race with a concurrent creator; the winning source is armed by its own path.
        }
    }
}
