using System.Numerics;

using Coinshard.Chain.Blocks;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;

namespace Coinshard.Chain.ProofOfWork;

/// <summary>
/// Header proof-of-work checks and chain work, as in Core's <c>CheckProofOfWork</c> and
/// <c>GetBlockProof</c>. Bitcoin proves work with the SHA-256d block hash; Litecoin with
/// scrypt(N=1024, r=1, p=1) of the 80 header bytes (the block id stays SHA-256d).
/// </summary>
public static class ProofOfWorkValidator
{
    private static readonly BigInteger s_bitcoinLimit = Limit("00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
    private static readonly BigInteger s_signetLimit = Limit("00000377ae000000000000000000000000000000000000000000000000000000");
    private static readonly BigInteger s_litecoinLimit = Limit("00000fffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
    private static readonly BigInteger s_regtestLimit = Limit("7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");

    /// <summary>The easiest target a header of <paramref name="network"/> may claim (chainparams' powLimit).</summary>
    public static BigInteger GetPowLimit(Network network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return (network.Currency, network.CoreChainName) switch
        {
            (_, "regtest") => s_regtestLimit,
            (Currency.Bitcoin, "signet") => s_signetLimit,
            (Currency.Bitcoin, _) => s_bitcoinLimit,
            _ => s_litecoinLimit,
        };
    }

    /// <summary>The hash that must lie at or below the target: SHA-256d (Bitcoin) or scrypt (Litecoin) of the header.</summary>
    public static Hash256 ComputePowHash(BlockHeader header, PowAlgorithm algorithm)
    {
        ArgumentNullException.ThrowIfNull(header);
        return algorithm switch
        {
            PowAlgorithm.Sha256d => header.Hash,
            PowAlgorithm.Scrypt => ScryptHash(header.ToArray()),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "unknown proof-of-work algorithm"),
        };
    }

    /// <summary>Litecoin's scrypt_1024_1_1_256: the 80 header bytes are both password and salt.</summary>
    public static Hash256 ScryptHash(ReadOnlySpan<byte> header)
    {
        Span<byte> hash = stackalloc byte[Hash256.Size];
        Scrypt1024.Hash(header, header, hash);
        return new Hash256(hash);
    }

    /// <summary>
    /// Core's <c>CheckProofOfWork</c>: the target decoded from <paramref name="bits"/> must be
    /// positive, not overflow, not exceed <paramref name="powLimit"/>, and the hash (read as a
    /// little-endian 256-bit number) must not exceed it.
    /// </summary>
    public static bool CheckProofOfWork(Hash256 powHash, uint bits, BigInteger powLimit)
    {
        var target = CompactTarget.Decode(bits, out var negative, out var overflow);
        if (negative || target.IsZero || overflow || target > powLimit)
        {
            return false;
        }
        return ToNumber(powHash) <= target;
    }

    /// <summary>Checks a header's proof of work under <paramref name="network"/>'s algorithm and limit.</summary>
    public static bool CheckProofOfWork(BlockHeader header, Network network)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(network);
        return CheckProofOfWork(ComputePowHash(header, network.PowAlgorithm), header.Bits, GetPowLimit(network));
    }

    /// <summary>
    /// Work a header with <paramref name="bits"/> adds to its chain: 2^256 / (target + 1), or 0 when
    /// the target is negative, zero or overflows (Core's <c>GetBlockProof</c>). Sum these for chain work.
    /// </summary>
    public static BigInteger GetBlockWork(uint bits)
    {
        var target = CompactTarget.Decode(bits, out var negative, out var overflow);
        if (negative || overflow || target.IsZero)
        {
            return BigInteger.Zero;
        }
        return (BigInteger.One << 256) / (target + 1);
    }

    /// <summary>A hash read as the unsigned little-endian 256-bit number consensus compares (arith_uint256).</summary>
    public static BigInteger ToNumber(Hash256 hash)
    {
        Span<byte> bytes = stackalloc byte[Hash256.Size];
        hash.CopyTo(bytes);
        return new BigInteger(bytes, isUnsigned: true, isBigEndian: false);
    }

    private static BigInteger Limit(string displayHex) => ToNumber(Hash256.Parse(displayHex));
}
