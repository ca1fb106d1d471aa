namespace Coinshard.Chain;

/// <summary>Why a key, extended key or derivation was rejected; lets callers and tests tell the cases apart.</summary>
public enum InvalidKeyReason
{
    /// <summary>The extended key's version bytes are not one this library (or the requested network) knows.</summary>
    UnknownVersion,

    /// <summary>The version is valid for another network than the one requested.</summary>
    WrongNetwork,

    /// <summary>A public version holds private key data, or a private version holds a public key.</summary>
    VersionKeyMismatch,

    /// <summary>The data has the wrong length (an extended key is 78 bytes, a private key 32, a public key 33 or 65).</summary>
    BadLength,

    /// <summary>Private key data in an extended key does not start with the 0x00 byte.</summary>
    InvalidPrivateKeyPrefix,

    /// <summary>Public key data does not start with 0x02 or 0x03 (0x04 where uncompressed keys are allowed).</summary>
    InvalidPublicKeyPrefix,

    /// <summary>The private key is zero or not below the curve order n.</summary>
    PrivateKeyOutOfRange,

    /// <summary>The public key bytes do not encode a point on secp256k1.</summary>
    InvalidPublicKeyPoint,

    /// <summary>A master key (depth 0) carries a non-zero parent fingerprint.</summary>
    ZeroDepthWithParentFingerprint,

    /// <summary>A master key (depth 0) carries a non-zero child number.</summary>
    ZeroDepthWithChildNumber,

    /// <summary>Hardened derivation was asked of a public-only key.</summary>
    HardenedDerivationFromPublicKey,

    /// <summary>The derivation would exceed depth 255.</summary>
    DepthOverflow,

    /// <summary>The derived key is invalid (tweak not below n, or the result is zero / the point at infinity; probability about 2^-127).</summary>
    DerivationFailed,

    /// <summary>A BIP32 seed must be 16 to 64 bytes.</summary>
    BadSeedLength,

    /// <summary>An extended public key was given where a private one is required, or the reverse.</summary>
    WrongKeyKind,
}

/// <summary>
/// A key is not valid: bad extended-key version or length, a private key out of range, a public
/// key that is not a curve point, an inconsistent master key, or an impossible derivation.
/// <see cref="Reason"/> names the case.
/// </summary>
public sealed class InvalidKeyException(InvalidKeyReason reason, string message)
    : ChainFormatException(message)
{
    /// <summary>The specific problem.</summary>
    public InvalidKeyReason Reason { get; } = reason;
}
