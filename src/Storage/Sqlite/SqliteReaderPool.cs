using System.Collections.Concurrent;
using System.Data.Common;

using Coinshard.Storage.Internal;

using Microsoft.Data.Sqlite;

namespace Coinshard.Storage.Sqlite;

/// <summary>
/// Open reader connections kept between reads, each with its statements compiled once: opening a pooled
/// connection and preparing a statement cost more than a point read itself (an Electrum balance is one
/// index range read). At most <see cref="MaxIdle"/> sessions wait here; more concurrent readers get fresh
/// connections that are closed afterwards.
/// </summary>
internal sealed class SqliteReaderPool : IAsyncDisposable
{
    public const int MaxIdle = 32;

    private readonly ConcurrentBag<SqliteReadSession> _idle = [];
    private int _idleCount;
    private volatile bool _disposed;

    public bool TryTake(out SqliteReadSession session)
    {
        if (_idle.TryTake(out session!))
        {
            Interlocked.Decrement(ref _idleCount);
            return true;
        }
        return false;
    }

    /// <summary>Keeps <paramref name="session"/> for the next read; false when the pool is full or closed (the caller closes it).</summary>
    public bool TryReturn(SqliteReadSession session)
    {
        if (_disposed || Interlocked.Increment(ref _idleCount) > MaxIdle)
        {
            Interlocked.Decrement(ref _idleCount);
            return false;
        }
        _idle.Add(session);
        if (_disposed && _idle.TryTake(out var late))
        {
            // Closed while returning: do not leave it behind.
            Interlocked.Decrement(ref _idleCount);
            late.Close();
        }
        return true;
    }

    public ValueTask DisposeAsync()
    {
        _disposed = true;
        while (_idle.TryTake(out var session))
        {
            Interlocked.Decrement(ref _idleCount);
            session.Close();
        }
        return ValueTask.CompletedTask;
    }
}

/// <summary>One open SQLite reader connection with its prepared commands, by SQL text.</summary>
internal sealed class SqliteReadSession(SqliteConnection connection, SqliteReaderPool pool) : ReadSession
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private bool _discard;

    public override DbConnection Connection => connection;

    public override DbCommand Command(string sql)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            _commands[sql] = command;
        }
        return command;
    }

    public override void Discard() => _discard = true;

    public override ValueTask DisposeAsync()
    {
        if (_discard || !pool.TryReturn(this))
        {
            Close();
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Finalizes the statements and closes the connection (its handle goes back to Microsoft.Data.Sqlite's pool).</summary>
    public void Close()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }
        _commands.Clear();
        connection.Dispose();
    }
}
