namespace Coinshard.Indexing.Snapshots;

/// <summary>A snapshot file to load into an empty index (configured, or asked for through the admin API).</summary>
/// <param name="Path">The <c>dumptxoutset</c> file.</param>
/// <param name="DustLimit">Skip outputs below this many satoshis (0: none).</param>
public sealed record SnapshotSource(string Path, long DustLimit = 0);

/// <summary>A snapshot load of this process: what it loads and how far it got (for the admin API).</summary>
/// <param name="Source">The file and dust limit.</param>
/// <param name="Progress">The latest progress.</param>
/// <param name="Error">Why it failed (one line), or null.</param>
/// <param name="Result">What it loaded, once complete.</param>
/// <param name="StartedAt">When it began.</param>
public sealed record SnapshotLoadReport(SnapshotSource Source, SnapshotLoadProgress Progress, string? Error, SnapshotLoadResult? Result, DateTimeOffset StartedAt)
{
    /// <summary>True while the load runs.</summary>
    public bool IsRunning => Progress.Phase is not (SnapshotLoadPhase.Complete or SnapshotLoadPhase.Failed) && Error is null;
}

/// <summary>The running load: its task, its cancellation and its latest progress (kept across follower restarts).</summary>
internal sealed class SnapshotLoadJob : IProgress<SnapshotLoadProgress>
{
    private volatile SnapshotLoadReport _report;

    public SnapshotLoadJob(SnapshotSource source, DateTimeOffset now)
    {
        Source = source;
        _report = new SnapshotLoadReport(source, new SnapshotLoadProgress(SnapshotLoadPhase.Locating, 0, 0, 0, 0, 0, 0, null, 0, -1, TimeSpan.Zero), null, null, now);
    }

    public SnapshotSource Source { get; }

    public CancellationTokenSource Cancel { get; } = new();

    public Task<SnapshotLoadResult>? Task { get; set; }

    public SnapshotLoadReport Current => _report;

    public bool IsFinished => Task is { IsCompleted: true };

    public void Report(SnapshotLoadProgress value) => _report = _report with { Progress = value };

    public void Finish(SnapshotLoadResult? result, string? error) =>
        _report = _report with
        {
            Result = result,
            Error = error,
            Progress = _report.Progress with { Phase = error is null ? SnapshotLoadPhase.Complete : SnapshotLoadPhase.Failed, Eta = null },
        };

    /// <summary>Starts <paramref name="load"/> on the pool; the report records the outcome.</summary>
    public void Start(Func<SnapshotLoadJob, CancellationToken, Task<SnapshotLoadResult>> load) =>
        Task = System.Threading.Tasks.Task.Run(async () =>
        {
            try
            {
                var result = await load(this, Cancel.Token).ConfigureAwait(false);
                Finish(result, null);
                return result;
            }
            catch (Exception e)
            {
                Finish(null, e is OperationCanceledException ? "interrupted (shutting down)" : e.Message);
                throw;
            }
        });
}
