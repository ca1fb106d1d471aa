using Coinshard.Chain.Hashing;
using Coinshard.Chain.Serialization;

namespace Coinshard.Chain.Keys;

/// <summary>
/// BIP341 output-key construction: the TapTweak of an x-only internal key and the TapLeaf /
/// TapBranch hashes of a script tree. Needed to turn <c>tr()</c> descriptors into scripts.
/// </summary>
public static class Taproot
{
    /// <summary>Leaf version of BIP342 tapscript.</summary>
    public const byte TapscriptLeafVersion = 0xC0;

    /// <summary>
    /// The output key Q = P + int(hashTapTweak(x(P) ‖ merkleRoot))·G as 32 x-only bytes, where P is
    /// lift_x(<paramref name="internalKey"/>). An empty <paramref name="merkleRoot"/> means no script
    /// path (BIP86 key-path-only outputs).
    /// </summary>
    /// <exception cref="InvalidKeyException">The internal key is not an x-coordinate on the curve, or the tweak is invalid.</exception>
    public static byte[] TweakPublicKey(ReadOnlySpan<byte> internalKey, ReadOnlySpan<byte> merkleRoot = default)
    {
        if (internalKey.Length != 32)
        {
            throw new InvalidKeyException(InvalidKeyReason.BadLength, $"an x-only public key is 32 bytes, got {internalKey.Length}");
        }
        if (merkleRoot.Length is not (0 or 32))
        {
            throw new ArgumentException($"a taproot merkle root is 32 bytes, got {merkleRoot.Length}", nameof(merkleRoot));
        }
        var point = Secp256k1.LiftX(internalKey)
            ?? throw new InvalidKeyException(InvalidKeyReason.InvalidPublicKeyPoint, "x-only public key is not on secp256k1");
        var tweak = ComputeTweak(internalKey, merkleRoot);
        var output = Secp256k1.TweakAddPoint(point, tweak)
            ?? throw new InvalidKeyException(InvalidKeyReason.DerivationFailed, "taproot tweak is invalid for this key");
        return Secp256k1.XOnly(output);
    }

    /// <summary>hashTapTweak(internalKey ‖ merkleRoot): the scalar added to the internal key.</summary>
    public static byte[] ComputeTweak(ReadOnlySpan<byte> internalKey, ReadOnlySpan<byte> merkleRoot = default)
    {
        Span<byte> data = stackalloc byte[64];
        internalKey.CopyTo(data);
        merkleRoot.CopyTo(data[internalKey.Length..]);
        return Hashes.TaggedHash("TapTweak", data[..(internalKey.Length + merkleRoot.Length)]);
    }

    /// <summary>hashTapLeaf(leafVersion ‖ CompactSize(script length) ‖ script).</summary>
    public static byte[] ComputeLeafHash(byte leafVersion, ReadOnlySpan<byte> script)
    {
        var writer = new ByteWriter(script.Length + 10);
        writer.WriteByte(leafVersion);
        writer.WriteVarBytes(script);
        return Hashes.TaggedHash("TapLeaf", writer.WrittenSpan);
    }

    /// <summary>hashTapBranch of two child hashes, in lexicographic order as BIP341 requires.</summary>
    public static byte[] ComputeBranchHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        if (left.Length != 32 || right.Length != 32)
        {
            throw new ArgumentException("taproot branch children are 32-byte hashes");
        }
        Span<byte> data = stackalloc byte[64];
        var leftFirst = left.SequenceCompareTo(right) <= 0;
        (leftFirst ? left : right).CopyTo(data);
        (leftFirst ? right : left).CopyTo(data[32..]);
        return Hashes.TaggedHash("TapBranch", data);
    }
}
