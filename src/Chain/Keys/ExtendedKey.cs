using System.Buffers.Binary;
using System.Security.Cryptography;

using Coinshard.Chain.Encoding;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;

namespace Coinshard.Chain.Keys;

/// <summary>
/// A BIP32 extended key: the part private (<see cref="ExtKey"/>) and public (<see cref="ExtPubKey"/>)
/// keys share — version, depth, parent fingerprint, child number, chain code and public key — and
/// the 78-byte Base58Check serialization. Use <see cref="Parse"/> when either kind is acceptable
/// (descriptors). Immutable.
/// </summary>
public abstract class ExtendedKey : IEquatable<ExtendedKey>
{
    /// <summary>Size of the serialized form before Base58Check.</summary>
    public const int SerializedSize = 78;

    private readonly byte[] _chainCode;
    private readonly byte[] _publicKey;

    private protected ExtendedKey(uint version, byte depth, uint parentFingerprint, uint childNumber, byte[] chainCode, byte[] publicKey)
    {
        Version = version;
        Depth = depth;
        ParentFingerprint = parentFingerprint;
        ChildNumber = childNumber;
        _chainCode = chainCode;
        _publicKey = publicKey;
        Fingerprint = BinaryPrimitives.ReadUInt32BigEndian(Hashes.Hash160(publicKey));
    }

    /// <summary>The 4 version bytes as a big-endian number (0x0488B21E = xpub); kept so a key re-serializes as it was read.</summary>
    public uint Version { get; }

    /// <summary>Number of derivation steps from the master key (0 for the master).</summary>
    public byte Depth { get; }

    /// <summary>The parent's <see cref="Fingerprint"/> (0 for the master).</summary>
    public uint ParentFingerprint { get; }

    /// <summary>The child number this key was derived with (hardened ones include <see cref="KeyPath.HardenedBit"/>; 0 for the master).</summary>
    public uint ChildNumber { get; }

    /// <summary>The 32-byte chain code.</summary>
    public ReadOnlySpan<byte> ChainCode => _chainCode;

    /// <summary>The 33-byte compressed public key.</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey;

    /// <summary>First 4 bytes of <see cref="Identifier"/> as a big-endian number; printed as 8 hex digits in descriptors' key origins.</summary>
    public uint Fingerprint { get; }

    /// <summary>HASH160 of the public key (BIP32 key identifier).</summary>
    public byte[] Identifier => Hashes.Hash160(_publicKey);

    /// <summary>True for <see cref="ExtKey"/>.</summary>
    public abstract bool IsPrivate { get; }

    /// <summary>The public extended key (itself when already public).</summary>
    public abstract ExtPubKey Neuter();

    /// <summary>Derives child <paramref name="index"/> (hardened when ≥ 2^31; only a private key can derive those).</summary>
    /// <exception cref="InvalidKeyException">Hardened from public, depth overflow, or an invalid child.</exception>
    public abstract ExtendedKey Derive(uint index);

    /// <summary>Derives along a fixed path.</summary>
    /// <exception cref="ArgumentException">The path ends in a wildcard.</exception>
    public ExtendedKey Derive(KeyPath path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.IsRange)
        {
            throw new ArgumentException("resolve the wildcard before deriving (KeyPath.ResolveWildcard)", nameof(path));
        }
        var key = this;
        foreach (var index in path.Indexes)
        {
            key = key.Derive(index);
        }
        return key;
    }

    /// <summary>
    /// Base58Check text. With <paramref name="network"/> the network's preferred version is used
    /// (xpub/tpub/…); otherwise the key's own <see cref="Version"/>.
    /// </summary>
    public string ToBase58(Network? network = null)
    {
        var version = network is null ? Version : (IsPrivate ? network.ExtPrivKeyVersions : network.ExtPubKeyVersions)[0];
        Span<byte> data = stackalloc byte[SerializedSize];
        BinaryPrimitives.WriteUInt32BigEndian(data, version);
        data[4] = Depth;
        BinaryPrimitives.WriteUInt32BigEndian(data[5..], ParentFingerprint);
        BinaryPrimitives.WriteUInt32BigEndian(data[9..], ChildNumber);
        _chainCode.CopyTo(data[13..]);
        WriteKeyData(data[45..]);
        var text = Base58.EncodeCheck(data);
        data.Clear();
        return text;
    }

    /// <summary>Writes the 33-byte key field (0x00 ‖ private key, or the compressed public key).</summary>
    private protected abstract void WriteKeyData(Span<byte> destination);

    /// <summary>
    /// Parses an extended public or private key. With <paramref name="network"/>, only that
    /// network's versions are accepted (Litecoin accepts xpub/Ltub and tpub/ttub); without it any
    /// version of a supported network.
    /// </summary>
    /// <exception cref="InvalidEncodingException">Not Base58.</exception>
    /// <exception cref="InvalidChecksumException">Bad Base58Check checksum.</exception>
    /// <exception cref="InvalidKeyException">Any other problem; <see cref="InvalidKeyException.Reason"/> says which.</exception>
    public static ExtendedKey Parse(string text, Network? network = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var data = Base58.DecodeCheck(text);
        try
        {
            return Decode(data, network);
        }
        finally
        {
            data.AsSpan().Clear();
        }
    }

    /// <summary>Parses either kind; returns false (no exception) when the text is not a valid extended key.</summary>
    public static bool TryParse(string? text, Network? network, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ExtendedKey? key)
    {
        key = null;
        if (text is null)
        {
            return false;
        }
        try
        {
            key = Parse(text, network);
            return true;
        }
        catch (ChainFormatException)
        {
            return false;
        }
    }

    private static ExtendedKey Decode(ReadOnlySpan<byte> data, Network? network)
    {
        if (data.Length != SerializedSize)
        {
            throw new InvalidKeyException(InvalidKeyReason.BadLength, $"an extended key is {SerializedSize} bytes, got {data.Length}");
        }
        var version = BinaryPrimitives.ReadUInt32BigEndian(data);
        var isPrivate = ExtKeyVersions.IsPrivate(version, network);
        var depth = data[4];
        var parentFingerprint = BinaryPrimitives.ReadUInt32BigEndian(data[5..]);
        var childNumber = BinaryPrimitives.ReadUInt32BigEndian(data[9..]);
        if (depth == 0 && parentFingerprint != 0)
        {
            throw new InvalidKeyException(InvalidKeyReason.ZeroDepthWithParentFingerprint,
                $"a master key (depth 0) must have parent fingerprint 0, got {parentFingerprint:x8}");
        }
        if (depth == 0 && childNumber != 0)
        {
            throw new InvalidKeyException(InvalidKeyReason.ZeroDepthWithChildNumber,
                $"a master key (depth 0) must have child number 0, got {childNumber}");
        }
        var chainCode = data.Slice(13, 32).ToArray();
        var keyData = data.Slice(45, 33);
        if (isPrivate)
        {
            if (keyData[0] is 0x02 or 0x03)
            {
                throw new InvalidKeyException(InvalidKeyReason.VersionKeyMismatch,
                    $"extended private key version {version:x8} holds a public key");
            }
            if (keyData[0] != 0x00)
            {
                throw new InvalidKeyException(InvalidKeyReason.InvalidPrivateKeyPrefix,
                    $"extended private key data must start with 0x00, got 0x{keyData[0]:x2}");
            }
            return new ExtKey(version, depth, parentFingerprint, childNumber, chainCode, keyData[1..].ToArray());
        }
        if (keyData[0] == 0x00)
        {
            throw new InvalidKeyException(InvalidKeyReason.VersionKeyMismatch,
                $"extended public key version {version:x8} holds a private key");
        }
        if (keyData[0] is not (0x02 or 0x03))
        {
            throw new InvalidKeyException(InvalidKeyReason.InvalidPublicKeyPrefix,
                $"extended public key data must start with 0x02 or 0x03, got 0x{keyData[0]:x2}");
        }
        return new ExtPubKey(version, depth, parentFingerprint, childNumber, chainCode, keyData.ToArray());
    }

    /// <summary>HMAC-SHA512 of BIP32's child derivation; returns IL (tweak) and IR (child chain code).</summary>
    private protected static (byte[] Tweak, byte[] ChainCode) ChildHmac(ReadOnlySpan<byte> chainCode, ReadOnlySpan<byte> data)
    {
        Span<byte> mac = stackalloc byte[64];
        HMACSHA512.HashData(chainCode, data, mac);
        var result = (mac[..32].ToArray(), mac[32..].ToArray());
        mac.Clear();
        return result;
    }

    /// <summary>Checks that one more derivation step is possible.</summary>
    private protected void EnsureCanDeriveChild()
    {
        if (Depth == byte.MaxValue)
        {
            throw new InvalidKeyException(InvalidKeyReason.DepthOverflow, "cannot derive below depth 255");
        }
    }

    /// <inheritdoc />
    public bool Equals(ExtendedKey? other)
    {
        if (other is null || other.IsPrivate != IsPrivate)
        {
            return false;
        }
        if (ReferenceEquals(this, other))
        {
            return true;
        }
        Span<byte> mine = stackalloc byte[33];
        Span<byte> theirs = stackalloc byte[33];
        WriteKeyData(mine);
        other.WriteKeyData(theirs);
        var same = Version == other.Version && Depth == other.Depth && ParentFingerprint == other.ParentFingerprint
            && ChildNumber == other.ChildNumber && _chainCode.AsSpan().SequenceEqual(other._chainCode)
            && mine.SequenceEqual(theirs);
        mine.Clear();
        theirs.Clear();
        return same;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ExtendedKey);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Fingerprint, ChildNumber, Depth, IsPrivate);
}
