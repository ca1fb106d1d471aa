using Coinshard.Chain.Blocks;
using Coinshard.Chain.Transactions;
namespace Coinshard.Storage;

/// <summary>
/// Base type of every error the store raises on purpose. Subtypes say what went wrong so callers can
/// react (retry, stop the follower, tell the operator). Messages never contain connection secrets.
/// </summary>
public class StoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StoreException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }

    /// <summary>True when retrying the same call later may succeed (lock contention, a dropped connection).</summary>
    public virtual bool IsTransient => false;
}

/// <summary>The database cannot be opened or reached: missing directory, unwritable file, server down, disk full.</summary>
public class StoreUnavailableException : StoreException
{
    private readonly bool _transient;

    /// <summary>Creates the exception; <paramref name="transient"/> marks conditions that may clear by themselves (server unreachable).</summary>
    public StoreUnavailableException(string message, Exception? inner = null, bool transient = false)
        : base(message, inner) => _transient = transient;

    /// <inheritdoc />
    public override bool IsTransient => _transient;
}

/// <summary>The database refused the credentials or the permissions are missing. Not retryable until configuration changes.</summary>
public sealed class StoreAccessDeniedException(string message, Exception? inner = null)
    : StoreUnavailableException(message, inner);

/// <summary>Another connection or process held a lock for longer than the busy timeout.</summary>
public sealed class StoreBusyException(string message, Exception? inner = null)
    : StoreException(message, inner)
{
    /// <inheritdoc />
    public override bool IsTransient => true;
}

/// <summary>
/// The connection broke during an operation. Nothing is half-written (the transaction rolled back,
/// or, if the break hit the commit acknowledgement, it committed whole): re-read the tip, then retry.
/// </summary>
public sealed class StoreConnectionLostException(string message, Exception? inner = null)
    : StoreException(message, inner)
{
    /// <inheritdoc />
    public override bool IsTransient => true;
}

/// <summary>The database was migrated by a newer Coinshard than this one.</summary>
public sealed class SchemaTooNewException(string component, int databaseVersion, int knownVersion)
    : StoreException(
        $"the database schema of '{component}' is version {databaseVersion}, but this Coinshard knows versions up to {knownVersion}; " +
        "run a Coinshard at least as new as the one that upgraded the database, or point this one at another database")
{
    /// <summary>Schema component (<c>coinshard</c> or a currency).</summary>
    public string Component { get; } = component;

    /// <summary>Version found in the database.</summary>
    public int DatabaseVersion { get; } = databaseVersion;

    /// <summary>Newest version this build knows.</summary>
    public int KnownVersion { get; } = knownVersion;
}

/// <summary>The currency's tables were initialized with other settings (network, mode, shard count, history start).</summary>
public sealed class StoreSettingsMismatchException(string message) : StoreException(message);

/// <summary>A write was attempted before <see cref="ChainStore.InitializeAsync"/> recorded the currency's settings.</summary>
public sealed class StoreNotInitializedException(string message) : StoreException(message);

/// <summary>The operation needs another index mode (history in a utxo-mode index).</summary>
public sealed class StoreModeException(string message) : StoreException(message);

/// <summary>
/// The store's data and the request disagree in a way that must not happen in a correct index: a spent
/// coin that is not in the UTXO set, a created coin that already exists, corrupt undo data. Nothing was written.
/// </summary>
public sealed class StoreConsistencyException(string message, OutPoint? outPoint = null, Exception? inner = null)
    : StoreException(message, inner)
{
    /// <summary>The outpoint concerned, when there is one.</summary>
    public OutPoint? OutPoint { get; } = outPoint;
}

/// <summary>A block's parent is not the stored tip, or the tip is not the block the caller expected to disconnect.</summary>
public sealed class ChainTipMismatchException(string message, ChainTip? actualTip)
    : StoreException(message)
{
    /// <summary>The stored tip at the time (null for an empty chain).</summary>
    public ChainTip? ActualTip { get; } = actualTip;
}

/// <summary>The tip has no undo data (it is older than the undo window): a reorg this deep needs an operator rewind.</summary>
public sealed class UndoUnavailableException(string message) : StoreException(message);

/// <summary>The writer's lease expired or was taken over (fencing): the write was refused and nothing was written.</summary>
public sealed class LeaseLostException(string message) : StoreException(message);

/// <summary>
/// A snapshot load of the currency is in progress or was interrupted: the index is not served (every
/// read is refused) and chain writes are refused until the load completes or is aborted
/// (<see cref="ChainStore.AbortBulkLoadAsync"/> or <see cref="ChainStore.ResetAsync"/>).
/// </summary>
public sealed class StoreLoadingException(string message, Exception? inner = null)
    : StoreException(message, inner)
{
    /// <inheritdoc />
    public override bool IsTransient => true;
}

/// <summary>The operation needs an empty currency (a snapshot load), but the index holds a chain.</summary>
public sealed class StoreNotEmptyException(string message) : StoreException(message);
