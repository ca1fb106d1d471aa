using Coinshard.Chain.Addresses;
using Coinshard.Chain.Encoding;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Scripts;

using Xunit;

namespace Coinshard.Chain.Tests.Addresses;

public class AddressCodecTests
{
    // From the vendored key_io_valid.json files (address, scriptPubKey).
    private const string BitcoinP2pkh = "1FsSia9rv4NeEwvJ2GvXrX7LyxYspbN2mo";
    private const string BitcoinP2pkhScript = "76a914a31c06bd463e3923bc1aadbde48b16976c08071788ac";
    private const string BitcoinP2sh = "36j4NfKv6Akva9amjWrLG6MuSQym1GuEmm";
    private const string BitcoinP2shScript = "a914373b819a068f32b7a6b38b6b38729647cfde01c287";
    private const string BitcoinP2wpkh = "bc1qvyq0cc6rahyvsazfdje0twl7ez82ndmuac2lhv";
    private const string BitcoinTestnetP2pkh = "mzK2FFDEhxqHcmrJw1ysqFkVyhUULo45hZ";
    private const string BitcoinTestnetP2wpkh = "tb1qcrh3yqn4nlleplcez2yndq2ry8h9ncg3qh7n54";
    private const string LitecoinP2pkh = "LT2KVaAy1ppRuxRgrS5RNU3vBsy7RibPeA";
    private const string LitecoinP2sh = "MHrYRxAiMNBTku3eoDHwhA1LQGDjUStZW2";
    private const string LitecoinP2wpkh = "ltc1qhdhvrwe6rgqns8fz28tee0hphr5x7ulw5exv4w";
    private const string LitecoinTestnetP2sh = "QXaUgLHkZcbJb2j5XgMYzY8cF9YM48Y81Z";

    // ltcsuite/ltcd ltcutil/mweb/keychain_test.go (commit 721ef1a0acfa8acb20bc09a7b393535b85db23d4),
    // vectors cross-checked there against Litecoin Core: index-0 stealth address keys A_0 and B_0.
    private const string MwebScanA0 = "03acdfb78943f3330437760e37731828f9abd626a72df16fc7cd968df13b7465ab";
    private const string MwebSpendB0 = "039ed000ed69ca7d593f09ad4a373200bc9711261aab56efc05b92a5eab434f864";

    // The mainnet MWEB address of those keys (its payload is checked against them below).
    private const string MainnetMweb =
        "ltcmweb1qqwkdldufg0enxpphwc8rwucc9ru6h43x5uklzm78ektgmufmw3j6kqu76qqw66w204vn7zddfgmnyq9ujugjvx4t2mhuqkuj5h4tgd8cvs6gg076";

    // ltcsuite/ltcd ltcutil/mweb TestRewindOutput: the expected testnet MWEB address.
    private const string TestnetMweb =
        "tmweb1qqv0mlyyk7sl09jkcrgy059m5yplw567ypuj6lxpwkcw4tl8m59p7wq6jc6prtph5kf45kdlql8fjppr32nmwng34fs6ess9fq72ck7lfyvmr6s0c";

    public static TheoryData<string, string> SegwitValid()
    {
        var data = new TheoryData<string, string>();
        using var json = Fixture.Json("bips/bech32_vectors.json");
        foreach (var entry in json.RootElement.GetProperty("segwit_addresses").GetProperty("valid").EnumerateArray())
        {
            data.Add(entry.GetProperty("address").GetString()!, entry.GetProperty("scriptPubKey").GetString()!);
        }
        return data;
    }

    public static TheoryData<string, string> SegwitInvalid()
    {
        var data = new TheoryData<string, string>();
        using var json = Fixture.Json("bips/bech32_vectors.json");
        foreach (var entry in json.RootElement.GetProperty("segwit_addresses").GetProperty("invalid").EnumerateArray())
        {
            data.Add(entry.GetProperty("address").GetString()!, entry.GetProperty("reason").GetString()!);
        }
        return data;
    }

    public static TheoryData<string, string, bool> Bip173Original()
    {
        var data = new TheoryData<string, string, bool>();
        using var json = Fixture.Json("bips/bech32_vectors.json");
        var section = json.RootElement.GetProperty("bip173_original_segwit_addresses");
        foreach (var entry in section.GetProperty("valid").EnumerateArray())
        {
            data.Add(entry.GetProperty("address").GetString()!, entry.GetProperty("scriptPubKey").GetString()!,
                entry.GetProperty("valid_under_bip350").GetBoolean());
        }
        foreach (var entry in section.GetProperty("invalid").EnumerateArray())
        {
            data.Add(entry.GetProperty("address").GetString()!, "", false);
        }
        return data;
    }

    public static TheoryData<string, string> TaprootVectors()
    {
        var data = new TheoryData<string, string>();
        using var json = Fixture.Json("bitcoin-core/bip341_wallet_vectors.json");
        foreach (var entry in json.RootElement.GetProperty("scriptPubKey").EnumerateArray())
        {
            var expected = entry.GetProperty("expected");
            data.Add(expected.GetProperty("bip350Address").GetString()!, expected.GetProperty("scriptPubKey").GetString()!);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(SegwitValid))]
    public void Decodes_and_encodes_bip350_segwit_addresses(string address, string script)
    {
        var network = address.ToLowerInvariant().StartsWith("bc1", StringComparison.Ordinal) ? Network.BitcoinMainnet : Network.BitcoinTestnet3;
        var decoded = AddressCodec.Decode(address);
        Assert.Equal(script, Hex.Encode(decoded.Script));
        Assert.Same(network, decoded.Network);
        Assert.Equal(ScriptClassifier.Classify(Hex.Decode(script)), decoded.Type);
        Assert.Equal(address.ToLowerInvariant(), AddressCodec.Encode(Hex.Decode(script), network));
    }

    // BIP350's reasons, mapped to the exception a caller sees.
    private static readonly (string Reason, Type Type)[] s_segwitReasons =
    [
        ("Invalid human-readable part", typeof(InvalidAddressException)),
        ("Invalid checksum", typeof(InvalidChecksumException)),
        ("Invalid character in checksum", typeof(InvalidEncodingException)),
        ("Invalid witness version", typeof(InvalidAddressException)),
        ("Invalid program length", typeof(InvalidAddressException)),
        ("Mixed case", typeof(InvalidEncodingException)),
        ("zero padding of more than 4 bits", typeof(InvalidEncodingException)),
        ("Non-zero padding in 8-to-5 conversion", typeof(InvalidEncodingException)),
        ("Empty data section", typeof(InvalidAddressException)),
    ];

    [Theory]
    [MemberData(nameof(SegwitInvalid))]
    public void Rejects_bip350_invalid_addresses_for_the_stated_reason(string address, string reason)
    {
        var expected = s_segwitReasons.Where(r => reason.StartsWith(r.Reason, StringComparison.Ordinal)).Select(r => r.Type).FirstOrDefault();
        Assert.True(expected is not null, $"no expectation for BIP reason '{reason}'");
        foreach (var network in Network.All.Append(null))
        {
            var ex = Assert.ThrowsAny<ChainFormatException>(() => AddressCodec.Decode(address, network));
            Assert.IsType(expected, ex);
        }
    }

    [Theory]
    [MemberData(nameof(Bip173Original))]
    public void Bip173_original_list_holds_under_bip350_where_flagged(string address, string script, bool validUnderBip350)
    {
        if (validUnderBip350)
        {
            Assert.Equal(script, Hex.Encode(AddressCodec.Decode(address).Script));
        }
        else
        {
            var ex = Assert.ThrowsAny<ChainFormatException>(() => AddressCodec.Decode(address));
            Assert.NotEqual(typeof(ChainFormatException), ex.GetType());
            if (script.Length > 0)
            {
                // Valid BIP173 v1+ addresses carry the old checksum, which BIP350 rejects.
                Assert.IsType<InvalidChecksumException>(ex);
            }
        }
    }

    [Theory]
    [MemberData(nameof(TaprootVectors))]
    public void Taproot_scripts_and_addresses_match_bip341_both_ways(string address, string script)
    {
        Assert.Equal(address, AddressCodec.Encode(Hex.Decode(script), Network.BitcoinMainnet));
        var decoded = AddressCodec.Decode(address, Network.BitcoinMainnet);
        Assert.Equal(script, Hex.Encode(decoded.Script));
        Assert.Equal(ScriptType.P2TR, decoded.Type);
    }

    [Theory]
    [InlineData(BitcoinP2sh, "bitcoin-mainnet")]
    [InlineData(LitecoinP2sh, "litecoin-mainnet")]
    [InlineData(LitecoinP2pkh, "litecoin-mainnet")]
    [InlineData(LitecoinP2wpkh, "litecoin-mainnet")]
    [InlineData(BitcoinTestnetP2pkh, "bitcoin-testnet3")]
    [InlineData(BitcoinTestnetP2wpkh, "bitcoin-testnet3")]
    [InlineData(LitecoinTestnetP2sh, "litecoin-testnet")]
    [InlineData("bcrt1qdavt4j2sd7dlhqsavtnfxvzppw6k7qy97tmnu9", "bitcoin-regtest")]
    [InlineData("rltc1q3kquwp848h4juq7rl5q3wqsr29pd3d6wprzz8k", "litecoin-regtest")]
    public void Detects_the_network_preferring_primary_prefixes(string address, string network)
    {
        Assert.Equal(network, AddressCodec.Decode(address).Network.Name);
        Assert.Equal(network, AddressCodec.GetNetworks(address)[0].Name);
    }

    [Fact]
    public void Lists_every_network_sharing_a_prefix()
    {
        Assert.Equal(["bitcoin-mainnet", "litecoin-mainnet"], AddressCodec.GetNetworks(BitcoinP2sh).Select(n => n.Name));
        Assert.Equal(["litecoin-mainnet"], AddressCodec.GetNetworks(LitecoinP2sh).Select(n => n.Name));
        Assert.Equal(
            ["bitcoin-testnet3", "bitcoin-testnet4", "bitcoin-signet", "bitcoin-regtest", "litecoin-testnet", "litecoin-regtest"],
            AddressCodec.GetNetworks(BitcoinTestnetP2pkh).Select(n => n.Name));
        // testnet P2SH: Bitcoin's own prefix (196) comes before Litecoin's legacy acceptance of it.
        Assert.Equal(
            ["bitcoin-testnet3", "bitcoin-testnet4", "bitcoin-signet", "bitcoin-regtest", "litecoin-testnet", "litecoin-regtest"],
            AddressCodec.GetNetworks("2NC2hEhe28ULKAJkW5MjZ3jtTMJdvXmByvK").Select(n => n.Name));
        Assert.Equal(["bitcoin-testnet3", "bitcoin-testnet4", "bitcoin-signet"], AddressCodec.GetNetworks(BitcoinTestnetP2wpkh).Select(n => n.Name));
    }

    [Fact]
    public void Litecoin_accepts_legacy_p2sh_and_encodes_its_own_prefix()
    {
        var decoded = AddressCodec.Decode(BitcoinP2sh, Network.LitecoinMainnet);
        Assert.Same(Network.LitecoinMainnet, decoded.Network);
        Assert.Equal(ScriptType.P2SH, decoded.Type);
        Assert.Equal(BitcoinP2shScript, Hex.Encode(decoded.Script));
        var encoded = AddressCodec.Encode(decoded.Script, Network.LitecoinMainnet)!;
        Assert.StartsWith("M", encoded, StringComparison.Ordinal);
        Assert.Equal(BitcoinP2shScript, Hex.Encode(AddressCodec.Decode(encoded, Network.LitecoinMainnet).Script));
        // Bitcoin does not accept Litecoin's prefix.
        Assert.Throws<WrongNetworkException>(() => AddressCodec.Decode(encoded, Network.BitcoinMainnet));
    }

    [Theory]
    [InlineData(LitecoinP2pkh, "bitcoin-mainnet", "litecoin-mainnet")]
    [InlineData(LitecoinP2wpkh, "bitcoin-mainnet", "litecoin-mainnet")]
    [InlineData(LitecoinP2sh, "bitcoin-mainnet", "litecoin-mainnet")]
    [InlineData(BitcoinP2pkh, "litecoin-mainnet", "bitcoin-mainnet")]
    [InlineData(BitcoinP2wpkh, "litecoin-mainnet", "bitcoin-mainnet")]
    [InlineData(BitcoinTestnetP2pkh, "bitcoin-mainnet", "bitcoin-testnet3")]
    [InlineData(BitcoinTestnetP2wpkh, "bitcoin-mainnet", "bitcoin-testnet3")]
    [InlineData(BitcoinTestnetP2wpkh, "bitcoin-regtest", "bitcoin-signet")]
    [InlineData(BitcoinP2wpkh, "bitcoin-testnet4", "bitcoin-mainnet")]
    [InlineData(LitecoinTestnetP2sh, "litecoin-mainnet", "litecoin-regtest")]
    public void Rejects_addresses_of_other_networks_naming_both(string address, string expected, string actualIncludes)
    {
        var ex = Assert.Throws<WrongNetworkException>(() => AddressCodec.Decode(address, Network.Parse(expected)));
        Assert.Equal(expected, ex.Expected.Name);
        Assert.Contains(ex.Actual, n => n.Name == actualIncludes);
        Assert.DoesNotContain(ex.Actual, n => n.Name == expected);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Contains(actualIncludes, ex.Message, StringComparison.Ordinal);
        Assert.False(AddressCodec.TryDecode(address, Network.Parse(expected), out _));
    }

    [Fact]
    public void Decodes_base58_addresses_that_begin_like_a_segwit_hrp()
    {
        // ltcsuite/ltcd ltcutil/address_test.go (commit bf5d6c6742545fe95ba329c326c50fca2acbbdd9),
        // "litecoin mainnet p2pkh with ltc1 prefix and no other '1' chars". Litecoin Core's
        // DecodeDestination routes any text starting with "ltc" (any case) to Bech32 and so rejects it.
        const string address = "LTC1f9gtb7bU6B4VjHXvPGDi8ACNZhkKPo";
        var decoded = AddressCodec.Decode(address);
        Assert.Same(Network.LitecoinMainnet, decoded.Network);
        Assert.Equal("76a914" + "5763023d3f02509644dacbfc45f2c91021297497" + "88ac", Hex.Encode(decoded.Script));
        Assert.Equal(address, AddressCodec.Encode(decoded.Script, Network.LitecoinMainnet));
    }

    [Fact]
    public void Rejects_mixed_case_bech32()
    {
        var mixed = "bc1qvyq0cc6rahyvsazfdje0twl7ez82ndmuAC2LHV";
        var ex = Assert.Throws<InvalidEncodingException>(() => AddressCodec.Decode(mixed));
        Assert.Contains("mixes upper and lower case", ex.Message, StringComparison.Ordinal);
        // Whole-string upper case is fine (BIP173).
        Assert.Equal(
            Hex.Encode(AddressCodec.Decode(BitcoinP2wpkh).Script),
            Hex.Encode(AddressCodec.Decode(BitcoinP2wpkh.ToUpperInvariant()).Script));
    }

    [Fact]
    public void Rejects_bad_checksums()
    {
        // Last character changed.
        var base58 = Assert.Throws<InvalidChecksumException>(() => AddressCodec.Decode("1FsSia9rv4NeEwvJ2GvXrX7LyxYspbN2mp"));
        Assert.Contains("Base58Check", base58.Message, StringComparison.Ordinal);
        // BIP173: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5" has an invalid checksum.
        var bech32 = Assert.Throws<InvalidChecksumException>(() => AddressCodec.Decode("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5"));
        Assert.Contains("Bech32", bech32.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_mweb_addresses_as_having_no_output_script()
    {
        // Prove the vector first: its payload is the stealth address A_0 ‖ B_0 of ltcd's keychain vectors.
        var decoded = Bech32.Decode(MainnetMweb, AddressCodec.MaxLength);
        Assert.Equal("ltcmweb", decoded.Hrp);
        Assert.Equal(MwebScanA0 + MwebSpendB0, Hex.Encode(Bech32.ConvertBits(decoded.Data.AsSpan(1), 5, 8, pad: false)));
        Assert.True(MainnetMweb.Length > Bech32.MaxLength);

        foreach (var network in Network.All.Append(null))
        {
            var ex = Assert.Throws<MwebAddressException>(() => AddressCodec.Decode(MainnetMweb, network));
            Assert.Equal([Network.LitecoinMainnet], ex.Networks);
            Assert.Contains("no output script", ex.Message, StringComparison.Ordinal);
            var testnet = Assert.Throws<MwebAddressException>(() => AddressCodec.Decode(TestnetMweb, network));
            Assert.Equal([Network.LitecoinTestnet, Network.LitecoinRegtest], testnet.Networks);
        }
        Assert.Throws<MwebAddressException>(() => AddressCodec.Decode(MainnetMweb.ToUpperInvariant()));
        Assert.Throws<MwebAddressException>(() => AddressCodec.GetNetworks(MainnetMweb));
        Assert.False(AddressCodec.TryDecode(MainnetMweb, out _));
    }

    [Fact]
    public void Rejects_corrupted_mweb_addresses_by_their_encoding_error()
    {
        var corrupted = MainnetMweb[..^1] + (MainnetMweb[^1] == 'q' ? 'p' : 'q');
        Assert.Throws<InvalidChecksumException>(() => AddressCodec.Decode(corrupted));
        Assert.Throws<InvalidEncodingException>(() => AddressCodec.Decode(MainnetMweb[..40] + "B" + MainnetMweb[41..]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello world")]
    [InlineData("not-an-address!")]
    [InlineData("0x52908400098527886E0F7030069857D2E4169EE7")]
    [InlineData("bc1")]
    [InlineData("1")]
    [InlineData("\u00e9\u00e9\u00e9")]
    [InlineData("76a914a31c06bd463e3923bc1aadbde48b16976c08071788ac")]
    public void Rejects_garbage_with_a_specific_error(string text)
    {
        foreach (var network in Network.All.Append(null))
        {
            var ex = Assert.ThrowsAny<ChainFormatException>(() => AddressCodec.Decode(text, network));
            Assert.NotEqual(typeof(ChainFormatException), ex.GetType());
            Assert.NotEqual(typeof(WrongNetworkException), ex.GetType());
        }
    }

    [Fact]
    public void Rejects_empty_input_saying_so()
    {
        var ex = Assert.Throws<InvalidAddressException>(() => AddressCodec.Decode(""));
        Assert.Contains("empty", ex.Message, StringComparison.Ordinal);
        Assert.False(AddressCodec.TryDecode(null, out _));
        Assert.Throws<ArgumentNullException>(() => AddressCodec.Decode(null!));
    }

    [Fact]
    public void Rejects_very_long_input_before_decoding()
    {
        var huge = "bc1" + new string('q', 10_000_000);
        var ex = Assert.Throws<InvalidAddressException>(() => AddressCodec.Decode(huge));
        Assert.Contains("10000003 characters", ex.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidAddressException>(() => AddressCodec.Decode(new string('1', AddressCodec.MaxLength + 1)));
        Assert.Throws<InvalidAddressException>(() => AddressCodec.GetNetworks(huge));
        Assert.ThrowsAny<ChainFormatException>(() => WifKey.Decode(huge));
    }

    [Fact]
    public void Reports_the_error_of_the_form_the_text_resembles()
    {
        // Segwit HRP but broken: a Bech32 error, not "invalid Base58 character".
        var ex = Assert.ThrowsAny<ChainFormatException>(() => AddressCodec.Decode("bc1qvyq0cc6rahyvsazfdje0twl7ez82ndmuac2lhw"));
        Assert.IsType<InvalidChecksumException>(ex);
        Assert.Contains("Bech32", ex.Message, StringComparison.Ordinal);
        // Base58-looking text: a Base58 error.
        ex = Assert.ThrowsAny<ChainFormatException>(() => AddressCodec.Decode("1FsSia9rv4NeEwvJ2GvXrX7LyxYspbN2m0"));
        Assert.IsType<InvalidEncodingException>(ex);
        Assert.Contains("Base58 character '0' at index 33", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Private_keys_are_not_addresses_and_messages_do_not_repeat_them()
    {
        const string wif = "L5nJeqKmpHp4P7F8ZYyjwc5a7P4d8EabuGAzfGJk7yC1BJyzNaEd"; // Core key_io_valid.json
        var ex = Assert.Throws<InvalidAddressException>(() => AddressCodec.Decode(wif));
        Assert.Contains("WIF private key", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wif, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")] // bare pubkey, not a script
    [InlineData("210279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798ac")] // P2PK
    [InlineData("51210279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f8179851ae")] // 1-of-1 multisig
    [InlineData("6a0401020304")] // OP_RETURN
    [InlineData("0010751e76e8199196d454941c45d1b3a323")] // v0 with a 16-byte program: not a destination
    [InlineData("")]
    public void Scripts_without_an_address_form_encode_to_null(string hex)
    {
        foreach (var network in Network.All)
        {
            Assert.Null(AddressCodec.Encode(Hex.Decode(hex), network));
        }
    }

    [Fact]
    public void Encodes_each_address_type_on_each_network_and_decodes_it_back()
    {
        string[] scripts =
        [
            BitcoinP2pkhScript,
            BitcoinP2shScript,
            "0014751e76e8199196d454941c45d1b3a323f1433bd6",
            "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262",
            "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
            "51024e73", // pay-to-anchor: witness v1, 2 bytes
            "6028751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6", // v16, 40 bytes
        ];
        foreach (var network in Network.All)
        {
            foreach (var hex in scripts)
            {
                var address = AddressCodec.Encode(Hex.Decode(hex), network);
                Assert.NotNull(address);
                var decoded = AddressCodec.Decode(address, network);
                Assert.Equal(hex, Hex.Encode(decoded.Script));
                Assert.Same(network, decoded.Network);
                Assert.Contains(network, AddressCodec.GetNetworks(address));
            }
        }
    }
}
