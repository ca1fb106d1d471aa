namespace Coinshard.Actors.Internal;

/// <summary>Lets the actor system fail a pending ask without knowing its response type.</summary>
internal interface IPromise
{
    void Fail(Exception exception);
}

/// <summary>
/// The reply slot of one ask: an actor reference that completes the asker's task with the first reply.
/// Replies after completion (late or duplicate) are ignored, because the asker has gone away; a replying actor
/// must never fail because an asker timed out.
/// </summary>
internal sealed class PromiseRef<TResponse>(string targetPath) : IActorRef<TResponse>, IPromise
{
    private readonly TaskCompletionSource<TResponse> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Path { get; } = targetPath + "/$ask";

    public Task<TResponse> Task => _reply.Task;

    public bool TryTell(TResponse message) => _reply.TrySetResult(message);

    public ValueTask TellAsync(TResponse message, CancellationToken cancellationToken = default)
    {
        _reply.TrySetResult(message);
        return ValueTask.CompletedTask;
    }

    public void Fail(Exception exception) => _reply.TrySetException(exception);

    public void Abandon() => _reply.TrySetCanceled();
}
