using System.Diagnostics;

using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.Storage.Tests.Infrastructure;

namespace Coinshard.Storage.Tests.Conformance;

/// <summary>
/// The child process of the interrupted-load test: takes the follower lease, begins a snapshot load of
/// <see cref="Coins"/> coins, writes the headers and two batches, and inside the third batch's
/// transaction, after its rows are written but before COMMIT, prints READY and waits to be killed.
/// </summary>
internal static class CrashLoader
{
    public const string Verb = "crash-loader";
    public const int Coins = 3000;
    public const int Batch = 1000;
    public const int BaseHeight = 30;

    public static IReadOnlyList<ulong> Keys { get; } = [.. Enumerable.Range(1, 20).Select(i => (ulong)i * 0x9E3779B97F4A7C15UL)];

    public static List<SnapshotCoin> Snapshot() => SnapshotSample.Coins(77, Coins, Keys, BaseHeight);

    public static List<byte[]> Headers() => SnapshotSample.Headers(77, BaseHeight);

    public static BulkLoadTarget Target() => new(BaseHeight, Hashes.DoubleSha256(Headers()[^1]), Coins);

    public static async Task<int> RunAsync(string engine)
    {
        var connection = Environment.GetEnvironmentVariable(CrashWriter.ConnectionVariable)
            ?? throw new InvalidOperationException($"{CrashWriter.ConnectionVariable} is not set");
        await using var store = await ChainStore.OpenAsync(new StoreOptions(Enum.Parse<StoreEngine>(engine), connection), Currency.Bitcoin);
        var lease = await store.TryAcquireLeaseAsync("crash-loader", TimeSpan.FromSeconds(60))
            ?? throw new InvalidOperationException("the crash loader could not take the lease");
        var loader = await store.BeginBulkLoadAsync(Target(), lease);
        await loader.AddHeadersAsync(0, Headers());
        var batches = 0;
        store.LoadFaultInjection = point =>
        {
            if (point == "load:before-commit" && ++batches == 3)
            {
                Console.Out.WriteLine("READY");
                Console.Out.Flush();
                Thread.Sleep(Timeout.Infinite);
            }
            return Task.CompletedTask;
        };
        foreach (var batch in Snapshot().Chunk(Batch))
        {
            await loader.AddAsync(batch);
        }
        Console.Out.WriteLine("LOADED (the parent should have killed this process)");
        return 1;
    }

    public static Process Start(StoreOptions options)
    {
        var dotnet = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
        var start = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(typeof(CrashLoader).Assembly.Location);
        start.ArgumentList.Add(Verb);
        start.ArgumentList.Add(options.Engine.ToString());
        start.Environment[CrashWriter.ConnectionVariable] = options.ConnectionString;
        return Process.Start(start) ?? throw new InvalidOperationException("could not start the crash loader");
    }
}
