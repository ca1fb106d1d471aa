using Coinshard.Chain.Encoding;
using Coinshard.Chain.Keys;
using Coinshard.Chain.Networks;

using Xunit;

namespace Coinshard.Chain.Tests.Keys;

/// <summary>BIP32 against bips/bip32_vectors.json (test vectors 1–5 of bip-0032.mediawiki).</summary>
public class ExtKeyTests
{
    public sealed record Chain(string Vector, string Seed, string Path, string ExtPub, string ExtPrv)
    {
        public override string ToString() => $"{Vector} {Path}";
    }

    public static TheoryData<Chain> Chains()
    {
        using var doc = Fixture.Json("bips/bip32_vectors.json");
        var data = new TheoryData<Chain>();
        foreach (var vector in doc.RootElement.GetProperty("vectors").EnumerateArray())
        {
            foreach (var chain in vector.GetProperty("chains").EnumerateArray())
            {
                data.Add(new Chain(
                    vector.GetProperty("name").GetString()!,
                    vector.GetProperty("seed_hex").GetString()!,
                    chain.GetProperty("path").GetString()!,
                    chain.GetProperty("ext_pub").GetString()!,
                    chain.GetProperty("ext_prv").GetString()!));
            }
        }
        return data;
    }

    public static TheoryData<string, string> InvalidKeys()
    {
        using var doc = Fixture.Json("bips/bip32_vectors.json");
        var data = new TheoryData<string, string>();
        foreach (var entry in doc.RootElement.GetProperty("invalid_extended_keys").EnumerateArray())
        {
            data.Add(entry.GetProperty("key").GetString()!, entry.GetProperty("reason").GetString()!);
        }
        return data;
    }

    [Fact]
    public void Fixture_has_17_chains_and_16_invalid_keys()
    {
        Assert.Equal(17, Chains().Count);
        Assert.Equal(16, InvalidKeys().Count);
    }

    [Theory]
    [MemberData(nameof(Chains))]
    public void Private_derivation_from_seed_gives_every_xprv_and_xpub(Chain chain)
    {
        var master = ExtKey.FromSeed(Hex.Decode(chain.Seed));
        var key = master.Derive(KeyPath.Parse(chain.Path));
        Assert.Equal(chain.ExtPrv, key.ToBase58());
        Assert.Equal(chain.ExtPub, key.Neuter().ToBase58());
        Assert.Equal(chain.ExtPub, key.Neuter().ToString());
        Assert.Equal(KeyPath.Parse(chain.Path).Indexes.Count, key.Depth);
    }

    [Theory]
    [MemberData(nameof(Chains))]
    public void Parse_and_serialize_round_trip(Chain chain)
    {
        var prv = ExtKey.Parse(chain.ExtPrv, Network.BitcoinMainnet);
        var pub = ExtPubKey.Parse(chain.ExtPub, Network.BitcoinMainnet);
        Assert.Equal(chain.ExtPrv, prv.ToBase58());
        Assert.Equal(chain.ExtPub, pub.ToBase58());
        Assert.Equal(pub, prv.Neuter());
        Assert.Equal(pub.Fingerprint, prv.Fingerprint);
        Assert.True(ExtendedKey.Parse(chain.ExtPrv).IsPrivate);
        Assert.False(ExtendedKey.Parse(chain.ExtPub).IsPrivate);
        Assert.DoesNotContain(chain.ExtPrv, prv.ToString(), StringComparison.Ordinal); // no secret in logs
    }

    [Theory]
    [MemberData(nameof(Chains))]
    public void Public_derivation_matches_private_derivation_for_unhardened_children(Chain chain)
    {
        var path = KeyPath.Parse(chain.Path);
        if (path.Indexes.Count == 0 || KeyPath.IsHardened(path.Indexes[^1]))
        {
            return; // a public parent cannot derive this child
        }
        var parentPath = new KeyPath(path.Indexes.Take(path.Indexes.Count - 1));
        var parent = ExtKey.FromSeed(Hex.Decode(chain.Seed)).Derive(parentPath).Neuter();
        var child = parent.Derive(path.Indexes[^1]);
        Assert.Equal(chain.ExtPub, child.ToBase58());
        Assert.Equal(parent.Fingerprint, child.ParentFingerprint);
    }

    [Theory]
    [MemberData(nameof(InvalidKeys))]
    public void Invalid_keys_are_rejected_with_the_specific_reason(string key, string reason)
    {
        if (reason == "invalid checksum")
        {
            Assert.Throws<InvalidChecksumException>(() => ExtendedKey.Parse(key));
            Assert.Throws<InvalidChecksumException>(() => ExtendedKey.Parse(key, Network.BitcoinMainnet));
            return;
        }
        var expected = reason switch
        {
            "pubkey version / prvkey mismatch" or "prvkey version / pubkey mismatch" => InvalidKeyReason.VersionKeyMismatch,
            "invalid pubkey prefix 04" or "invalid pubkey prefix 01" => InvalidKeyReason.InvalidPublicKeyPrefix,
            "invalid prvkey prefix 04" or "invalid prvkey prefix 01" => InvalidKeyReason.InvalidPrivateKeyPrefix,
            "zero depth with non-zero parent fingerprint" => InvalidKeyReason.ZeroDepthWithParentFingerprint,
            "zero depth with non-zero index" => InvalidKeyReason.ZeroDepthWithChildNumber,
            "unknown extended key version" => InvalidKeyReason.UnknownVersion,
            "private key 0 not in 1..n-1" or "private key n not in 1..n-1" => InvalidKeyReason.PrivateKeyOutOfRange,
            "invalid pubkey 020000000000000000000000000000000000000000000000000000000000000007" => InvalidKeyReason.InvalidPublicKeyPoint,
            _ => throw new InvalidOperationException($"unmapped reason '{reason}'"),
        };
        var error = Assert.Throws<InvalidKeyException>(() => ExtendedKey.Parse(key));
        Assert.Equal(expected, error.Reason);
        error = Assert.Throws<InvalidKeyException>(() => ExtendedKey.Parse(key, Network.BitcoinMainnet));
        Assert.Equal(expected, error.Reason);
        Assert.False(ExtendedKey.TryParse(key, null, out _));
    }

    [Fact]
    public void Hardened_derivation_from_a_public_key_is_refused()
    {
        var pub = ExtPubKey.Parse("xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8");
        var error = Assert.Throws<InvalidKeyException>(() => pub.Derive(KeyPath.HardenedBit));
        Assert.Equal(InvalidKeyReason.HardenedDerivationFromPublicKey, error.Reason);
        Assert.Throws<InvalidKeyException>(() => pub.Derive(KeyPath.Parse("m/1/2'")));
    }

    [Fact]
    public void Kind_and_network_mismatches_are_reported()
    {
        const string xprv = "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi";
        const string xpub = "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8";
        Assert.Equal(InvalidKeyReason.WrongKeyKind, Assert.Throws<InvalidKeyException>(() => ExtPubKey.Parse(xprv)).Reason);
        Assert.Equal(InvalidKeyReason.WrongKeyKind, Assert.Throws<InvalidKeyException>(() => ExtKey.Parse(xpub)).Reason);
        Assert.Equal(InvalidKeyReason.WrongNetwork,
            Assert.Throws<InvalidKeyException>(() => ExtPubKey.Parse(xpub, Network.BitcoinTestnet3)).Reason);
        // Litecoin mainnet accepts Bitcoin's xpub as well as its own Ltub.
        Assert.Equal(xpub, ExtPubKey.Parse(xpub, Network.LitecoinMainnet).ToBase58());
        Assert.Throws<InvalidEncodingException>(() => ExtendedKey.Parse("xpub0OIl"));
        Assert.Equal(InvalidKeyReason.BadLength,
            Assert.Throws<InvalidKeyException>(() => ExtendedKey.Parse(Base58.EncodeCheck(new byte[77]))).Reason);
    }

    [Theory]
    [InlineData("litecoin-mainnet", 0x019D9CFEu, "Ltpv", "Ltub")]
    [InlineData("litecoin-testnet", 0x0436EF7Du, "ttpv", "ttub")]
    [InlineData("litecoin-regtest", 0x0436EF7Du, "ttpv", "ttub")]
    [InlineData("bitcoin-testnet3", 0x04358394u, "tprv", "tpub")]
    [InlineData("bitcoin-mainnet", 0x0488ADE4u, "xprv", "xpub")]
    public void Network_versions_have_their_known_prefixes_and_survive_derivation(string networkName, uint privateVersion, string prvPrefix, string pubPrefix)
    {
        var network = Network.Parse(networkName);
        // Re-version BIP32 vector 1's m/0' private key.
        var payload = Base58.DecodeCheck("xprv9uHRZZhk6KAJC1avXpDAp4MDc3sQKNxDiPvvkX8Br5ngLNv1TxvUxt4cV1rGL5hj6KCesnDYUhd7oWgT11eZG7XnxHrnYeSvkzY7d2bhkJ7");
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(payload, privateVersion);
        var prvText = Base58.EncodeCheck(payload);
        Assert.StartsWith(prvPrefix, prvText, StringComparison.Ordinal);

        var key = ExtKey.Parse(prvText, network);
        Assert.Equal(privateVersion, key.Version);
        Assert.Equal(prvText, key.ToBase58());
        var pubText = key.Neuter().ToBase58();
        Assert.StartsWith(pubPrefix, pubText, StringComparison.Ordinal);
        Assert.Equal(pubText, ExtPubKey.Parse(pubText, network).ToBase58());
        // The version survives derivation; the key material matches vector 1's m/0'/1.
        var child = key.Derive(1);
        Assert.StartsWith(prvPrefix, child.ToBase58(), StringComparison.Ordinal);
        Assert.Equal(
            "xpub6ASuArnXKPbfEwhqN6e3mwBcDTgzisQN1wXN9BJcM47sSikHjJf3UFHKkNAWbWMiGj7Wf5uMash7SyYq527Hqck2AxYysAA7xmALppuCkwQ",
            child.Neuter().ToBase58(Network.BitcoinMainnet));
        // Encoding for a network uses its first version (Litecoin Core itself encodes xpub/tpub).
        Assert.Equal(network.ExtPubKeyVersions[0], ExtPubKey.Parse(key.Neuter().ToBase58(network), network).Version);
    }

    [Fact]
    public void Seed_length_is_checked()
    {
        Assert.Equal(InvalidKeyReason.BadSeedLength, Assert.Throws<InvalidKeyException>(() => ExtKey.FromSeed(new byte[15])).Reason);
        Assert.Equal(InvalidKeyReason.BadSeedLength, Assert.Throws<InvalidKeyException>(() => ExtKey.FromSeed(new byte[65])).Reason);
    }

    [Fact]
    public void Identifier_and_fingerprint_follow_bip32()
    {
        // Vector 1: m's fingerprint is the parent fingerprint serialized in m/0' (3442193e).
        var master = ExtKey.FromSeed(Hex.Decode("000102030405060708090a0b0c0d0e0f"));
        Assert.Equal(0x3442193eu, master.Fingerprint);
        Assert.Equal("3442193e1bb70916e914552172cd4e2dbc9df811", Hex.Encode(master.Identifier));
        Assert.Equal(0x3442193eu, master.Derive(KeyPath.HardenedBit).ParentFingerprint);
    }
}
