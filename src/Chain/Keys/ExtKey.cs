using System.Buffers.Binary;
using System.Security.Cryptography;

using Coinshard.Chain.Networks;

namespace Coinshard.Chain.Keys;

/// <summary>
/// A BIP32 extended private key (xprv/tprv; Litecoin also Ltpv/ttpv). Derives hardened and
/// unhardened children. <see cref="ToString"/> never prints the secret; use
/// <see cref="ExtendedKey.ToBase58"/> to serialize it.
/// </summary>
public sealed class ExtKey : ExtendedKey
{
    private const uint XprvVersion = 0x0488ADE4;

    private readonly byte[] _privateKey;

    internal ExtKey(uint version, byte depth, uint parentFingerprint, uint childNumber, byte[] chainCode, byte[] privateKey)
        : base(version, depth, parentFingerprint, childNumber, chainCode, PublicKeyOf(privateKey))
    {
        _privateKey = privateKey;
    }

    /// <summary>The 32-byte private key.</summary>
    public ReadOnlySpan<byte> PrivateKey => _privateKey;

    /// <inheritdoc />
    public override bool IsPrivate => true;

    /// <summary>
    /// The master key of a seed (BIP32: HMAC-SHA512 keyed with "Bitcoin seed", also used by
    /// Litecoin). The version is <paramref name="network"/>'s first private version, else xprv.
    /// </summary>
    /// <exception cref="InvalidKeyException">The seed is not 16..64 bytes, or yields an invalid key.</exception>
    public static ExtKey FromSeed(ReadOnlySpan<byte> seed, Network? network = null)
    {
        if (seed.Length is < 16 or > 64)
        {
            throw new InvalidKeyException(InvalidKeyReason.BadSeedLength, $"a BIP32 seed is 16 to 64 bytes, got {seed.Length}");
        }
        Span<byte> mac = stackalloc byte[64];
        HMACSHA512.HashData("Bitcoin seed"u8, seed, mac);
        try
        {
            if (!Secp256k1.IsValidPrivateKey(mac[..32]))
            {
                throw new InvalidKeyException(InvalidKeyReason.DerivationFailed, "this seed yields an invalid master key; use another seed");
            }
            return new ExtKey(network?.ExtPrivKeyVersions[0] ?? XprvVersion, 0, 0, 0, mac[32..].ToArray(), mac[..32].ToArray());
        }
        finally
        {
            mac.Clear();
        }
    }

    /// <summary>Parses an extended private key (see <see cref="ExtendedKey.Parse"/> for the accepted versions).</summary>
    /// <exception cref="InvalidKeyException">Also when the text is an extended public key (reason <see cref="InvalidKeyReason.WrongKeyKind"/>).</exception>
    public static new ExtKey Parse(string text, Network? network = null) =>
        ExtendedKey.Parse(text, network) as ExtKey
        ?? throw new InvalidKeyException(InvalidKeyReason.WrongKeyKind, "expected an extended private key, got an extended public key");

    /// <inheritdoc />
    public override ExtPubKey Neuter() =>
        ExtPubKey.CreateTrusted(ExtKeyVersions.PublicFor(Version), Depth, ParentFingerprint, ChildNumber, ChainCode.ToArray(), PublicKey.ToArray());

    /// <inheritdoc />
    public override ExtKey Derive(uint index)
    {
        EnsureCanDeriveChild();
        Span<byte> data = stackalloc byte[37];
        if (KeyPath.IsHardened(index))
        {
            data[0] = 0;
            _privateKey.CopyTo(data[1..]);
        }
        else
        {
            PublicKey.CopyTo(data);
        }
        BinaryPrimitives.WriteUInt32BigEndian(data[33..], index);
        var (tweak, chainCode) = ChildHmac(ChainCode, data);
        data.Clear();
        var childKey = Secp256k1.TweakAddPrivate(_privateKey, tweak)
            ?? throw new InvalidKeyException(InvalidKeyReason.DerivationFailed, $"child {index} is invalid (BIP32: skip to the next index)");
        tweak.AsSpan().Clear();
        return new ExtKey(Version, (byte)(Depth + 1), Fingerprint, index, chainCode, childKey);
    }

    /// <summary>Derives along a fixed path.</summary>
    public new ExtKey Derive(KeyPath path) => (ExtKey)base.Derive(path);

    /// <summary>Describes the key without revealing it.</summary>
    public override string ToString() => $"ExtKey(fingerprint {Fingerprint:x8}, depth {Depth}, child {ChildNumber})";

    private protected override void WriteKeyData(Span<byte> destination)
    {
        destination[0] = 0;
        _privateKey.CopyTo(destination[1..]);
    }

    private static byte[] PublicKeyOf(byte[] privateKey)
    {
        if (privateKey.Length != 32)
        {
            throw new InvalidKeyException(InvalidKeyReason.BadLength, $"a private key is 32 bytes, got {privateKey.Length}");
        }
        if (!Secp256k1.IsValidPrivateKey(privateKey))
        {
            throw new InvalidKeyException(InvalidKeyReason.PrivateKeyOutOfRange, "private key is not in 1..n-1");
        }
        return Secp256k1.GetPublicKey(privateKey);
    }
}
