namespace Coinshard.Actors.Sharding;

/// <summary>
/// Returns the routing key of a message, for example its 32-byte scripthash (in SHA-256 output order, as
/// <c>Hash256</c> stores it). Messages with equal keys always reach the same shard, in the order sent.
/// </summary>
public delegate ReadOnlySpan<byte> ShardKeySelector<in TMessage>(TMessage message);
