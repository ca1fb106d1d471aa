using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Math.EC;
using Org.BouncyCastle.Math.EC.Multiplier;

namespace Coinshard.Chain.Keys;

/// <summary>
/// The few secp256k1 operations key derivation and taproot need, all delegated to BouncyCastle
/// (no home-made curve arithmetic). Scalars and coordinates are 32-byte big-endian.
/// </summary>
internal static class Secp256k1
{
    private static readonly X9ECParameters s_params = CustomNamedCurves.GetByName("secp256k1");
    private static readonly FixedPointCombMultiplier s_baseMultiplier = new();

    /// <summary>Curve order n.</summary>
    public static BigInteger N => s_params.N;

    /// <summary>Parses 32 big-endian bytes as a non-negative integer.</summary>
    public static BigInteger ToScalar(ReadOnlySpan<byte> bytes32) => new(1, bytes32.ToArray());

    /// <summary>True when 1 ≤ key &lt; n.</summary>
    public static bool IsValidPrivateKey(ReadOnlySpan<byte> key32)
    {
        if (key32.Length != 32)
        {
            return false;
        }
        var k = ToScalar(key32);
        return k.SignValue > 0 && k.CompareTo(N) < 0;
    }

    /// <summary>The public key of a valid private key: 33 bytes compressed or 65 uncompressed.</summary>
    public static byte[] GetPublicKey(ReadOnlySpan<byte> privateKey32, bool compressed = true) =>
        MultiplyBase(ToScalar(privateKey32)).GetEncoded(compressed);

    /// <summary>
    /// Decodes a 33-byte (0x02/0x03) or 65-byte (0x04) public key and checks that it is a point on the
    /// curve. Hybrid (0x06/0x07) and infinity encodings are rejected. Returns null when invalid.
    /// </summary>
    public static ECPoint? TryDecodePoint(ReadOnlySpan<byte> encoded)
    {
        var ok = encoded.Length switch
        {
            33 => encoded[0] is 0x02 or 0x03,
            65 => encoded[0] == 0x04,
            _ => false,
        };
        if (!ok)
        {
            return null;
        }
        try
        {
            var point = s_params.Curve.DecodePoint(encoded.ToArray());
            return point.IsInfinity || !point.IsValid() ? null : point.Normalize();
        }
        catch (ArgumentException)
        {
            // BouncyCastle: "Invalid point compression" (x has no square root) or "Invalid point coordinates".
            return null;
        }
    }

    /// <summary>True when <paramref name="encoded"/> is a valid 33- or 65-byte public key.</summary>
    public static bool IsValidPublicKey(ReadOnlySpan<byte> encoded) => TryDecodePoint(encoded) is not null;

    /// <summary>Re-encodes a valid public key as 33 bytes.</summary>
    public static byte[] Compress(ReadOnlySpan<byte> publicKey) =>
        (TryDecodePoint(publicKey) ?? throw new ArgumentException("not a valid public key", nameof(publicKey))).GetEncoded(true);

    /// <summary>(key + tweak) mod n, or null when tweak ≥ n or the sum is zero (BIP32 "invalid child").</summary>
    public static byte[]? TweakAddPrivate(ReadOnlySpan<byte> privateKey32, ReadOnlySpan<byte> tweak32)
    {
        var t = ToScalar(tweak32);
        if (t.CompareTo(N) >= 0)
        {
            return null;
        }
        var sum = ToScalar(privateKey32).Add(t).Mod(N);
        return sum.SignValue == 0 ? null : ToBytes32(sum);
    }

    /// <summary>P + tweak·G as a normalized point, or null when tweak ≥ n or the result is infinity.</summary>
    public static ECPoint? TweakAddPoint(ECPoint point, ReadOnlySpan<byte> tweak32)
    {
        var t = ToScalar(tweak32);
        if (t.CompareTo(N) >= 0)
        {
            return null;
        }
        var result = MultiplyBase(t).Add(point).Normalize();
        return result.IsInfinity ? null : result;
    }

    /// <summary>BIP340 lift_x: the point with x-coordinate <paramref name="x32"/> and even y, or null when none exists.</summary>
    public static ECPoint? LiftX(ReadOnlySpan<byte> x32)
    {
        if (x32.Length != 32)
        {
            return null;
        }
        Span<byte> compressed = stackalloc byte[33];
        compressed[0] = 0x02;
        x32.CopyTo(compressed[1..]);
        return TryDecodePoint(compressed);
    }

    /// <summary>The 32-byte x-coordinate of a normalized point.</summary>
    public static byte[] XOnly(ECPoint point) => point.Normalize().AffineXCoord.GetEncoded();

    /// <summary>A scalar as 32 big-endian bytes.</summary>
    public static byte[] ToBytes32(BigInteger value) => Org.BouncyCastle.Utilities.BigIntegers.AsUnsignedByteArray(32, value);

    private static ECPoint MultiplyBase(BigInteger k) => s_baseMultiplier.Multiply(s_params.G, k).Normalize();
}
