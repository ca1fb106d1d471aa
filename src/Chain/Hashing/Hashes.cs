using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;

using Org.BouncyCastle.Crypto.Digests;

namespace Coinshard.Chain.Hashing;

/// <summary>The hash functions of Bitcoin and Litecoin. SHA-256 from .NET (hardware accelerated), RIPEMD-160 from BouncyCastle.</summary>
public static class Hashes
{
    // BouncyCastle 1.8 has array-only APIs: one digest and scratch buffer per thread.
    [ThreadStatic]
    private static RipeMD160Digest? t_ripemd;

    [ThreadStatic]
    private static byte[]? t_scratch;

    // A reused incremental SHA-256 avoids OpenSSL's per-call context setup of the one-shot API:
    // measured 3.3 M vs 2.7 M hashes/s of 25-byte scripts on one core.
    [ThreadStatic]
    private static IncrementalHash? t_sha256;

    private static IncrementalHash Sha256Context => t_sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    private static readonly ConcurrentDictionary<string, byte[]> s_tagPrefixes = new(StringComparer.Ordinal);

    /// <summary>Single SHA-256 into <paramref name="destination"/> (32 bytes).</summary>
    public static void Sha256(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var context = Sha256Context;
        context.AppendData(data);
        context.GetHashAndReset(destination);
    }

    /// <summary>Single SHA-256.</summary>
    public static byte[] Sha256(ReadOnlySpan<byte> data)
    {
        var result = new byte[32];
        Sha256(data, result);
        return result;
    }

    /// <summary>SHA-256d: SHA-256 applied twice (txids, block hashes, Base58Check checksums, merkle nodes).</summary>
    public static Hash256 DoubleSha256(ReadOnlySpan<byte> data)
    {
        Span<byte> buffer = stackalloc byte[32];
        DoubleSha256(data, buffer);
        return new Hash256(buffer);
    }

    /// <summary>SHA-256d into <paramref name="destination"/> (32 bytes).</summary>
    public static void DoubleSha256(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        Sha256(data, destination);
        Sha256(destination[..32], destination);
    }

    /// <summary>RIPEMD-160 of SHA-256 (public key and script hashes in P2PKH, P2SH, P2WPKH).</summary>
    public static byte[] Hash160(ReadOnlySpan<byte> data)
    {
        var result = new byte[20];
        Hash160(data, result);
        return result;
    }

    /// <summary>HASH160 into <paramref name="destination"/> (20 bytes).</summary>
    public static void Hash160(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        Span<byte> sha = stackalloc byte[32];
        Sha256(data, sha);
        Ripemd160(sha, destination);
    }

    /// <summary>Plain RIPEMD-160 into <paramref name="destination"/> (20 bytes).</summary>
    public static void Ripemd160(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var digest = t_ripemd ??= new RipeMD160Digest();
        var scratch = t_scratch ??= new byte[64];
        if (data.Length <= scratch.Length)
        {
            data.CopyTo(scratch);
            digest.BlockUpdate(scratch, 0, data.Length);
        }
        else
        {
            digest.BlockUpdate(data.ToArray(), 0, data.Length);
        }
        digest.DoFinal(scratch, 0);
        scratch.AsSpan(0, 20).CopyTo(destination);
    }

    /// <summary>BIP340 tagged hash: SHA-256(SHA-256(tag) ‖ SHA-256(tag) ‖ data).</summary>
    public static byte[] TaggedHash(string tag, ReadOnlySpan<byte> data)
    {
        var prefix = s_tagPrefixes.GetOrAdd(tag, static t =>
        {
            var tagHash = Sha256(System.Text.Encoding.UTF8.GetBytes(t));
            return [.. tagHash, .. tagHash];
        });
        var length = prefix.Length + data.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            prefix.CopyTo(buffer, 0);
            data.CopyTo(buffer.AsSpan(prefix.Length));
            return Sha256(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
