using System.Threading.Channels;

using Coinshard.Actors.Internal;
using Coinshard.Actors.Supervision;

namespace Coinshard.Actors;

/// <summary>
/// A typed reference to a live actor, and the actor's runtime: a bounded mailbox plus a processing loop that is
/// queued on the thread pool only while there is something to do. An idle actor holds no thread and no pending
/// task, only this object, its empty mailbox and its instance.
/// </summary>
/// <typeparam name="TMessage">The messages the actor handles (usually an immutable record or a small record hierarchy).</typeparam>
public sealed class ActorRef<TMessage> : ActorRef, IActorRef<TMessage>, IMessageTarget<TMessage>
{
    private readonly Func<Actor<TMessage>> _factory;
    private readonly Channel<Envelope<TMessage>> _mailbox;
    private readonly Turn _turn;

    // Only the loop touches these (one turn at a time, ordered by _scheduled).
    private Actor<TMessage>? _instance;
    private bool _started;
    private bool _rejectRest;
    private Queue<DateTimeOffset>? _recentFailures;
    private ActorFailure? _escalation;

    private CancellationTokenSource? _backoff;
    private int _scheduled;

    internal ActorRef(ActorSystem system, IActorParent parent, string name, Func<Actor<TMessage>> factory, ActorOptions options)
        : base(system, parent, name, options)
    {
        _factory = factory;
        _turn = new Turn(this);
        _mailbox = Channel.CreateBounded<Envelope<TMessage>>(new BoundedChannelOptions(options.MailboxCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
    }

    /// <inheritdoc/>
    public override int MailboxDepth => _mailbox.Reader.Count;

    TimeProvider IMessageTarget<TMessage>.TimeProvider => System.TimeProvider;

    /// <inheritdoc/>
    public bool TryTell(TMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!_mailbox.Writer.TryWrite(new Envelope<TMessage>(message, null)))
        {
            return false;
        }

        Schedule();
        return true;
    }

    /// <inheritdoc/>
    public ValueTask TellAsync(TMessage message, CancellationToken cancellationToken = default) =>
        PostAsync(message, null, cancellationToken);

    /// <summary>
    /// Sends the message built by <paramref name="createMessage"/> (which receives the reply slot to put in the
    /// message) and waits for the first reply.
    /// </summary>
    /// <exception cref="AskTimeoutException">No reply within <paramref name="timeout"/> (time spent waiting for mailbox space included).</exception>
    /// <exception cref="ActorStoppedException">The actor is stopped, or stopped before handling the message.</exception>
    /// <remarks>If the handler throws, the ask fails with that exception.</remarks>
    public Task<TResponse> AskAsync<TResponse>(Func<IActorRef<TResponse>, TMessage> createMessage, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        ActorRefExtensions.AskAsync(this, createMessage, timeout, cancellationToken);

    ValueTask IMessageTarget<TMessage>.PostAsync(TMessage message, IPromise? promise, CancellationToken cancellationToken) =>
        PostAsync(message, promise, cancellationToken);

    internal void Start() => Schedule();

    private protected override void Schedule()
    {
        if (Interlocked.Exchange(ref _scheduled, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(_turn, preferLocal: false);
        }
    }

    private protected override void OnStopRequested()
    {
        _mailbox.Writer.TryComplete();
        try
        {
            Volatile.Read(ref _backoff)?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The backoff just ended; the loop sees the stop request on its own.
        }

        Schedule();
    }

    private ValueTask PostAsync(TMessage message, IPromise? promise, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_mailbox.Writer.TryWrite(new Envelope<TMessage>(message, promise)))
        {
            Schedule();
            return ValueTask.CompletedTask;
        }

        return PostWhenRoomAsync(message, promise, cancellationToken);
    }

    private async ValueTask PostWhenRoomAsync(TMessage message, IPromise? promise, CancellationToken cancellationToken)
    {
        try
        {
            await _mailbox.Writer.WriteAsync(new Envelope<TMessage>(message, promise), cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new ActorStoppedException(Path, TypeName(message));
        }

        Schedule();
    }

    private bool HasWork =>
        _mailbox.Reader.Count > 0 || PendingStop is not null || ChildrenIfAny is { HasEscalations: true };

    private async Task RunAsync()
    {
        while (true)
        {
            try
            {
                await RunTurnAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // Handler exceptions never get here; this is a bug in the runtime. Do not leave a zombie behind.
                Log.InternalError(System.Logger, Path, ex);
                _mailbox.Writer.TryComplete();
                RejectPending();
                MarkStopped();
            }

            if (IsStopped)
            {
                return; // _scheduled stays 1: a stopped actor is never scheduled again.
            }

            // Publish "idle", then look again: a sender that saw _scheduled == 1 relies on this re-check.
            Interlocked.Exchange(ref _scheduled, 0);
            if (!HasWork || Interlocked.Exchange(ref _scheduled, 1) != 0)
            {
                return;
            }
        }
    }

    private async Task RunTurnAsync()
    {
        if (!_started)
        {
            _started = true;
            if (await TryCreateInstanceAsync().ConfigureAwait(false) is { } startError)
            {
                await RecoverAsync(startError, null).ConfigureAwait(false);
            }
        }

        var budget = Options.Throughput;
        while (true)
        {
            if (ChildrenIfAny?.TakeEscalation() is { } escalated)
            {
                if (PendingStop is null)
                {
                    await RecoverAsync(new ActorEscalationException(escalated), escalated.MessageType).ConfigureAwait(false);
                }
                else
                {
                    LogEscalationWhileStopping(escalated);
                }

                continue;
            }

            if (PendingStop is { } stop)
            {
                await FinishStopAsync(stop).ConfigureAwait(false);
                return;
            }

            if (!_mailbox.Reader.TryRead(out var envelope))
            {
                return;
            }

            await InvokeAsync(envelope).ConfigureAwait(false);
            if (--budget == 0)
            {
                budget = Options.Throughput;
                await Task.Yield();
            }
        }
    }

    private async Task InvokeAsync(Envelope<TMessage> envelope)
    {
        try
        {
            await _instance!.InvokeReceiveAsync(envelope.Message).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            envelope.Promise?.Fail(ex);
            await RecoverAsync(ex, TypeName(envelope.Message)).ConfigureAwait(false);
            return;
        }

        CountProcessed();
    }

    private async Task<Exception?> TryCreateInstanceAsync()
    {
        try
        {
            var instance = _factory() ?? throw new InvalidOperationException($"The factory of actor '{Path}' returned null.");
            instance.Attach(this);
            _instance = instance;
            await instance.InvokePreStartAsync().ConfigureAwait(false);
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    /// <summary>
    /// Applies the supervision strategy to a failure. Returns with a fresh running instance, or with a stop
    /// request recorded (which the loop then carries out).
    /// </summary>
    private async Task RecoverAsync(Exception error, string? messageType)
    {
        while (true)
        {
            CountFailure();
            var shownType = messageType ?? "start-up";
            if (PendingStop is not null)
            {
                // Already stopping: the instance is not worth restarting; reject what is left.
                Log.FailedWhileStopping(System.Logger, Path, shownType, error);
                _rejectRest = true;
                return;
            }

            var now = System.TimeProvider.GetUtcNow();
            var strategy = Options.Supervision;
            SupervisionDirective directive;
            try
            {
                directive = strategy.Decide(error);
            }
            catch (Exception deciderError)
            {
                GiveUp(new ActorFailure(Path, messageType, error, now, $"its supervision decider threw {deciderError.GetType().Name}: {deciderError.Message}"));
                return;
            }

            if (directive == SupervisionDirective.Stop)
            {
                Log.StoppingAfterFailure(System.Logger, Path, shownType, error);
                _ = RequestStop(new StopRequest(now, StopMode.Reject));
                return;
            }

            if (directive == SupervisionDirective.Escalate)
            {
                GiveUp(new ActorFailure(Path, messageType, error, now, "its supervision strategy escalates"));
                return;
            }

            var failures = RecordFailure(now, strategy.Window);
            if (failures > strategy.MaxRestarts)
            {
                GiveUp(new ActorFailure(Path, messageType, error, now, $"{failures} failures within {strategy.Window}"));
                return;
            }

            var backoff = strategy.BackoffFor(failures);
            Log.Restarting(System.Logger, Path, shownType, failures, strategy.Window, strategy.MaxRestarts, backoff, error);
            await DiscardInstanceAsync(now).ConfigureAwait(false);
            if (!await BackoffAsync(backoff).ConfigureAwait(false))
            {
                return;
            }

            CountRestart();
            if (await TryCreateInstanceAsync().ConfigureAwait(false) is not { } startError)
            {
                return;
            }

            error = startError;
            messageType = null;
        }
    }

    /// <summary>Stops this actor and, once it is stopped, hands the failure to the parent (logged there).</summary>
    private void GiveUp(ActorFailure failure)
    {
        _escalation = failure;
        _ = RequestStop(new StopRequest(failure.Timestamp, StopMode.Reject));
    }

    private int RecordFailure(DateTimeOffset now, TimeSpan window)
    {
        var recent = _recentFailures ??= new Queue<DateTimeOffset>();
        while (recent.Count > 0 && now - recent.Peek() >= window)
        {
            recent.Dequeue();
        }

        recent.Enqueue(now);
        return recent.Count;
    }

    /// <returns>False when a stop was requested before the backoff ended.</returns>
    private async Task<bool> BackoffAsync(TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            return PendingStop is null;
        }

        using var cancel = new CancellationTokenSource();
        Interlocked.Exchange(ref _backoff, cancel); // full fence before reading the stop request
        try
        {
            if (PendingStop is null)
            {
                await Task.Delay(delay, System.TimeProvider, cancel.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Stop requested during the backoff.
        }
        finally
        {
            Interlocked.Exchange(ref _backoff, null);
        }

        return PendingStop is null;
    }

    /// <summary>Stops the children (newest first) and runs <c>PostStopAsync</c> of the current instance.</summary>
    private async Task DiscardInstanceAsync(DateTimeOffset childDeadline)
    {
        if (ChildrenIfAny is { } children)
        {
            await children.StopAllAsync(childDeadline).ConfigureAwait(false);
        }

        var instance = _instance;
        _instance = null;
        if (instance is null)
        {
            return;
        }

        try
        {
            await instance.InvokePostStopAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.HookFailed(System.Logger, Path, "PostStopAsync", ex);
        }
    }

    /// <summary>
    /// Ordered stop: drain own mailbox (until the deadline) or reject it, stop the children newest first, run
    /// <c>PostStopAsync</c>, tell the parent, complete.
    /// </summary>
    private async Task FinishStopAsync(StopRequest stop)
    {
        Children.Close();
        if (stop.Mode == StopMode.Drain)
        {
            await DrainAsync(stop.Deadline).ConfigureAwait(false);
        }

        var rejected = RejectPending();
        if (rejected > 0)
        {
            if (stop.Mode == StopMode.Drain && _escalation is null)
            {
                Log.DrainDeadlinePassed(System.Logger, Path, rejected);
            }
            else
            {
                Log.RejectedOnStop(System.Logger, Path, rejected);
            }
        }

        await DiscardInstanceAsync(stop.Deadline).ConfigureAwait(false);
        while (ChildrenIfAny?.TakeEscalation() is { } late)
        {
            LogEscalationWhileStopping(late);
        }

        if (_escalation is { } failure)
        {
            Parent.ChildEscalated(this, failure);
        }

        MarkStopped();
    }

    private async Task DrainAsync(DateTimeOffset deadline)
    {
        while (!_rejectRest && _instance is not null && System.TimeProvider.GetUtcNow() < deadline
            && _mailbox.Reader.TryRead(out var envelope))
        {
            await InvokeAsync(envelope).ConfigureAwait(false);
        }
    }

    private int RejectPending()
    {
        var count = 0;
        while (_mailbox.Reader.TryRead(out var envelope))
        {
            envelope.Promise?.Fail(new ActorStoppedException(Path, TypeName(envelope.Message)));
            count++;
        }

        CountRejected(count);
        return count;
    }

    private void LogEscalationWhileStopping(ActorFailure failure) =>
        Log.EscalationWhileStopping(System.Logger, Path, failure.ActorPath, failure.MessageType ?? "start-up", failure.Reason, failure.Exception);

    private static string TypeName(TMessage message) => message!.GetType().Name;

    /// <summary>
    /// The thread-pool work item that runs the loop. A private object rather than the reference itself, so no
    /// holder of the reference can start a second concurrent loop by calling <c>Execute</c>.
    /// </summary>
    private sealed class Turn(ActorRef<TMessage> actor) : IThreadPoolWorkItem
    {
        public void Execute() => _ = actor.RunAsync();
    }
}
