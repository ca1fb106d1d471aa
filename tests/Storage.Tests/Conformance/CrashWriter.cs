using System.Diagnostics;

using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Transactions;

namespace Coinshard.Storage.Tests.Conformance;

/// <summary>
/// The child process of the crash test: takes the lease, builds a block that spends coins of one
/// scripthash and creates new ones, and inside <see cref="ChainStore.ConnectBlockAsync"/>, after every
/// row is written but before COMMIT, prints READY and waits to be killed.
/// </summary>
internal static class CrashWriter
{
    public const string Verb = "crash-writer";
    public const string ConnectionVariable = "COINSHARD_CRASH_CONNECTION";

    public static async Task<int> RunAsync(string engine, string scripthashHex)
    {
        var connection = Environment.GetEnvironmentVariable(ConnectionVariable)
            ?? throw new InvalidOperationException($"{ConnectionVariable} is not set");
        var options = new StoreOptions(Enum.Parse<StoreEngine>(engine), connection);
        await using var store = await ChainStore.OpenAsync(options, Currency.Bitcoin);
        var lease = await store.TryAcquireLeaseAsync("crash-writer", TimeSpan.FromSeconds(60))
            ?? throw new InvalidOperationException("the crash writer could not take the lease");
        var tip = await store.GetTipAsync() ?? throw new InvalidOperationException("empty chain");
        var spent = await store.GetCoinsByScripthashAsync(Hash256.Parse(scripthashHex), 50);
        if (spent.Count == 0)
        {
            throw new InvalidOperationException("no coins to spend");
        }

        var random = new Random(7);
        var header = new byte[80];
        random.NextBytes(header);
        tip.Hash.CopyTo(header.AsSpan(4, 32));
        var height = tip.Height + 1;
        var txid = RandomHash(random);
        var created = Enumerable.Range(0, 20)
            .Select(i => new StoredCoin(new OutPoint(txid, (uint)i), (ulong)random.NextInt64(), 1000 + i, height, false, 0))
            .ToList();
        var history = spent.Select(c => c.ScripthashKey).Concat(created.Select(c => c.ScripthashKey)).Distinct()
            .Select(k => new BlockHistoryEntry(k, 0, txid)).ToList();
        var delta = new BlockDelta(height, Hashes.DoubleSha256(header), header, spent, created) { TxIds = [txid], History = history };

        store.FaultInjection = (point, _) =>
        {
            if (point == "connect:before-commit")
            {
                Console.Out.WriteLine("READY");
                Console.Out.Flush();
                Thread.Sleep(Timeout.Infinite);
            }
            return Task.CompletedTask;
        };
        await store.ConnectBlockAsync(delta, lease);
        Console.Out.WriteLine("COMMITTED (the parent should have killed this process)");
        return 1;
    }

    /// <summary>Starts the child for the store at <paramref name="options"/>.</summary>
    public static Process Start(StoreOptions options, Hash256 scripthash)
    {
        var dotnet = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(typeof(CrashWriter).Assembly.Location);
        start.ArgumentList.Add(Verb);
        start.ArgumentList.Add(options.Engine.ToString());
        start.ArgumentList.Add(scripthash.ToString());
        start.Environment[ConnectionVariable] = options.ConnectionString;
        return Process.Start(start) ?? throw new InvalidOperationException("could not start the crash writer");
    }

    private static Hash256 RandomHash(Random random)
    {
        var bytes = new byte[32];
        random.NextBytes(bytes);
        return new Hash256(bytes);
    }
}
