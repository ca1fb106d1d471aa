using System.Text.Json;

using Coinshard.Chain.Encoding;
using Coinshard.Chain.Keys;

using Xunit;

namespace Coinshard.Chain.Tests.Keys;

/// <summary>BIP341 output keys against bitcoin-core/bip341_wallet_vectors.json ("scriptPubKey" entries).</summary>
public class TaprootTests
{
    public static TheoryData<int> Entries()
    {
        using var doc = Fixture.Json("bitcoin-core/bip341_wallet_vectors.json");
        return [.. Enumerable.Range(0, doc.RootElement.GetProperty("scriptPubKey").GetArrayLength())];
    }

    [Fact]
    public void Fixture_has_seven_script_pub_key_entries_one_without_script_tree()
    {
        using var doc = Fixture.Json("bitcoin-core/bip341_wallet_vectors.json");
        var entries = doc.RootElement.GetProperty("scriptPubKey").EnumerateArray().ToList();
        Assert.Equal(7, entries.Count);
        Assert.Single(entries, e => e.GetProperty("given").GetProperty("scriptTree").ValueKind == JsonValueKind.Null);
    }

    [Theory]
    [MemberData(nameof(Entries))]
    public void Tweak_output_key_and_script_are_byte_exact(int index)
    {
        using var doc = Fixture.Json("bitcoin-core/bip341_wallet_vectors.json");
        var entry = doc.RootElement.GetProperty("scriptPubKey")[index];
        var given = entry.GetProperty("given");
        var intermediary = entry.GetProperty("intermediary");
        var internalKey = Hex.Decode(given.GetProperty("internalPubkey").GetString()!);

        byte[] merkleRoot = [];
        var tree = given.GetProperty("scriptTree");
        if (tree.ValueKind != JsonValueKind.Null)
        {
            var leafHashes = new List<string>();
            merkleRoot = TreeHash(tree, leafHashes);
            var expectedLeaves = intermediary.GetProperty("leafHashes").EnumerateArray().Select(e => e.GetString()!).ToList();
            Assert.Equal(expectedLeaves, leafHashes);
            Assert.Equal(intermediary.GetProperty("merkleRoot").GetString(), Hex.Encode(merkleRoot));
        }
        else
        {
            Assert.Equal(JsonValueKind.Null, intermediary.GetProperty("merkleRoot").ValueKind);
        }

        Assert.Equal(intermediary.GetProperty("tweak").GetString(), Hex.Encode(Taproot.ComputeTweak(internalKey, merkleRoot)));
        var outputKey = Taproot.TweakPublicKey(internalKey, merkleRoot);
        Assert.Equal(intermediary.GetProperty("tweakedPubkey").GetString(), Hex.Encode(outputKey));
        Assert.Equal(entry.GetProperty("expected").GetProperty("scriptPubKey").GetString(), "5120" + Hex.Encode(outputKey));
    }

    // The vectors write a leaf as {id, script, leafVersion} and a branch as a two-element array.
    // Leaf hashes are listed in id order, which is the left-to-right order of the tree.
    private static byte[] TreeHash(JsonElement node, List<string> leafHashes)
    {
        if (node.ValueKind == JsonValueKind.Object)
        {
            var leaf = Taproot.ComputeLeafHash((byte)node.GetProperty("leafVersion").GetInt32(), Hex.Decode(node.GetProperty("script").GetString()!));
            leafHashes.Add(Hex.Encode(leaf));
            return leaf;
        }
        Assert.Equal(2, node.GetArrayLength());
        var left = TreeHash(node[0], leafHashes);
        var right = TreeHash(node[1], leafHashes);
        return Taproot.ComputeBranchHash(left, right);
    }

    [Fact]
    public void Invalid_internal_keys_are_rejected()
    {
        // x = 5 has no point on secp256k1 (5^3 + 7 = 132 is not a quadratic residue mod p).
        var notOnCurve = new byte[32];
        notOnCurve[31] = 5;
        Assert.Equal(InvalidKeyReason.InvalidPublicKeyPoint, Assert.Throws<InvalidKeyException>(() => Taproot.TweakPublicKey(notOnCurve)).Reason);
        Assert.Equal(InvalidKeyReason.BadLength, Assert.Throws<InvalidKeyException>(() => Taproot.TweakPublicKey(new byte[33])).Reason);
    }
}
