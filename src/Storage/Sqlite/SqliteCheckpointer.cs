using Microsoft.Data.Sqlite;

namespace Coinshard.Storage.Sqlite;

/// <summary>
/// Copies the WAL back into the database file on its own connection and thread, so that the writer's
/// commits do not pay for checkpoints (page copies plus an fsync). It runs a PASSIVE checkpoint a short
/// while after commits, coalescing bursts; PASSIVE never blocks the writer or readers. The writer keeps
/// a high automatic-checkpoint threshold as a safety net should this fall behind.
/// </summary>
internal sealed class SqliteCheckpointer : IAsyncDisposable
{
    private static readonly TimeSpan s_coalesce = TimeSpan.FromMilliseconds(250);

    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private SqliteCheckpointer(SqliteConnection connection)
    {
        _connection = connection;
        _loop = Task.Run(RunAsync);
    }

    public static async Task<SqliteCheckpointer> StartAsync(string connectionString, CancellationToken ct)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct).ConfigureAwait(false);
        return new SqliteCheckpointer(connection);
    }

    /// <summary>Asks for a checkpoint soon (after a commit). Never blocks.</summary>
    public void Signal()
    {
        try
        {
            if (_signal.CurrentCount == 0)
            {
                _signal.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        await _connection.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
        _signal.Dispose();
    }

    private async Task RunAsync()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        while (!_stop.IsCancellationRequested)
        {
            await _signal.WaitAsync(_stop.Token).ConfigureAwait(false);
            await Task.Delay(s_coalesce, _stop.Token).ConfigureAwait(false);
            try
            {
                await command.ExecuteNonQueryAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (SqliteException)
            {
                // A busy or failed checkpoint is retried at the next signal; the writer's own
                // automatic checkpoint bounds the WAL meanwhile.
            }
        }
    }
}
