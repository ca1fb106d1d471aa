using System.Data.Common;

namespace Coinshard.Storage.Internal;

/// <summary>
/// A reader's connection for one read: commands come from <see cref="Command"/> so that an engine can keep
/// them prepared across reads (SQLite: an open connection from our own pool with its statements compiled once;
/// PostgreSQL: Npgsql's pool and auto-prepare). Dispose it when the read is done; <see cref="Discard"/> first
/// when the read failed, so that a connection in an unknown state is closed instead of reused.
/// </summary>
internal abstract class ReadSession : IAsyncDisposable
{
    /// <summary>The connection (for engine-specific code).</summary>
    public abstract DbConnection Connection { get; }

    /// <summary>A command for <paramref name="sql"/>; set its parameters with <see cref="Db.Set"/>.</summary>
    public abstract DbCommand Command(string sql);

    /// <summary>Do not reuse this session's connection.</summary>
    public abstract void Discard();

    /// <inheritdoc />
    public abstract ValueTask DisposeAsync();
}
