using System.Buffers.Binary;

using Coinshard.Chain.Networks;

namespace Coinshard.Chain.Keys;

/// <summary>
/// A BIP32 extended public key (xpub/tpub; Litecoin also Ltub/ttub). Derives unhardened
/// children only, which is what watch-only indexing of xpub descriptors needs.
/// </summary>
public sealed class ExtPubKey : ExtendedKey
{
    internal ExtPubKey(uint version, byte depth, uint parentFingerprint, uint childNumber, byte[] chainCode, byte[] publicKey)
        : base(version, depth, parentFingerprint, childNumber, chainCode, Validate(publicKey))
    {
    }

    // For keys whose public key is already known to be a valid compressed point (derived or neutered).
    private ExtPubKey(uint version, byte depth, uint parentFingerprint, uint childNumber, byte[] chainCode, byte[] publicKey, bool trusted)
        : base(version, depth, parentFingerprint, childNumber, chainCode, publicKey)
    {
        System.Diagnostics.Debug.Assert(trusted);
    }

    internal static ExtPubKey CreateTrusted(uint version, byte depth, uint parentFingerprint, uint childNumber, byte[] chainCode, byte[] publicKey) =>
        new(version, depth, parentFingerprint, childNumber, chainCode, publicKey, trusted: true);

    /// <inheritdoc />
    public override bool IsPrivate => false;

    /// <summary>Parses an extended public key (see <see cref="ExtendedKey.Parse"/> for the accepted versions).</summary>
    /// <exception cref="InvalidKeyException">Also when the text is an extended private key (reason <see cref="InvalidKeyReason.WrongKeyKind"/>).</exception>
    public static new ExtPubKey Parse(string text, Network? network = null) =>
        ExtendedKey.Parse(text, network) as ExtPubKey
        ?? throw new InvalidKeyException(InvalidKeyReason.WrongKeyKind, "expected an extended public key, got an extended private key");

    /// <inheritdoc />
    public override ExtPubKey Neuter() => this;

    /// <inheritdoc />
    /// <exception cref="InvalidKeyException">Reason <see cref="InvalidKeyReason.HardenedDerivationFromPublicKey"/> for a hardened index.</exception>
    public override ExtPubKey Derive(uint index)
    {
        if (KeyPath.IsHardened(index))
        {
            throw new InvalidKeyException(InvalidKeyReason.HardenedDerivationFromPublicKey,
                $"hardened child {index & ~KeyPath.HardenedBit}' needs the private key");
        }
        EnsureCanDeriveChild();
        Span<byte> data = stackalloc byte[37];
        PublicKey.CopyTo(data);
        BinaryPrimitives.WriteUInt32BigEndian(data[33..], index);
        var (tweak, chainCode) = ChildHmac(ChainCode, data);
        var parent = Secp256k1.TryDecodePoint(PublicKey)!;
        var child = Secp256k1.TweakAddPoint(parent, tweak)
            ?? throw new InvalidKeyException(InvalidKeyReason.DerivationFailed, $"child {index} is invalid (BIP32: skip to the next index)");
        return CreateTrusted(Version, (byte)(Depth + 1), Fingerprint, index, chainCode, child.GetEncoded(true));
    }

    /// <summary>Derives along a fixed path of unhardened steps.</summary>
    public new ExtPubKey Derive(KeyPath path) => (ExtPubKey)base.Derive(path);

    /// <summary>The Base58Check text with the key's own version.</summary>
    public override string ToString() => ToBase58();

    private protected override void WriteKeyData(Span<byte> destination) => PublicKey.CopyTo(destination);

    private static byte[] Validate(byte[] publicKey)
    {
        if (publicKey.Length != 33)
        {
            throw new InvalidKeyException(InvalidKeyReason.BadLength, $"an extended public key holds a 33-byte key, got {publicKey.Length}");
        }
        if (publicKey[0] is not (0x02 or 0x03))
        {
            throw new InvalidKeyException(InvalidKeyReason.InvalidPublicKeyPrefix, $"public key must start with 0x02 or 0x03, got 0x{publicKey[0]:x2}");
        }
        if (!Secp256k1.IsValidPublicKey(publicKey))
        {
            throw new InvalidKeyException(InvalidKeyReason.InvalidPublicKeyPoint, "public key is not a point on secp256k1");
        }
        return publicKey;
    }
}
