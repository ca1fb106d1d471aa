using Coinshard.Chain.Encoding;
using Coinshard.Chain.Scripts;

using Xunit;

namespace Coinshard.Chain.Tests.Scripts;

public class ScriptClassifierTests
{
    private const string Key33 = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
    private const string Key65 = "0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8";

    [Theory]
    [InlineData("76a914751e76e8199196d454941c45d1b3a323f1433bd688ac", ScriptType.P2PKH)]
    [InlineData("a914751e76e8199196d454941c45d1b3a323f1433bd687", ScriptType.P2SH)]
    [InlineData("0014751e76e8199196d454941c45d1b3a323f1433bd6", ScriptType.P2WPKH)]
    [InlineData("00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262", ScriptType.P2WSH)]
    [InlineData("51201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262", ScriptType.P2TR)]
    [InlineData("5210751e76e8199196d454941c45d1b3a323", ScriptType.WitnessUnknown)]
    [InlineData("51024e73", ScriptType.WitnessUnknown)]
    [InlineData("58201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262", ScriptType.WitnessUnknown)]
    [InlineData("0010751e76e8199196d454941c45d1b3a323", ScriptType.NonStandard)]
    [InlineData("6a", ScriptType.NullData)]
    [InlineData("6a0401020304", ScriptType.NullData)]
    [InlineData("6a0401020304ac", ScriptType.NonStandard)]
    [InlineData("6a4c", ScriptType.NonStandard)]
    [InlineData("21" + Key33 + "ac", ScriptType.P2PK)]
    [InlineData("41" + Key65 + "ac", ScriptType.P2PK)]
    [InlineData("5121" + Key33 + "41" + Key65 + "52ae", ScriptType.Multisig)]
    [InlineData("5321" + Key33 + "41" + Key65 + "52ae", ScriptType.NonStandard)]
    [InlineData("5121" + Key33 + "53ae", ScriptType.NonStandard)]
    [InlineData("", ScriptType.NonStandard)]
    [InlineData("ae", ScriptType.NonStandard)]
    [InlineData("4d", ScriptType.NonStandard)]
    public void Classifies_like_core_solver(string hex, ScriptType expected)
    {
        Assert.Equal(expected, ScriptClassifier.Classify(Hex.Decode(hex)));
    }

    [Fact]
    public void Templates_classify_as_themselves()
    {
        var key = Hex.Decode(Key33);
        var hash = new byte[20];
        Assert.Equal(ScriptType.P2PK, ScriptClassifier.Classify(ScriptTemplates.P2PK(key)));
        Assert.Equal(ScriptType.P2PKH, ScriptClassifier.Classify(ScriptTemplates.P2PKH(hash)));
        Assert.Equal(ScriptType.P2SH, ScriptClassifier.Classify(ScriptTemplates.P2SH(hash)));
        Assert.Equal(ScriptType.P2WPKH, ScriptClassifier.Classify(ScriptTemplates.WitnessProgram(0, hash)));
        Assert.Equal(ScriptType.P2TR, ScriptClassifier.Classify(ScriptTemplates.WitnessProgram(1, new byte[32])));
        Assert.Equal(ScriptType.Multisig, ScriptClassifier.Classify(ScriptTemplates.Multisig(1, [key, Hex.Decode(Key65)])));
        var twenty = Enumerable.Repeat(key, 20).ToList();
        var bigMultisig = ScriptTemplates.Multisig(17, twenty);
        Assert.Equal(ScriptType.Multisig, ScriptClassifier.Classify(bigMultisig)); // 17 and 20 are pushed numbers, not OP_N
        Assert.Equal(0x01, bigMultisig[0]);
        Assert.Equal(17, bigMultisig[1]);
    }

    [Fact]
    public void Electrum_scripthash_is_reversed_sha256()
    {
        // The Electrum protocol documentation's example: the genesis block's address 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa.
        var script = Hex.Decode("76a91462e907b15cbf27d5425399ebf6f0fb50ebb88f1888ac");
        Assert.Equal("8b01df4e368ea28f8dc0423bcf7a4923e3a12d307c875e47a0cfbf90b5c39161", ElectrumScripthash.Compute(script).ToString());
    }

    // Core's CScript::IsUnspendable: OP_RETURN first, or longer than MAX_SCRIPT_SIZE (10,000 bytes).
    [Theory]
    [InlineData("6a", true)]
    [InlineData("6a24aa21a9ed8921f3485a19b8f45ec606bced9167339fa8b163723d52b54cb48b0b5447e4d6", true)]
    [InlineData("6aff", true)] // not push-only (so not NullData), still unspendable
    [InlineData("", false)]
    [InlineData("51", false)]
    [InlineData("006a", false)]
    [InlineData("76a91462e907b15cbf27d5425399ebf6f0fb50ebb88f1888ac", false)]
    public void Unspendable_scripts_are_those_core_keeps_out_of_its_utxo_set(string hex, bool unspendable) =>
        Assert.Equal(unspendable, ScriptClassifier.IsUnspendable(Hex.Decode(hex)));

    [Fact]
    public void A_script_longer_than_ten_thousand_bytes_is_unspendable()
    {
        Assert.False(ScriptClassifier.IsUnspendable(new byte[10_000]));
        Assert.True(ScriptClassifier.IsUnspendable(new byte[10_001]));
    }
}
