using Coinshard.Actors.Internal;

namespace Coinshard.Actors;

/// <summary>Request/response on top of one-way messages.</summary>
public static class ActorRefExtensions
{
    /// <summary>
    /// Sends the message built by <paramref name="createMessage"/> (it receives the reply slot, to put in the
    /// message as its reply-to) and waits for the first reply. The timeout is mandatory because an actor that
    /// never replies must not hang its caller; it covers waiting for mailbox room too. Late replies are dropped.
    /// </summary>
    /// <exception cref="AskTimeoutException">No reply within <paramref name="timeout"/>; names the actor and message type.</exception>
    /// <exception cref="ActorStoppedException">The target is stopped, or stopped before handling the message.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is not positive and finite.</exception>
    /// <remarks>When the target's handler throws, the ask fails with that exception.</remarks>
    public static Task<TResponse> AskAsync<TMessage, TResponse>(
        this IActorRef<TMessage> target,
        Func<IActorRef<TResponse>, TMessage> createMessage,
        TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(createMessage);
        if (timeout <= TimeSpan.Zero || timeout == Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "An ask needs a positive, finite timeout.");
        }

        return AskCoreAsync(target, createMessage, timeout, cancellationToken);
    }

    private static async Task<TResponse> AskCoreAsync<TMessage, TResponse>(
        IActorRef<TMessage> target,
        Func<IActorRef<TResponse>, TMessage> createMessage,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var promise = new PromiseRef<TResponse>(target.Path);
        var message = createMessage(promise);
        ArgumentNullException.ThrowIfNull(message, nameof(createMessage));
        var local = target as IMessageTarget<TMessage>;
        using var timeoutSource = new CancellationTokenSource(timeout, local?.TimeProvider ?? TimeProvider.System);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutSource.Token, cancellationToken);
        try
        {
            if (local is not null)
            {
                await local.PostAsync(message, promise, linked.Token).ConfigureAwait(false);
            }
            else
            {
                await target.TellAsync(message, linked.Token).ConfigureAwait(false);
            }

            return await promise.Task.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new AskTimeoutException(target.Path, message.GetType().Name, timeout);
        }
        finally
        {
            promise.Abandon();
        }
    }
}
