using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

using Coinshard.Chain.Encoding;
using Coinshard.Chain.Networks;

namespace Coinshard.Chain.Addresses;

/// <summary>
/// A private key in Wallet Import Format: Base58Check of the network's secret-key prefix, the
/// 32-byte secret and, for keys whose public key is used compressed, a 0x01 flag.
/// <see cref="ToString"/> never shows the secret, so the object is safe to log.
/// </summary>
public sealed class WifKey
{
    /// <summary>Length of a secp256k1 secret.</summary>
    public const int SecretLength = 32;

    // secp256k1 group order n, big-endian; a secret must be in 1..n-1.
    private static readonly byte[] s_order = Convert.FromHexString("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141");

    // WIF is 51 or 52 characters; anything much longer is refused before decoding.
    private const int MaxTextLength = 64;

    private readonly byte[] _secret;

    /// <summary>Wraps a secret for <paramref name="network"/>; the bytes are copied.</summary>
    /// <exception cref="ArgumentException">The secret is not 32 bytes in 1..n−1 (n the secp256k1 order).</exception>
    public WifKey(ReadOnlySpan<byte> secret, bool isCompressed, Network network)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (!IsValidSecret(secret))
        {
            throw new ArgumentException("a secret is 32 bytes, non-zero and below the secp256k1 group order", nameof(secret));
        }
        _secret = secret.ToArray();
        IsCompressed = isCompressed;
        Network = network;
    }

    /// <summary>The network the key was encoded for, or the best match when decoded without one.</summary>
    public Network Network { get; }

    /// <summary>True when the key's public key is used in compressed form (the 0x01 flag), which changes its addresses.</summary>
    public bool IsCompressed { get; }

    /// <summary>The 32-byte secret, big-endian.</summary>
    public ReadOnlySpan<byte> Secret => _secret;

    /// <summary>The WIF text of this key on <see cref="Network"/>.</summary>
    public string Encode()
    {
        Span<byte> payload = stackalloc byte[2 + SecretLength];
        payload[0] = Network.SecretKeyPrefix;
        _secret.CopyTo(payload[1..]);
        payload[^1] = 1;
        try
        {
            return Base58.EncodeCheck(IsCompressed ? payload : payload[..^1]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(payload);
        }
    }

    /// <summary>Describes the key without revealing it.</summary>
    public override string ToString() => $"WIF private key ({Network.Name}, {(IsCompressed ? "compressed" : "uncompressed")})";

    /// <summary>
    /// Decodes WIF text. With a <paramref name="network"/> the key must carry its prefix; without,
    /// the first network of <see cref="Network.All"/> with that prefix is chosen (test networks share one).
    /// </summary>
    /// <exception cref="ChainFormatException">
    /// <see cref="InvalidEncodingException"/> or <see cref="InvalidChecksumException"/> for bad Base58Check,
    /// <see cref="InvalidPrivateKeyException"/> when it decodes to no key, <see cref="WrongNetworkException"/>
    /// for a key of another network. Messages never contain the key.
    /// </exception>
    public static WifKey Decode(string text, Network? network = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryDecodeCore(text, network, out var key, out _) is { } error ? throw error : key!;
    }

    /// <summary>Decodes when <paramref name="text"/> is a valid key (for <paramref name="network"/> when given); false otherwise.</summary>
    public static bool TryDecode(string? text, Network? network, [NotNullWhen(true)] out WifKey? key)
    {
        key = null;
        return text is not null && TryDecodeCore(text, network, out key, out _) is null;
    }

    /// <summary>Every network whose secret-key prefix the key carries, the one <see cref="Decode"/> picks first.</summary>
    /// <exception cref="ChainFormatException">The text is no valid key.</exception>
    public static IReadOnlyList<Network> GetNetworks(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryDecodeCore(text, null, out _, out var networks) is { } error ? throw error : networks;
    }

    /// <summary>True for 32 bytes that are a valid secp256k1 secret: not zero and below the group order.</summary>
    public static bool IsValidSecret(ReadOnlySpan<byte> secret) =>
        secret.Length == SecretLength && secret.IndexOfAnyExcept((byte)0) >= 0 && secret.SequenceCompareTo(s_order) < 0;

    private static ChainFormatException? TryDecodeCore(string text, Network? network, out WifKey? key, out List<Network> networks)
    {
        key = null;
        networks = [];
        if (text.Length == 0)
        {
            return new InvalidPrivateKeyException("private key is empty");
        }
        if (Base58.TryDecodeCheckCore(text, MaxTextLength, out var payload) is { } error)
        {
            return error;
        }
        try
        {
            var compressed = payload.Length == 2 + SecretLength;
            if (payload.Length != 1 + SecretLength && !compressed)
            {
                var hint = payload.Length == 21 ? " (this looks like an address)" : "";
                return new InvalidPrivateKeyException(
                    $"WIF payload is {payload.Length} bytes; a key has 33 (prefix and secret) or 34 (with compression flag){hint}");
            }
            if (compressed && payload[^1] != 1)
            {
                return new InvalidPrivateKeyException($"WIF compression flag is 0x{payload[^1]:x2}; only 0x01 is defined");
            }
            var prefix = payload[0];
            networks = Network.All.Where(n => n.SecretKeyPrefix == prefix).ToList();
            if (networks.Count == 0)
            {
                return new InvalidPrivateKeyException($"WIF prefix 0x{prefix:x2} is not the secret-key prefix of any supported network");
            }
            var secret = payload.AsSpan(1, SecretLength);
            if (!IsValidSecret(secret))
            {
                return new InvalidPrivateKeyException("WIF secret is zero or not below the secp256k1 group order");
            }
            var chosen = network ?? networks[0];
            if (!networks.Contains(chosen))
            {
                return new WrongNetworkException("private key", chosen, networks);
            }
            key = new WifKey(secret, compressed, chosen);
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(payload);
        }
    }
}
