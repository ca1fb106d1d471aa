using System.Text.Json;

using Coinshard.Chain.Blocks;
using Coinshard.Chain.Encoding;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Litecoin;
using Coinshard.Chain.Networks;
using Coinshard.Chain.ProofOfWork;
using Coinshard.Chain.Transactions;

using Xunit;

namespace Coinshard.Chain.Tests.Litecoin;

/// <summary>
/// Our parse against litecoind's own JSON for real regtest blocks (before and after MWEB
/// activation) and mempool transactions carrying MWEB data.
/// </summary>
public class LitecoinRegtestFixtureTests
{
    public static TheoryData<string> BlockNames() => new(LitecoinRegtestFixtures.Blocks().Select(b => b.Name));

    public static TheoryData<string> MempoolNames() => new(LitecoinRegtestFixtures.MempoolTransactionNames());

    [Fact]
    public void All_fixtures_are_present()
    {
        Assert.Equal(8, LitecoinRegtestFixtures.Blocks().Count());
        Assert.Equal(6, LitecoinRegtestFixtures.MempoolTransactionNames().Count());
    }

    [Theory]
    [MemberData(nameof(BlockNames))]
    public void Block_agrees_with_the_node(string name)
    {
        var raw = LitecoinRegtestFixtures.Raw(name);
        using var json = LitecoinRegtestFixtures.Json(name);
        var expected = json.RootElement;
        var block = Block.Parse(raw, Network.LitecoinRegtest);

        Assert.Equal(expected.GetProperty("hash").GetString(), block.Hash.ToString());
        Assert.Equal(raw, block.ToArray());
        Assert.Equal(expected.GetProperty("size").GetInt32(), block.Size);
        Assert.Equal(expected.GetProperty("strippedsize").GetInt32(), block.StrippedSize);
        Assert.Equal(expected.GetProperty("weight").GetInt64(), block.Weight);
        Assert.Equal(expected.GetProperty("merkleroot").GetString(), block.Header.MerkleRoot.ToString());
        Assert.Equal(block.Header.MerkleRoot, block.ComputeMerkleRoot(out var mutated));
        Assert.False(mutated);
        Assert.Equal(expected.GetProperty("version").GetInt32(), block.Header.Version);
        Assert.Equal(expected.GetProperty("time").GetUInt32(), block.Header.Time);
        Assert.Equal(expected.GetProperty("nonce").GetUInt32(), block.Header.Nonce);
        Assert.Equal(expected.GetProperty("bits").GetString(), block.Header.Bits.ToString("x8", System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(ProofOfWorkValidator.CheckProofOfWork(block.Header, Network.LitecoinRegtest));

        var transactions = expected.GetProperty("tx");
        Assert.Equal(expected.GetProperty("nTx").GetInt32(), block.Transactions.Count);
        Assert.Equal(transactions.GetArrayLength(), block.Transactions.Count);
        for (var i = 0; i < block.Transactions.Count; i++)
        {
            AssertTransaction(transactions[i], block.Transactions[i], $"{name} tx {i}");
        }

        var hasMweb = expected.TryGetProperty("mweb", out var mweb);
        Assert.Equal(hasMweb, block.Mweb is not null);
        Assert.Equal(hasMweb, block.Transactions[^1].IsHogEx);
        if (hasMweb)
        {
            AssertMwebBlock(mweb, block);
        }
    }

    [Theory]
    [MemberData(nameof(MempoolNames))]
    public void Mempool_transaction_agrees_with_the_node(string name)
    {
        var raw = LitecoinRegtestFixtures.Raw(name);
        using var json = LitecoinRegtestFixtures.Json(name);
        var expected = json.RootElement;
        var tx = Transaction.Parse(raw, Network.LitecoinRegtest);

        Assert.Equal(raw, tx.ToArray());
        Assert.Equal(expected.GetProperty("hex").GetString(), Hex.Encode(tx.ToArray()));
        Assert.NotNull(tx.Mweb);
        Assert.Equal(expected.GetProperty("size").GetInt32(), tx.TotalSize);
        Assert.Equal(expected.GetProperty("weight").GetInt64(), tx.Weight);
        Assert.Equal(expected.GetProperty("vsize").GetInt64(), tx.VirtualSize);
        Assert.Equal(expected.GetProperty("version").GetInt32(), tx.Version);
        Assert.Equal(expected.GetProperty("locktime").GetUInt32(), tx.LockTime);
        Assert.Throws<InvalidDataException>(() => Transaction.Parse(raw, Currency.Bitcoin));

        if (tx.IsMwebOnly)
        {
            // The node's id for these is a BLAKE3 kernel hash, which Coinshard does not compute.
            Assert.Throws<NotSupportedException>(() => tx.TxId);
        }
        else
        {
            Assert.Equal(expected.GetProperty("txid").GetString(), tx.TxId.ToString());
            Assert.Equal(expected.GetProperty("hash").GetString(), tx.WTxId.ToString());
        }
        AssertInputsAndOutputs(expected, tx, name);

        var mwebInputs = expected.GetProperty("vin").EnumerateArray().Count(IsMweb);
        var mwebOutputs = expected.GetProperty("vout").EnumerateArray().Count(IsMweb);
        var body = tx.Mweb.Body;
        Assert.Equal(mwebInputs, body.InputCount);
        Assert.Equal(mwebOutputs, body.OutputCount);
        var kernels = expected.GetProperty("vkern").EnumerateArray().ToList();
        Assert.Equal(kernels.Count, body.KernelCount);
        Assert.Equal(kernels.Sum(k => LitecoinRegtestFixtures.Satoshis(k.GetProperty("fee"))), body.TotalFee);
        Assert.Equal(kernels.Sum(k => LitecoinRegtestFixtures.Satoshis(k.GetProperty("pegin"))), body.PegInTotal);
        var pegOuts = kernels.SelectMany(k => k.GetProperty("pegout").EnumerateArray()).ToList();
        Assert.Equal(pegOuts.Count, body.PegOuts.Count);
        for (var i = 0; i < pegOuts.Count; i++)
        {
            Assert.Equal(LitecoinRegtestFixtures.Satoshis(pegOuts[i].GetProperty("value")), body.PegOuts[i].Amount);
            Assert.Equal(pegOuts[i].GetProperty("scriptPubKey").GetProperty("hex").GetString(), Hex.Encode(body.PegOuts[i].ScriptPubKey.Span));
        }
        // A peg-in pays its canonical witness-v9 output the kernel's peg-in amount, to the kernel id.
        foreach (var kernel in kernels.Where(k => LitecoinRegtestFixtures.Satoshis(k.GetProperty("pegin")) != 0))
        {
            var pegInOutput = tx.Outputs.Single(o => Hex.Encode(o.ScriptPubKey.Span) == "5920" + kernel.GetProperty("kernel_id").GetString());
            Assert.Equal(LitecoinRegtestFixtures.Satoshis(kernel.GetProperty("pegin")), pegInOutput.Value);
        }
    }

    [Fact]
    public void Peg_in_keeps_its_txid_from_mempool_to_block()
    {
        var mempool = Transaction.Parse(LitecoinRegtestFixtures.Raw("mempool-pegin"), Currency.Litecoin);
        var block = Block.Parse(LitecoinRegtestFixtures.Raw("block-432"), Currency.Litecoin);
        var mined = block.Transactions.Single(t => t.TxId == mempool.TxId);
        Assert.Null(mined.Mweb);
        Assert.Equal(mempool.ToArray(includeWitness: true, includeMweb: false), mined.ToArray());
    }

    private static void AssertMwebBlock(JsonElement mweb, Block block)
    {
        var ext = block.Mweb!;
        Assert.Equal(mweb.GetProperty("height").GetInt32(), ext.Height);
        Assert.Equal(block.Transactions.Count > 0 ? mweb.GetProperty("height").GetInt32() : 0, ext.Height);
        Assert.Equal(mweb.GetProperty("num_txos").GetUInt64(), ext.OutputMmrSize);
        Assert.Equal(mweb.GetProperty("num_kernels").GetUInt64(), ext.KernelMmrSize);
        Assert.Equal(mweb.GetProperty("output_root").GetString(), Hex.Encode(ext.OutputRoot.Span));
        Assert.Equal(mweb.GetProperty("kernel_root").GetString(), Hex.Encode(ext.KernelRoot.Span));
        Assert.Equal(mweb.GetProperty("leaf_root").GetString(), Hex.Encode(ext.LeafsetRoot.Span));
        Assert.Equal(mweb.GetProperty("kernel_offset").GetString(), Hex.Encode(ext.KernelOffset.Span));
        Assert.Equal(mweb.GetProperty("stealth_offset").GetString(), Hex.Encode(ext.StealthOffset.Span));

        var kernels = mweb.GetProperty("kernels").EnumerateArray().ToList();
        Assert.Equal(mweb.GetProperty("inputs").GetArrayLength(), ext.Body.InputCount);
        Assert.Equal(mweb.GetProperty("outputs").GetArrayLength(), ext.Body.OutputCount);
        Assert.Equal(kernels.Count, ext.Body.KernelCount);
        Assert.Equal(kernels.Sum(k => k.GetProperty("fee").GetInt64()), ext.Body.TotalFee);

        // The HogEx pays the MWEB header hash (output 0) and then this block's peg-outs, in kernel order.
        var hogEx = block.Transactions[^1];
        Assert.Equal("5820" + mweb.GetProperty("hash").GetString(), Hex.Encode(hogEx.Outputs[0].ScriptPubKey.Span));
        Assert.Equal(ext.Body.PegOuts.Count, hogEx.Outputs.Count - 1);
        for (var i = 0; i < ext.Body.PegOuts.Count; i++)
        {
            Assert.Equal(hogEx.Outputs[i + 1].Value, ext.Body.PegOuts[i].Amount);
            Assert.True(hogEx.Outputs[i + 1].ScriptPubKey.Span.SequenceEqual(ext.Body.PegOuts[i].ScriptPubKey.Span));
        }
        Assert.Equal(kernels.Count(k => (k.GetProperty("features").GetInt32() & 0x04) != 0), ext.Body.PegOuts.Count);

        // Each peg-in kernel is matched by a canonical witness-v9 output carrying its id and amount.
        var pegInKernels = kernels.Where(k => (k.GetProperty("features").GetInt32() & 0x02) != 0).ToList();
        Assert.Equal(pegInKernels.Count, ext.Body.PegIns.Count);
        for (var i = 0; i < pegInKernels.Count; i++)
        {
            var script = "5920" + pegInKernels[i].GetProperty("kernel_id").GetString();
            var output = block.Transactions.SelectMany(t => t.Outputs).Single(o => Hex.Encode(o.ScriptPubKey.Span) == script);
            Assert.Equal(output.Value, ext.Body.PegIns[i]);
        }
    }

    private static void AssertTransaction(JsonElement expected, Transaction tx, string label)
    {
        Assert.Equal(expected.GetProperty("txid").GetString(), tx.TxId.ToString());
        Assert.Equal(expected.GetProperty("hash").GetString(), tx.WTxId.ToString());
        Assert.Equal(expected.GetProperty("hex").GetString(), Hex.Encode(tx.ToArray()));
        Assert.Equal(expected.GetProperty("size").GetInt32(), tx.TotalSize);
        Assert.Equal(expected.GetProperty("weight").GetInt64(), tx.Weight);
        Assert.Equal(expected.GetProperty("vsize").GetInt64(), tx.VirtualSize);
        Assert.Equal(expected.GetProperty("version").GetInt32(), tx.Version);
        Assert.Equal(expected.GetProperty("locktime").GetUInt32(), tx.LockTime);
        Assert.Null(tx.Mweb); // inside blocks, MWEB data lives in the extension block only
        AssertInputsAndOutputs(expected, tx, label);
    }

    private static void AssertInputsAndOutputs(JsonElement expected, Transaction tx, string label)
    {
        var vin = expected.GetProperty("vin").EnumerateArray().Where(v => !IsMweb(v)).ToList();
        Assert.Equal(vin.Count, tx.Inputs.Count);
        for (var i = 0; i < vin.Count; i++)
        {
            var input = tx.Inputs[i];
            if (vin[i].TryGetProperty("coinbase", out var coinbase))
            {
                Assert.True(tx.IsCoinbase, label);
                Assert.Equal(coinbase.GetString(), Hex.Encode(input.ScriptSig.Span));
            }
            else
            {
                Assert.False(tx.IsCoinbase, label);
                Assert.Equal(vin[i].GetProperty("txid").GetString(), input.PrevOut.TxId.ToString());
                Assert.Equal(vin[i].GetProperty("vout").GetUInt32(), input.PrevOut.Index);
                Assert.Equal(vin[i].GetProperty("scriptSig").GetProperty("hex").GetString(), Hex.Encode(input.ScriptSig.Span));
            }
            Assert.Equal(vin[i].GetProperty("sequence").GetUInt32(), input.Sequence);
            var witness = vin[i].TryGetProperty("txinwitness", out var items)
                ? items.EnumerateArray().Select(w => w.GetString()!).ToList()
                : [];
            Assert.Equal(witness, input.Witness.Select(w => Hex.Encode(w.Span)).ToList());
        }

        var vout = expected.GetProperty("vout").EnumerateArray().Where(v => !IsMweb(v)).ToList();
        Assert.Equal(vout.Count, tx.Outputs.Count);
        for (var n = 0; n < vout.Count; n++)
        {
            Assert.Equal(n, vout[n].GetProperty("n").GetInt32());
            Assert.Equal(LitecoinRegtestFixtures.Satoshis(vout[n].GetProperty("value")), tx.Outputs[n].Value);
            Assert.Equal(vout[n].GetProperty("scriptPubKey").GetProperty("hex").GetString(), Hex.Encode(tx.Outputs[n].ScriptPubKey.Span));
        }
    }

    private static bool IsMweb(JsonElement entry) => entry.TryGetProperty("ismweb", out var flag) && flag.GetBoolean();
}
