namespace Coinshard.Indexing;

/// <summary>
/// An operator command (rewind, reset) reached a node that does not hold the currency's follower lease:
/// only the writer may change the index. Send it to the node whose status shows <c>HoldsLease</c>.
/// </summary>
public sealed class NotWriterException(string message) : InvalidOperationException(message);
