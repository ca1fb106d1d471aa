using System.Globalization;

using Coinshard.Chain.Addresses;
using Coinshard.Chain.Encoding;
using Coinshard.Chain.Keys;
using Coinshard.Chain.Networks;

namespace Coinshard.Chain.Descriptors;

/// <summary>Where a key expression appears; decides which key forms are allowed.</summary>
internal enum KeyContext
{
    /// <summary>Top level or inside sh(): compressed and uncompressed keys.</summary>
    Legacy,

    /// <summary>Inside wpkh() or wsh(): compressed keys only.</summary>
    Segwit,

    /// <summary>Inside tr(): x-only keys (compressed keys are converted, uncompressed ones refused).</summary>
    Taproot,
}

/// <summary>
/// A BIP380 KEY: optional origin <c>[fingerprint/path]</c>, then a hex public key, a WIF private
/// key, or an extended key with derivation steps and an optional final wildcard.
/// </summary>
internal sealed class KeyExpression
{
    private readonly byte[]? _constantKey;
    private readonly ExtendedKey? _base;
    private readonly KeyPathWildcard _wildcard;

    private KeyExpression(byte[]? constantKey, ExtendedKey? baseKey, KeyPathWildcard wildcard, bool hasPrivateKey, uint? originFingerprint, KeyPath? originPath)
    {
        _constantKey = constantKey;
        _base = baseKey;
        _wildcard = wildcard;
        HasPrivateKey = hasPrivateKey;
        OriginFingerprint = originFingerprint;
        OriginPath = originPath;
    }

    /// <summary>True when the key ends in a wildcard.</summary>
    public bool IsRange => _wildcard != KeyPathWildcard.None;

    /// <summary>True when the expression holds private key material.</summary>
    public bool HasPrivateKey { get; }

    /// <summary>Fingerprint of the origin's root key, when an origin is given.</summary>
    public uint? OriginFingerprint { get; }

    /// <summary>Path from the origin's root to this key, when an origin is given.</summary>
    public KeyPath? OriginPath { get; }

    /// <summary>Why no public key can be derived (hardened steps below an extended public key), or null.</summary>
    public string? UnderivableReason { get; private init; }

    /// <summary>Length of the public keys this expression yields in its context: 32 (x-only), 33 or 65.</summary>
    public int KeySize => _constantKey?.Length ?? 33;

    /// <summary>
    /// The public key at wildcard position <paramref name="index"/> (ignored without wildcard):
    /// 33 or 65 bytes, or 32 x-only bytes when parsed in <see cref="KeyContext.Taproot"/>.
    /// </summary>
    /// <exception cref="InvalidKeyException">Hardened derivation from an extended public key (see <see cref="UnderivableReason"/>).</exception>
    public byte[] GetPublicKey(uint index, bool xOnly)
    {
        if (UnderivableReason is not null)
        {
            throw new InvalidKeyException(InvalidKeyReason.HardenedDerivationFromPublicKey, UnderivableReason);
        }
        if (_constantKey is not null)
        {
            return xOnly && _constantKey.Length == 33 ? _constantKey[1..] : _constantKey;
        }
        var key = _wildcard switch
        {
            KeyPathWildcard.Unhardened => _base!.Derive(index),
            KeyPathWildcard.Hardened => _base!.Derive(index | KeyPath.HardenedBit),
            _ => _base!,
        };
        return xOnly ? key.PublicKey[1..].ToArray() : key.PublicKey.ToArray();
    }

    /// <summary>Parses <paramref name="text"/>, which starts at <paramref name="position"/> in the descriptor.</summary>
    public static KeyExpression Parse(string text, int position, KeyContext context, string function, Network network)
    {
        if (text.Length == 0)
        {
            throw new InvalidDescriptorException($"{function}() is missing a key", position);
        }
        uint? fingerprint = null;
        KeyPath? originPath = null;
        var keyStart = 0;
        var closing = text.IndexOf(']', StringComparison.Ordinal);
        if (closing >= 0)
        {
            if (text.IndexOf(']', closing + 1) >= 0)
            {
                throw new InvalidDescriptorException($"key '{text}' has more than one key origin", position);
            }
            if (text[0] != '[')
            {
                throw new InvalidDescriptorException($"key origin in '{text}' must start with '['", position);
            }
            (fingerprint, originPath) = ParseOrigin(text[1..closing], position + 1);
            keyStart = closing + 1;
        }
        else if (text.Contains('[', StringComparison.Ordinal))
        {
            throw new InvalidDescriptorException($"key origin in '{text}' has no closing ']'", position);
        }

        var keyAndPath = text[keyStart..];
        var keyPosition = position + keyStart;
        if (keyAndPath.Length == 0)
        {
            throw new InvalidDescriptorException($"key origin '{text}' is not followed by a key", keyPosition);
        }
        var slash = keyAndPath.IndexOf('/', StringComparison.Ordinal);
        var keyText = slash < 0 ? keyAndPath : keyAndPath[..slash];
        var hasSteps = slash >= 0;

        if (IsHex(keyText))
        {
            if (hasSteps)
            {
                throw new InvalidDescriptorException($"only extended keys can have derivation steps; '{keyText}' is a hex public key", keyPosition + slash);
            }
            return new KeyExpression(ParseHexKey(keyText, keyPosition, context, function), null, KeyPathWildcard.None, false, fingerprint, originPath);
        }

        byte[] payload;
        try
        {
            payload = Base58.DecodeCheck(keyText);
        }
        catch (ChainFormatException e)
        {
            throw new InvalidDescriptorException($"'{keyText}' is not a valid key ({e.Message})", keyPosition, e);
        }
        if (payload.Length == ExtendedKey.SerializedSize)
        {
            payload.AsSpan().Clear();
            return ParseExtended(keyText, keyAndPath, slash, keyPosition, network, fingerprint, originPath);
        }
        payload.AsSpan().Clear();

        if (!WifKey.TryDecode(keyText, network, out var wif))
        {
            throw new InvalidDescriptorException($"'{keyText}' is not a valid key for {network.Name}", keyPosition);
        }
        var privateKey = wif.Secret.ToArray();
        var compressed = wif.IsCompressed;
        if (hasSteps)
        {
            throw new InvalidDescriptorException("only extended keys can have derivation steps; this is a WIF private key", keyPosition + slash);
        }
        if (!Secp256k1.IsValidPrivateKey(privateKey))
        {
            throw new InvalidDescriptorException("WIF private key is out of range", keyPosition);
        }
        if (!compressed && context != KeyContext.Legacy)
        {
            throw new InvalidDescriptorException($"uncompressed keys are not allowed in {ContextName(context, function)}", keyPosition);
        }
        var publicKey = Secp256k1.GetPublicKey(privateKey, compressed);
        privateKey.AsSpan().Clear();
        if (context == KeyContext.Taproot)
        {
            publicKey = publicKey[1..];
        }
        return new KeyExpression(publicKey, null, KeyPathWildcard.None, true, fingerprint, originPath);
    }

    private static KeyExpression ParseExtended(string keyText, string keyAndPath, int slash, int keyPosition, Network network, uint? fingerprint, KeyPath? originPath)
    {
        ExtendedKey key;
        try
        {
            key = ExtendedKey.Parse(keyText, network);
        }
        catch (ChainFormatException e)
        {
            throw new InvalidDescriptorException($"invalid extended key: {e.Message}", keyPosition, e);
        }
        var wildcard = KeyPathWildcard.None;
        var indexes = new List<uint>();
        if (slash >= 0)
        {
            var stepStart = slash + 1;
            var steps = keyAndPath[stepStart..].Split('/');
            for (var i = 0; i < steps.Length; i++)
            {
                var step = steps[i];
                var stepPosition = keyPosition + stepStart;
                if (step is "*" or "*'" or "*h")
                {
                    if (i != steps.Length - 1)
                    {
                        throw new InvalidDescriptorException("a wildcard may only be the last derivation step", stepPosition);
                    }
                    wildcard = step == "*" ? KeyPathWildcard.Unhardened : KeyPathWildcard.Hardened;
                }
                else if (KeyPath.TryParseStep(step, out var index, out var error))
                {
                    indexes.Add(index);
                }
                else
                {
                    throw new InvalidDescriptorException(error, stepPosition);
                }
                stepStart += step.Length + 1;
            }
        }
        var path = new KeyPath(indexes, wildcard);
        if (!key.IsPrivate && path.HasHardenedSteps)
        {
            // BIP380 (and Bitcoin Core) accept this syntax; it just cannot produce any key.
            var reason = $"'{keyAndPath}' has hardened derivation steps but an extended public key; hardened steps need the private key";
            return new KeyExpression(null, key, wildcard, false, fingerprint, originPath) { UnderivableReason = reason };
        }
        ExtendedKey baseKey;
        try
        {
            baseKey = key.Derive(new KeyPath(indexes));
            if (wildcard != KeyPathWildcard.None && baseKey.Depth == byte.MaxValue)
            {
                throw new InvalidKeyException(InvalidKeyReason.DepthOverflow, "the wildcard step would exceed depth 255");
            }
        }
        catch (InvalidKeyException e)
        {
            throw new InvalidDescriptorException($"cannot derive '{keyAndPath}': {e.Message}", keyPosition, e);
        }
        // Private material is kept only while a hardened wildcard still needs it.
        var stored = wildcard == KeyPathWildcard.Hardened ? baseKey : baseKey.Neuter();
        return new KeyExpression(null, stored, wildcard, key.IsPrivate, fingerprint, originPath);
    }

    private static (uint Fingerprint, KeyPath Path) ParseOrigin(string origin, int position)
    {
        var parts = origin.Split('/');
        var fp = parts[0];
        if (fp.Length != 8 || !IsHex(fp))
        {
            throw new InvalidDescriptorException($"key origin fingerprint '{fp}' must be exactly 8 hex characters", position);
        }
        var indexes = new List<uint>();
        var offset = position + fp.Length + 1;
        foreach (var step in parts.Skip(1))
        {
            if (step.StartsWith('*'))
            {
                throw new InvalidDescriptorException("a wildcard is not allowed in a key origin", offset);
            }
            if (!KeyPath.TryParseStep(step, out var index, out var error))
            {
                throw new InvalidDescriptorException($"key origin: {error}", offset);
            }
            indexes.Add(index);
            offset += step.Length + 1;
        }
        return (uint.Parse(fp, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture), new KeyPath(indexes));
    }

    private static byte[] ParseHexKey(string hex, int position, KeyContext context, string function)
    {
        var bytes = Hex.Decode(hex);
        switch (bytes.Length)
        {
            case 32 when context == KeyContext.Taproot:
                if (Secp256k1.LiftX(bytes) is null)
                {
                    throw new InvalidDescriptorException($"x-only public key '{hex}' is not on secp256k1", position);
                }
                return bytes;
            case 32:
                throw new InvalidDescriptorException($"x-only public keys (64 hex characters) are only allowed in tr(), not in {function}()", position);
            case 33 or 65:
                if (!Secp256k1.IsValidPublicKey(bytes))
                {
                    throw new InvalidDescriptorException($"'{hex}' is not a valid public key (prefix 02/03 for 33 bytes, 04 for 65, and a point on secp256k1)", position);
                }
                if (bytes.Length == 65 && context != KeyContext.Legacy)
                {
                    throw new InvalidDescriptorException($"uncompressed keys are not allowed in {ContextName(context, function)}", position);
                }
                return context == KeyContext.Taproot ? bytes[1..] : bytes;
            default:
                throw new InvalidDescriptorException($"hex public key '{hex}' has {bytes.Length} bytes; expected 33 (compressed) or 65 (uncompressed)", position);
        }
    }

    private static string ContextName(KeyContext context, string function) => context switch
    {
        KeyContext.Taproot => "tr()",
        _ when function == "wpkh" => "wpkh()",
        _ => "wsh()",
    };


    private static bool IsHex(string text) => text.Length % 2 == 0 && text.Length > 0 && text.All(char.IsAsciiHexDigit);
}
