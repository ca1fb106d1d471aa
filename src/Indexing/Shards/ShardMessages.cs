using Coinshard.Actors;
using Coinshard.Chain.Hashing;

namespace Coinshard.Indexing.Shards;

/// <summary>What a scripthash shard handles.</summary>
internal abstract record ShardMessage;

/// <summary>These keys' coins or history changed at <paramref name="Height"/>: drop cached statuses, re-check subscriptions.</summary>
internal sealed record KeysChanged(ulong[] Keys, int Height) : ShardMessage;

/// <summary>Everything may have changed (index reset, missed change-feed rows): drop the cache, re-check every subscription.</summary>
internal sealed record InvalidateAll(int Height) : ShardMessage;

/// <summary>The current status of a script hash.</summary>
internal sealed record GetStatus(Hash256 Scripthash, IActorRef<ShardReply<ScripthashStatus>> ReplyTo) : ShardMessage;

/// <summary>Adds a subscriber (idempotent) and replies with the current status.</summary>
internal sealed record Subscribe(Hash256 Scripthash, IActorRef<ScripthashStatusChanged> Subscriber, IActorRef<ShardReply<ScripthashStatus>> ReplyTo) : ShardMessage;

/// <summary>Removes a subscriber; replies whether it was subscribed.</summary>
internal sealed record Unsubscribe(Hash256 Scripthash, IActorRef<ScripthashStatusChanged> Subscriber, IActorRef<ShardReply<bool>> ReplyTo) : ShardMessage;

/// <summary>The shard's figures.</summary>
internal sealed record GetShardInfo(IActorRef<ShardInfo> ReplyTo) : ShardMessage;

/// <summary>A reply that carries an expected failure (store unavailable) instead of crashing the shard.</summary>
internal sealed record ShardReply<T>(T? Value, Exception? Error);

/// <summary>One shard's figures for the admin API (<c>coinshard shards show</c>).</summary>
/// <param name="Index">Shard index.</param>
/// <param name="CachedStatuses">Statuses in its cache.</param>
/// <param name="SubscribedScripthashes">Script hashes with at least one subscriber.</param>
/// <param name="Subscribers">Subscriptions (subscriber, script hash).</param>
/// <param name="MailboxDepth">Messages waiting.</param>
public sealed record ShardInfo(int Index, int CachedStatuses, int SubscribedScripthashes, int Subscribers, int MailboxDepth);
