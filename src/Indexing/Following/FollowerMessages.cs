using Coinshard.Actors;

namespace Coinshard.Indexing.Following;

/// <summary>What the chain follower handles.</summary>
internal abstract record FollowerMessage;

/// <summary>Do the next unit of work (one batch, one wait for a tip, one retry); stale generations are ignored.</summary>
internal sealed record Step(long Generation) : FollowerMessage;

/// <summary>The lease keeper could not renew: stop writing. <paramref name="StoreFailing"/>: it expired because the store kept failing, not because another process took it.</summary>
internal sealed record LeaseLost(long KeeperId, string Reason, bool StoreFailing) : FollowerMessage;

/// <summary>Operator rewind to a height.</summary>
internal sealed record RewindRequest(int Height, IActorRef<CommandReply<RewindResult>> ReplyTo) : FollowerMessage;

/// <summary>Operator reset: empty the index and rebuild from the start height.</summary>
internal sealed record ResetRequest(IActorRef<CommandReply<bool>> ReplyTo) : FollowerMessage;

/// <summary>Operator snapshot load: into the empty index (or, with <paramref name="Reset"/>, after emptying it).</summary>
internal sealed record SnapshotLoadRequest(Snapshots.SnapshotSource Source, bool Reset, IActorRef<CommandReply<bool>> ReplyTo) : FollowerMessage;

/// <summary>A command's outcome; expected failures travel here instead of crashing the follower.</summary>
internal sealed record CommandReply<T>(T? Value, Exception? Error);
