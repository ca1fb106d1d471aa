using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Coinshard.Actors.Sharding;

/// <summary>
/// The stable key → shard mapping: <c>shard = UInt64LittleEndian(SHA-256(key)[0..8]) mod shardCount</c>.
/// </summary>
/// <remarks>
/// The mapping must be identical in every process, on every node of a cluster and in every future .NET version,
/// because the shard count is recorded in the store. Hence no <c>GetHashCode</c>/<c>HashCode</c> (randomised per
/// process). SHA-256 (FIPS 180-4, in the framework) spreads any key evenly, including short or structured ones
/// on which simple hashes such as FNV-1a cluster modulo a power of two; and it is specified everywhere, so the
/// mapping can be recomputed in SQL or another language. It costs well under a microsecond for a 32-byte
/// scripthash.
/// </remarks>
public static class ShardHash
{
    /// <summary>The 64-bit routing hash of <paramref name="key"/>: the first 8 bytes of its SHA-256, little-endian.</summary>
    public static ulong Hash64(ReadOnlySpan<byte> key)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(key, digest);
        return BinaryPrimitives.ReadUInt64LittleEndian(digest);
    }

    /// <summary>The shard (0 … <paramref name="shardCount"/> − 1) that owns <paramref name="key"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shardCount"/> is less than 1.</exception>
    public static int ShardIndex(ReadOnlySpan<byte> key, int shardCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        return (int)(Hash64(key) % (ulong)shardCount);
    }
}
