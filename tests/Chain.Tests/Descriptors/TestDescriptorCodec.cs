using Coinshard.Chain.Descriptors;
using Coinshard.Chain.Encoding;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Scripts;

namespace Coinshard.Chain.Tests.Descriptors;

/// <summary>
/// Test double for the address-codec seam: WIF keys and Base58 P2PKH/P2SH addresses only, decoded
/// with Base58Check. The real codec (address helper) replaces it once wired into DescriptorCodec.Default.
/// </summary>
internal sealed class TestDescriptorCodec : IDescriptorCodec
{
    public static readonly TestDescriptorCodec Instance = new();

    public static DescriptorParseOptions Options { get; } = new() { Codec = Instance };

    public byte[] GetAddressScript(string address, Network network)
    {
        var payload = Base58.DecodeCheck(address);
        if (payload.Length != 21)
        {
            throw new InvalidEncodingException($"not a Base58 address: {payload.Length} bytes");
        }
        if (payload[0] == network.PubKeyAddressPrefix)
        {
            return ScriptTemplates.P2PKH(payload.AsSpan(1));
        }
        if (network.ScriptAddressPrefixes.Contains(payload[0]))
        {
            return ScriptTemplates.P2SH(payload.AsSpan(1));
        }
        throw new InvalidDataException($"address version {payload[0]} is not one of {network.Name}");
    }

    public bool TryDecodeWif(string text, Network network, out byte[] privateKey, out bool compressed)
    {
        privateKey = [];
        compressed = false;
        byte[] payload;
        try
        {
            payload = Base58.DecodeCheck(text);
        }
        catch (ChainFormatException)
        {
            return false;
        }
        if (payload.Length is not (33 or 34) || payload[0] != network.SecretKeyPrefix || (payload.Length == 34 && payload[33] != 1))
        {
            return false;
        }
        privateKey = payload[1..33];
        compressed = payload.Length == 34;
        return true;
    }
}
