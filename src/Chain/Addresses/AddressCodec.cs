using System.Diagnostics.CodeAnalysis;

using Coinshard.Chain.Encoding;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Scripts;

namespace Coinshard.Chain.Addresses;

/// <summary>
/// Converts between address strings and output scripts on every supported network, with Bitcoin
/// Core's rules: Base58Check P2PKH/P2SH (Litecoin also accepts its legacy P2SH prefix) and
/// BIP173/BIP350 segwit addresses. Litecoin MWEB stealth addresses are recognised and refused.
/// </summary>
/// <remarks>
/// Errors, all <see cref="ChainFormatException"/>s: <see cref="InvalidEncodingException"/> (characters,
/// case, length, padding), <see cref="InvalidChecksumException"/> (a typo, or the wrong Bech32 variant
/// for the witness version), <see cref="InvalidAddressException"/> (decodes, but is no address of any
/// supported network), <see cref="WrongNetworkException"/> (an address of another network),
/// <see cref="MwebAddressException"/>. Messages never repeat the input, which may be a private key
/// pasted by mistake.
/// </remarks>
public static class AddressCodec
{
    /// <summary>
    /// Longest string examined. Longest valid forms: segwit 90 characters (BIP173), MWEB 121
    /// (<c>ltcmweb1</c>, a version and 66 bytes); anything longer fails before decoding.
    /// </summary>
    public const int MaxLength = 128;

    private const int HashLength = 20;

    /// <summary>
    /// Decodes <paramref name="address"/>. With a <paramref name="network"/>, the address must be
    /// valid on it; without, the network is detected: the first of <see cref="Network.All"/> that
    /// accepts it, preferring a network's own P2SH prefix over a legacy one (3… is Bitcoin, M… Litecoin).
    /// Test networks share prefixes: <see cref="GetNetworks"/> lists every match.
    /// </summary>
    /// <exception cref="ChainFormatException">The address is invalid; the subtype says why (see the class remarks).</exception>
    public static DecodedAddress Decode(string address, Network? network = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        return TryDecodeCore(address, network, out var decoded) is { } error ? throw error : decoded!;
    }

    /// <summary>Decodes when <paramref name="address"/> is valid (on <paramref name="network"/> when given); false otherwise.</summary>
    public static bool TryDecode(string? address, Network? network, [NotNullWhen(true)] out DecodedAddress? decoded)
    {
        decoded = null;
        return address is not null && TryDecodeCore(address, network, out decoded) is null;
    }

    /// <summary>Decodes when <paramref name="address"/> is valid on any network; false otherwise.</summary>
    public static bool TryDecode(string? address, [NotNullWhen(true)] out DecodedAddress? decoded) =>
        TryDecode(address, null, out decoded);

    /// <summary>
    /// Every network on which <paramref name="address"/> is valid, the one <see cref="Decode"/> picks
    /// first. Several for addresses of test networks, which share prefixes (m…, 2…, tb1…).
    /// </summary>
    /// <exception cref="ChainFormatException">The address is valid on no network.</exception>
    public static IReadOnlyList<Network> GetNetworks(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return TryParse(address, out var matches) is { } error ? throw error : NetworksOf(matches);
    }

    /// <summary>
    /// The address of <paramref name="script"/> on <paramref name="network"/>, or null when the script
    /// has no address form (P2PK, bare multisig, OP_RETURN, non-standard). Segwit addresses are lower case.
    /// </summary>
    public static string? Encode(ReadOnlySpan<byte> script, Network network)
    {
        ArgumentNullException.ThrowIfNull(network);
        switch (ScriptClassifier.Classify(script))
        {
            case ScriptType.P2PKH:
                return EncodeBase58(network.PubKeyAddressPrefix, script.Slice(3, HashLength));
            case ScriptType.P2SH:
                return EncodeBase58(network.ScriptAddressPrefixes[0], script.Slice(2, HashLength));
            case ScriptType.P2WPKH or ScriptType.P2WSH or ScriptType.P2TR or ScriptType.WitnessUnknown:
                ScriptClassifier.TryGetWitnessProgram(script, out var version, out var program);
                byte[] data = [(byte)version, .. Bech32.ConvertBits(program, 8, 5, pad: true)];
                return Bech32.Encode(network.Bech32Hrp, data, version == 0 ? Bech32Variant.Bech32 : Bech32Variant.Bech32m);
            default:
                return null;
        }
    }

    private static string EncodeBase58(byte version, ReadOnlySpan<byte> hash)
    {
        Span<byte> payload = stackalloc byte[1 + HashLength];
        payload[0] = version;
        hash.CopyTo(payload[1..]);
        return Base58.EncodeCheck(payload);
    }

    // One way to read the address: a network, and the script the address pays on it.
    private sealed record Match(Network Network, ScriptType Type, byte[] Script);

    private static ChainFormatException? TryDecodeCore(string address, Network? network, out DecodedAddress? decoded)
    {
        decoded = null;
        if (TryParse(address, out var matches) is { } error)
        {
            return error;
        }
        var match = network is null ? matches[0] : matches.FirstOrDefault(m => m.Network == network);
        if (match is null)
        {
            return new WrongNetworkException("address", network!, NetworksOf(matches));
        }
        decoded = new DecodedAddress(match.Network, match.Type, match.Script);
        return null;
    }

    private static List<Network> NetworksOf(List<Match> matches) => matches.Select(m => m.Network).Distinct().ToList();

    /// <summary>Every network the address is valid on, best first; never empty on success.</summary>
    private static ChainFormatException? TryParse(string address, out List<Match> matches)
    {
        matches = [];
        if (address.Length == 0)
        {
            return new InvalidAddressException("address is empty");
        }
        if (address.Length > MaxLength)
        {
            return new InvalidAddressException(
                $"address is {address.Length} characters; no supported address is longer than {MaxLength}");
        }
        if (Network.All.Any(n => n.MwebHrp is { } hrp && StartsWithHrp(address, hrp)))
        {
            return ParseMweb(address);
        }

        // Both decoders are tried, since a Base58 address can begin like a segwit HRP (Litecoin's
        // "LTC1…" P2PKH addresses); on failure, report the error of the form the text resembles.
        var base58Error = Base58.TryDecodeCheckCore(address, MaxLength, out var payload);
        if (base58Error is null)
        {
            return ParseBase58(payload, out matches);
        }
        var bech32Error = Bech32.TryDecodeCore(address, Bech32.MaxLength, out var bech32);
        if (bech32Error is null)
        {
            return ParseSegwit(bech32!, out matches);
        }
        return LooksLikeBech32(address) ? bech32Error : base58Error;
    }

    private static bool StartsWithHrp(string text, string hrp) =>
        text.Length > hrp.Length && text[hrp.Length] == '1' && text.StartsWith(hrp, StringComparison.OrdinalIgnoreCase);

    private static bool LooksLikeBech32(string text)
    {
        if (Network.All.Any(n => StartsWithHrp(text, n.Bech32Hrp)))
        {
            return true;
        }
        // A separator, and a character Base58 never uses ('0', 'O', 'I', 'l', or not alphanumeric).
        return text.LastIndexOf('1') > 0 && text.Any(c => !char.IsAsciiLetterOrDigit(c) || c is '0' or 'O' or 'I' or 'l');
    }

    private static InvalidAddressException? ParseBase58(byte[] payload, out List<Match> matches)
    {
        matches = [];
        if (payload.Length != 1 + HashLength)
        {
            var hint = payload.Length is 33 or 34 && Network.All.Any(n => n.SecretKeyPrefix == payload[0])
                ? " (this looks like a WIF private key: keep it secret)"
                : "";
            return new InvalidAddressException(
                $"Base58 address payload is {payload.Length} bytes; P2PKH and P2SH carry 21 (a version byte and a 20-byte hash){hint}");
        }
        var version = payload[0];
        var hash = payload.AsSpan(1);
        var legacy = new List<Match>();
        foreach (var network in Network.All)
        {
            if (network.PubKeyAddressPrefix == version)
            {
                matches.Add(new Match(network, ScriptType.P2PKH, ScriptTemplates.P2PKH(hash)));
            }
            var scriptIndex = IndexOf(network.ScriptAddressPrefixes, version);
            if (scriptIndex >= 0)
            {
                (scriptIndex == 0 ? matches : legacy).Add(new Match(network, ScriptType.P2SH, ScriptTemplates.P2SH(hash)));
            }
        }
        matches.AddRange(legacy);
        return matches.Count > 0
            ? null
            : new InvalidAddressException($"Base58 version byte 0x{version:x2} is not a P2PKH or P2SH prefix of any supported network");
    }

    private static int IndexOf(IReadOnlyList<byte> list, byte value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == value)
            {
                return i;
            }
        }
        return -1;
    }

    private static ChainFormatException? ParseSegwit(Bech32Decoded decoded, out List<Match> matches)
    {
        matches = [];
        var networks = Network.All.Where(n => n.Bech32Hrp == decoded.Hrp).ToList();
        if (networks.Count == 0)
        {
            return new InvalidAddressException(
                $"unknown segwit HRP '{decoded.Hrp}'; supported: {string.Join(", ", Network.All.Select(n => n.Bech32Hrp).Distinct())}");
        }
        if (decoded.Data.Length == 0)
        {
            return new InvalidAddressException("segwit address has an empty data part (no witness version)");
        }
        int version = decoded.Data[0];
        if (version > 16)
        {
            return new InvalidAddressException($"witness version {version} is above 16");
        }
        var required = version == 0 ? Bech32Variant.Bech32 : Bech32Variant.Bech32m;
        if (decoded.Variant != required)
        {
            return new InvalidChecksumException(
                $"witness v{version} address has a {decoded.Variant} checksum; BIP350 requires {required}");
        }
        if (Bech32.TryConvertBitsCore(decoded.Data.AsSpan(1), 5, 8, pad: false, out var program) is { } paddingError)
        {
            return paddingError;
        }
        if (program.Length is < 2 or > 40)
        {
            return new InvalidAddressException($"witness program is {Bytes(program.Length)}; BIP141 allows 2 to 40 bytes");
        }
        if (version == 0 && program.Length is not (20 or 32))
        {
            return new InvalidAddressException(
                $"witness v0 program is {Bytes(program.Length)}; BIP141 allows 20 (P2WPKH) or 32 (P2WSH)");
        }
        var script = ScriptTemplates.WitnessProgram(version, program);
        var type = ScriptClassifier.Classify(script);
        matches.AddRange(networks.Select(n => new Match(n, type, script)));
        return null;
    }

    private static string Bytes(int count) => count == 1 ? "1 byte" : $"{count} bytes";

    private static ChainFormatException ParseMweb(string address)
    {
        if (Bech32.TryDecodeCore(address, MaxLength, out var decoded) is { } error)
        {
            return error;
        }
        var networks = Network.All.Where(n => n.MwebHrp == decoded!.Hrp).ToList();
        if (networks.Count == 0)
        {
            return new InvalidAddressException($"unknown HRP '{decoded!.Hrp}'");
        }
        if (decoded!.Variant != Bech32Variant.Bech32)
        {
            return new InvalidChecksumException("MWEB address has a Bech32m checksum; MWEB uses Bech32");
        }
        // A version symbol, then the scan and spend public keys (33 bytes each).
        if (decoded.Data.Length == 0
            || Bech32.TryConvertBitsCore(decoded.Data.AsSpan(1), 5, 8, pad: false, out var keys) is not null
            || keys.Length != 66)
        {
            return new InvalidAddressException("malformed MWEB address: expected a version and two 33-byte public keys");
        }
        return new MwebAddressException(networks);
    }
}
