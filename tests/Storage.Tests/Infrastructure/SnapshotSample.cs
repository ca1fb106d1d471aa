using Coinshard.Chain.Hashing;
using Coinshard.Chain.Transactions;

namespace Coinshard.Storage.Tests.Infrastructure;

/// <summary>Synthetic snapshot data: coins in dumptxoutset order, a linked header chain, and txids made to collide.</summary>
internal static class SnapshotSample
{
    /// <summary>
    /// <paramref name="count"/> coins in ascending (txid, vout) order, 1 to 4 per transaction (vouts with gaps),
    /// over <paramref name="keys"/>, heights up to <paramref name="baseHeight"/>, values from zero and dust up to 30 BTC.
    /// </summary>
    public static List<SnapshotCoin> Coins(int seed, int count, IReadOnlyList<ulong> keys, int baseHeight)
    {
        var random = new Random(seed);
        var coins = new List<SnapshotCoin>(count);
        while (coins.Count < count)
        {
            var txid = RandomHash(random);
            var height = random.Next(baseHeight + 1);
            var coinbase = random.Next(20) == 0;
            var vout = (uint)random.Next(2);
            for (var i = 1 + random.Next(4); i > 0 && coins.Count < count; i--)
            {
                // Log-uniform from dust to 30 BTC, as in a real UTXO set; a few zero-value outputs.
                var value = random.Next(50) == 0 ? 0 : (long)Math.Pow(10, 2.5 + (6.0 * random.NextDouble()));
                coins.Add(new SnapshotCoin(new OutPoint(txid, vout), keys[random.Next(keys.Count)], value, height, coinbase));
                vout += 1 + (uint)random.Next(3);
            }
        }
        coins.Sort((a, b) => a.OutPoint.CompareTo(b.OutPoint));
        return coins;
    }

    /// <summary>Headers 0..<paramref name="baseHeight"/>, each linking to the previous one.</summary>
    public static List<byte[]> Headers(int seed, int baseHeight)
    {
        var random = new Random(seed);
        var headers = new List<byte[]>(baseHeight + 1);
        var parent = Hash256.Zero;
        for (var height = 0; height <= baseHeight; height++)
        {
            var header = new byte[80];
            random.NextBytes(header);
            parent.CopyTo(header.AsSpan(4, 32));
            parent = Hashes.DoubleSha256(header);
            headers.Add(header);
        }
        return headers;
    }

    /// <summary><paramref name="txid"/> with its first <paramref name="bytes"/> bytes taken from <paramref name="prefixOf"/>: a forced prefix collision.</summary>
    public static Hash256 WithPrefix(Hash256 txid, Hash256 prefixOf, int bytes)
    {
        var target = txid.ToArray();
        prefixOf.ToArray().AsSpan(0, bytes).CopyTo(target);
        return new Hash256(target);
    }

    public static Hash256 RandomHash(Random random)
    {
        var bytes = new byte[32];
        random.NextBytes(bytes);
        return new Hash256(bytes);
    }
}
