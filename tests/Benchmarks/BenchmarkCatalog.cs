namespace Coinshard.Benchmarks;

/// <summary>Every benchmark the program knows, in run order.</summary>
internal static class BenchmarkCatalog
{
    public static IReadOnlyList<Benchmark> All { get; } =
    [
        new("chain.block_parse", "Parse Bitcoin block 413567: scanner, object model, scan + scripthashes", ChainBenchmarks.BlockParse),
        new("chain.scripthash", "Electrum scripthash (SHA-256 of output scripts)", ChainBenchmarks.Scripthash),
        new("indexing.delta", "Block 413567 through the block → delta builder (scan + resolve), utxo and full mode", IndexingBenchmarks.Delta),
        new("indexing.catchup", "catch-up of a 100,000-transaction litecoind regtest chain (2,000 with --quick) by the real indexer: utxo and full, SQLite (PostgreSQL when COINSHARD_TEST_POSTGRES is set); indexer in a child process; stage profile", CatchupBenchmarks.Catchup),
        new("electrum.idle_sessions", "server memory per idle negotiated session: 10,000 TCP (1,000 with --quick), 2,000 TLS and WebSocket (200); server in a child process", ElectrumBenchmarks.IdleSessions),
        new("electrum.round_trip", "TCP requests per second on one connection with an echo handler, one at a time and pipelined", ElectrumBenchmarks.RoundTrip),
        new("electrum.load", "get_balance and listunspent requests/s and p50/p99 latency: 100 connections, 8 and 1 in flight, random scripthashes of a 100,000-transaction chain (2,000 with --quick); gateway in a child process", ElectrumLoadBenchmark.Run),
        new("backends.router_overhead", "what BackendRouter adds per call over an adapter without I/O: 1 and 3 adapters, an out-of-service one first", BackendBenchmarks.RouterOverhead),
        new("snapshot.read", "dumptxoutset reader on a synthetic mainnet-like file (2,000,000 coins; 200,000 with --quick): decode, scripthash, batches, parallel workers", SnapshotBenchmarks.Read),
        new("storage.bulk_load", "bulk-load a synthetic snapshot of 10,000,000 coins (200,000 with --quick) into SQLite (and PostgreSQL when COINSHARD_TEST_POSTGRES is set): coins/s, bytes/coin, peak RSS", StorageBulkLoadBenchmark.Run),
        new("snapshot.load", "the whole snapshot load (SnapshotLoader): a synthetic 10,000,000-coin file (200,000 with --quick) into SQLite (and PostgreSQL when COINSHARD_TEST_POSTGRES is set), headers and index build included: coins/s, bytes/coin, peak RSS", SnapshotLoadBenchmark.Run),
        new("storage.connect", "connect blocks of 1,000 inputs+outputs (SQLite; PostgreSQL when COINSHARD_TEST_POSTGRES is set)", StorageBenchmarks.ConnectBlocks),
    ];
}
