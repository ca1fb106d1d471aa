using System.Globalization;
using System.Text.Json;

using Coinshard.Chain.Blocks;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Scripts;
using Coinshard.TestSupport.Chains;
using Coinshard.TestSupport.Litecoind;

using Xunit;

namespace Coinshard.Backends.Tests.Chains;

/// <summary>
/// The regtest chain builder (tests/TestSupport/Chains) against a real litecoind: the node accepts what it
/// builds, and the builder's own UTXO model equals the node's UTXO set, so tests and benchmarks may rely on it.
/// </summary>
public sealed class RegtestChainBuilderTests
{
    /// <summary>100 coinbase blocks, one fan-out block, then 3 blocks of 200 transactions.</summary>
    private static readonly RegtestChainOptions Small = new()
    {
        Seed = 7,
        Transactions = 600,
        TransactionsPerBlock = 200,
        FanOutCoins = 2_000,
        OpReturnShare = 0.1,
    };

    private static LitecoindNodeOptions NodeOptions(string name) => new() { Name = name, Wallet = false, TxIndex = false };

    [Fact]
    public async Task A_small_chain_is_accepted_and_the_node_agrees_with_the_model()
    {
        await using var node = await LitecoindNode.StartAsync(NodeOptions("chain-small"));
        var chain = await new RegtestChainBuilder(Small).BuildAsync(node);

        Assert.Equal(Small.CoinbaseBlocks + 1 + 3, chain.Height);
        Assert.Equal(chain.Height, await node.GetBlockCountAsync());
        Assert.Equal(chain.Height, chain.Blocks.Count);
        foreach (var block in chain.Blocks)
        {
            Assert.Equal(block.Hash, Hash256.Parse(await node.Rpc.CallStringAsync("getblockhash", block.Height)));
        }
        foreach (var block in chain.Blocks.TakeLast(3))
        {
            var verbose = await node.Rpc.CallAsync("getblock", block.Hash.ToString(), 1);
            Assert.Equal(block.Transactions, verbose.GetProperty("nTx").GetInt32());
            Assert.Equal(201, block.Transactions);
            Assert.Equal(block.Weight, verbose.GetProperty("weight").GetInt64());
            Assert.Equal(block.Size, verbose.GetProperty("size").GetInt32());
        }

        var utxos = await node.Rpc.CallAsync("gettxoutsetinfo");
        Assert.Equal(chain.UtxoCount, utxos.GetProperty("txouts").GetInt64());
        Assert.Equal(chain.UtxoAmount, Satoshis(utxos.GetProperty("total_amount")));
    }

    [Fact]
    public async Task A_regular_block_holds_same_block_spends_every_output_type_and_reused_scripts()
    {
        await using var node = await LitecoindNode.StartAsync(NodeOptions("chain-mix"));
        var chain = await new RegtestChainBuilder(Small).BuildAsync(node);

        var block = await node.Rpc.CallAsync("getblock", chain.TipHash.ToString(), 2);
        var transactions = block.GetProperty("tx").EnumerateArray().ToList();
        var txIds = transactions.Select(t => t.GetProperty("txid").GetString()).ToHashSet();
        var inputs = transactions.Skip(1).SelectMany(t => t.GetProperty("vin").EnumerateArray()).ToList();
        Assert.Contains(inputs, i => txIds.Contains(i.GetProperty("txid").GetString()));
        Assert.Contains(inputs, i => !txIds.Contains(i.GetProperty("txid").GetString()));
        Assert.Contains(inputs, i => i.TryGetProperty("txinwitness", out _));
        Assert.Contains(inputs, i => !i.TryGetProperty("txinwitness", out _) && i.GetProperty("scriptSig").GetProperty("hex").GetString()!.Length > 0);

        var outputs = transactions.SelectMany(t => t.GetProperty("vout").EnumerateArray()).ToList();
        var types = outputs.Select(o => o.GetProperty("scriptPubKey").GetProperty("type").GetString()).ToHashSet();
        foreach (var type in new[] { "pubkeyhash", "witness_v0_keyhash", "scripthash", "witness_v0_scripthash", "witness_v1_taproot", "nulldata" })
        {
            Assert.Contains(type, types);
        }
        foreach (var type in new[] { "p2pkh", "p2wpkh", "p2sh", "p2wsh", "p2tr", "nulldata" })
        {
            Assert.True(chain.OutputsByType.GetValueOrDefault(type) > 0, $"no {type} output in the model");
        }
        // Reuse: fewer distinct scripts than indexable outputs, and some script paid several times in one block.
        Assert.True(chain.DistinctScripts < chain.UtxoCount + chain.Inputs);
        Assert.Contains(outputs.GroupBy(o => o.GetProperty("scriptPubKey").GetProperty("hex").GetString()), g => g.Count() > 1 && !g.Key!.StartsWith("6a", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Blocks_past_the_mweb_activation_height_need_no_mweb_because_they_do_not_signal_it()
    {
        await using var node = await LitecoindNode.StartAsync(NodeOptions("chain-long"));
        var options = new RegtestChainOptions
        {
            CoinbaseBlocks = LitecoindNode.MwebActivationHeight + 10,
            CoinbaseOutputs = 1,
            FanOutCoins = 100,
            Transactions = 100,
        };
        var chain = await new RegtestChainBuilder(options).BuildAsync(node);

        Assert.True(chain.Height > LitecoindNode.MwebActivationHeight);
        Assert.Equal(chain.Height, await node.GetBlockCountAsync());
        var mweb = (await node.Rpc.CallAsync("getblockchaininfo")).GetProperty("softforks").GetProperty("mweb");
        Assert.False(mweb.GetProperty("active").GetBoolean());
        var utxos = await node.Rpc.CallAsync("gettxoutsetinfo");
        Assert.Equal(chain.UtxoCount, utxos.GetProperty("txouts").GetInt64());
        Assert.Equal(chain.UtxoAmount, Satoshis(utxos.GetProperty("total_amount")));
    }

    [Fact]
    public void The_same_options_give_the_same_blocks_and_another_seed_other_blocks()
    {
        var options = Small with { Transactions = 300 };
        var first = new List<BuiltBlock>();
        var chain = new RegtestChainBuilder(options).Generate(first.Add);
        var second = new List<BuiltBlock>();
        var again = new RegtestChainBuilder(options).Generate(second.Add);
        var other = new RegtestChainBuilder(options with { Seed = 8 }).Generate(_ => { });

        Assert.Equal(first.Select(b => Convert.ToHexString(b.Bytes)), second.Select(b => Convert.ToHexString(b.Bytes)));
        Assert.Equal(chain.TipHash, again.TipHash);
        Assert.Equal(chain.UtxoAmount, again.UtxoAmount);
        Assert.NotEqual(chain.TipHash, other.TipHash);
    }

    [Fact]
    public void Built_blocks_are_well_formed_and_meet_the_scrypt_target()
    {
        var blocks = new List<BuiltBlock>();
        new RegtestChainBuilder(Small with { Transactions = 200 }).Generate(blocks.Add);

        var previous = Network.LitecoinRegtest.GenesisHash;
        foreach (var built in blocks)
        {
            var block = Block.Parse(built.Bytes, Currency.Litecoin);
            Assert.Equal(previous, block.Header.PreviousBlockHash);
            Assert.Equal(block.ComputeMerkleRoot(out var mutated), block.Header.MerkleRoot);
            Assert.False(mutated);
            Assert.True(Coinshard.Chain.ProofOfWork.ProofOfWorkValidator.CheckProofOfWork(block.Header, Network.LitecoinRegtest));
            Assert.True(block.Weight <= 4_000_000);
            Assert.Equal(built.Info.Transactions, block.Transactions.Count);
            Assert.Equal(HeightPush(built.Info.Height), block.Transactions[0].Inputs[0].ScriptSig.Span[..HeightPush(built.Info.Height).Length].ToArray());
            var hasWitness = block.Transactions.Skip(1).Any(t => t.HasWitness);
            Assert.Equal(hasWitness, block.Transactions[0].Outputs.Any(o => o.ScriptPubKey.Span.StartsWith(new byte[] { 0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed })));
            previous = block.Hash;
        }
    }

    [Fact]
    public async Task A_node_that_is_not_at_genesis_is_refused()
    {
        await using var node = await LitecoindNode.StartAsync(NodeOptions("chain-used"));
        await node.MineAsync(1);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new RegtestChainBuilder(Small).BuildAsync(node));
        Assert.Contains("at height 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("fresh node", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_block_the_node_refuses_fails_the_build_with_its_height_and_reason()
    {
        await using var node = await LitecoindNode.StartAsync(NodeOptions("chain-refused"));
        var options = Small with { FanOutCoins = 0, Transactions = 0 };
        var chain = await new RegtestChainBuilder(options).BuildAsync(node);
        // Back at genesis, but block 1 is now marked invalid: submitting it again is refused.
        await node.InvalidateBlockAsync(chain.Blocks[0].Hash.ToString());
        Assert.Equal(0, await node.GetBlockCountAsync());

        var error = await Assert.ThrowsAsync<BlockRejectedException>(() => new RegtestChainBuilder(options).BuildAsync(node));
        Assert.Equal(1, error.Height);
        Assert.Equal(chain.Blocks[0].Hash, error.Hash);
        Assert.Contains("duplicate", error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(nameof(RegtestChainOptions.CoinbaseBlocks))]
    [InlineData(nameof(RegtestChainOptions.Transactions))]
    [InlineData(nameof(RegtestChainOptions.TransactionsPerBlock))]
    [InlineData(nameof(RegtestChainOptions.SameBlockSpendShare))]
    [InlineData(nameof(RegtestChainOptions.FanOutCoinsPerBlock))]
    public void Out_of_range_options_are_refused_with_their_name(string option)
    {
        var bad = option switch
        {
            nameof(RegtestChainOptions.CoinbaseBlocks) => Small with { CoinbaseBlocks = 99 },
            nameof(RegtestChainOptions.Transactions) => Small with { Transactions = -1 },
            nameof(RegtestChainOptions.TransactionsPerBlock) => Small with { TransactionsPerBlock = 0 },
            nameof(RegtestChainOptions.SameBlockSpendShare) => Small with { SameBlockSpendShare = 1.5 },
            _ => Small with { FanOutCoinsPerBlock = Small.FanOutWidth - 1 },
        };
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new RegtestChainBuilder(bad));
        Assert.Equal(option, error.ParamName);
        Assert.StartsWith(option + " ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_shapes_and_payment_weights_are_refused()
    {
        Assert.Contains("at least one shape", Assert.Throws<ArgumentException>(() => new RegtestChainBuilder(Small with { Shapes = [] })).Message, StringComparison.Ordinal);
        Assert.Contains("is invalid", Assert.Throws<ArgumentException>(() => new RegtestChainBuilder(Small with { Shapes = [new("none", 1, 0, 0, 1, 1)] })).Message, StringComparison.Ordinal);
        Assert.Contains("payment weights", Assert.Throws<ArgumentException>(() => new RegtestChainBuilder(Small with { Payments = new(0, 0, 0, 0, 0) })).Message, StringComparison.Ordinal);
    }

    private static byte[] HeightPush(int height) =>
        height <= 16 ? [OpCodes.SmallInt(height)] : height < 128 ? [1, (byte)height] : height < 32768 ? [2, (byte)height, (byte)(height >> 8)] : throw new ArgumentOutOfRangeException(nameof(height));

    private static long Satoshis(JsonElement amount) =>
        (long)(decimal.Parse(amount.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture) * 100_000_000m);
}
