namespace Coinshard.Indexing.Snapshots;

/// <summary>
/// A snapshot cannot be loaded: the file is malformed (the message names the byte offset), for another network,
/// or its base block is not in the backend's chain, or the backend's headers do not check out.
/// </summary>
public sealed class SnapshotLoadException(string message, Exception? inner = null) : Exception(message, inner);
