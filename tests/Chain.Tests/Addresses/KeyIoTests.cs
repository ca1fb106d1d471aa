using Coinshard.Chain.Addresses;
using Coinshard.Chain.Encoding;
using Coinshard.Chain.Networks;

using Xunit;

namespace Coinshard.Chain.Tests.Addresses;

/// <summary>
/// Bitcoin Core's and Litecoin Core's key_io tests (src/test/key_io_tests.cpp) over their vectors:
/// key_io_valid_parse, key_io_valid_gen and key_io_invalid.
/// </summary>
public class KeyIoTests
{
    private static readonly (string File, Currency Currency)[] s_sources =
    [
        ("bitcoin-core", Currency.Bitcoin),
        ("litecoin", Currency.Litecoin),
    ];

    public static TheoryData<string, string, string, bool, bool, bool, string> ValidEntries()
    {
        var data = new TheoryData<string, string, string, bool, bool, bool, string>();
        foreach (var (file, currency) in s_sources)
        {
            using var json = Fixture.Json($"{file}/key_io_valid.json");
            foreach (var entry in json.RootElement.EnumerateArray())
            {
                var meta = entry[2];
                data.Add(
                    entry[0].GetString()!,
                    entry[1].GetString()!,
                    meta.GetProperty("chain").GetString()!,
                    meta.GetProperty("isPrivkey").GetBoolean(),
                    meta.TryGetProperty("isCompressed", out var compressed) && compressed.GetBoolean(),
                    meta.TryGetProperty("tryCaseFlip", out var flip) && flip.GetBoolean(),
                    currency.ToString());
            }
        }
        return data;
    }

    public static TheoryData<string, string> InvalidEntries()
    {
        var data = new TheoryData<string, string>();
        foreach (var (file, _) in s_sources)
        {
            using var json = Fixture.Json($"{file}/key_io_invalid.json");
            foreach (var entry in json.RootElement.EnumerateArray())
            {
                data.Add(file, entry[0].GetString()!);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ValidEntries))]
    public void Valid_entries_parse_as_core_does(
        string text, string hex, string chain, bool isPrivkey, bool isCompressed, bool tryCaseFlip, string currency)
    {
        var network = Network.FromCoreChainName(Enum.Parse<Currency>(currency), chain);
        Assert.NotNull(network);
        if (isPrivkey)
        {
            var key = WifKey.Decode(text, network);
            Assert.Equal(hex, Hex.Encode(key.Secret));
            Assert.Equal(isCompressed, key.IsCompressed);
            Assert.Same(network, key.Network);
            Assert.Contains(network, WifKey.GetNetworks(text));
            // A private key is not an address, on any network.
            Assert.ThrowsAny<ChainFormatException>(() => AddressCodec.Decode(text, network));
            Assert.False(AddressCodec.TryDecode(text, out _));
        }
        else
        {
            var decoded = AddressCodec.Decode(text, network);
            Assert.Equal(hex, Hex.Encode(decoded.Script));
            Assert.Same(network, decoded.Network);
            Assert.Contains(network, AddressCodec.GetNetworks(text));
            if (chain == "main")
            {
                // Mainnet prefixes are unique, so detection must find exactly this network.
                Assert.Same(network, AddressCodec.Decode(text).Network);
            }

            // Case flipping: still valid exactly when the vector says so (Bech32 is case-insensitive, Base58 is not).
            var flipped = new string(text.Select(c => char.IsAsciiLetterUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)).ToArray());
            Assert.Equal(tryCaseFlip, AddressCodec.TryDecode(flipped, network, out var flippedDecoded));
            if (tryCaseFlip)
            {
                Assert.Equal(hex, Hex.Encode(flippedDecoded!.Script));
            }

            // An address is not a private key, on any network.
            Assert.ThrowsAny<ChainFormatException>(() => WifKey.Decode(text, network));
            Assert.False(WifKey.TryDecode(text, null, out _));
        }
    }

    [Theory]
    [MemberData(nameof(ValidEntries))]
    public void Valid_entries_are_generated_as_core_does(
        string text, string hex, string chain, bool isPrivkey, bool isCompressed, bool tryCaseFlip, string currency)
    {
        _ = tryCaseFlip;
        var network = Network.FromCoreChainName(Enum.Parse<Currency>(currency), chain)!;
        var encoded = isPrivkey
            ? new WifKey(Hex.Decode(hex), isCompressed, network).Encode()
            : AddressCodec.Encode(Hex.Decode(hex), network);
        Assert.Equal(text, encoded);
    }

    [Theory]
    [MemberData(nameof(InvalidEntries))]
    public void Invalid_entries_fail_on_every_network_as_address_and_as_key(string source, string text)
    {
        _ = source;
        foreach (var network in Network.All.Append(null))
        {
            var name = network?.Name ?? "(any network)";
            var addressError = Assert.ThrowsAny<ChainFormatException>(() => AddressCodec.Decode(text, network));
            Assert.True(addressError.GetType() != typeof(ChainFormatException), $"{name}: generic error for address");
            Assert.False(string.IsNullOrWhiteSpace(addressError.Message));
            var keyError = Assert.ThrowsAny<ChainFormatException>(() => WifKey.Decode(text, network));
            Assert.True(keyError.GetType() != typeof(ChainFormatException), $"{name}: generic error for key");
        }
        Assert.False(AddressCodec.TryDecode(text, out _));
        Assert.False(WifKey.TryDecode(text, null, out _));
    }
}
