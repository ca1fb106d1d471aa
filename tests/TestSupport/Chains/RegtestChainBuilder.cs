using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;

using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.TestSupport.Litecoind;

namespace Coinshard.TestSupport.Chains;

/// <summary>
/// Builds big, realistic Litecoin regtest chains quickly: it assembles the blocks itself (transactions,
/// coinbase with BIP34 height and BIP141 witness commitment, merkle root, scrypt proof of work) and hands
/// them to a real litecoind with <c>submitblock</c>, instead of going through the node's wallet.
/// </summary>
/// <remarks>
/// <para>Spending needs no signatures: the builder's own coins sit on anyone-can-spend scripts
/// (<c>&lt;tag&gt; OP_DROP OP_TRUE</c>, unique per coin) as P2WSH or P2SH outputs, which look like any
/// other on chain. Payments also go to P2PKH, P2WPKH and P2TR outputs of real seeded keys, partly reused;
/// these are never spent. See <see cref="RegtestChainOptions"/> for the shape of the chain.</para>
/// <para>Blocks use version 0x20000000 and signal no deployment, so MWEB never activates on such a chain
/// (the node's own miner signals it, which is why <see cref="LitecoindNode.MwebActivationHeight"/> applies
/// to chains mined with <c>generatetoaddress</c>): no HogEx is needed at any height.</para>
/// <para>Generation runs on its own thread ahead of submission (a few blocks are buffered), so building
/// costs about max(CPU, node) time.</para>
/// </remarks>
public sealed class RegtestChainBuilder
{
    /// <summary>Blocks after which a coinbase output may be spent (Core's COINBASE_MATURITY).</summary>
    public const int CoinbaseMaturity = 100;

    /// <summary>Creates a builder for <paramref name="options"/> (defaults: 100,000 transactions).</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public RegtestChainBuilder(RegtestChainOptions? options = null)
    {
        Options = options ?? new RegtestChainOptions();
        Options.Validate();
    }

    /// <summary>The chain's options.</summary>
    public RegtestChainOptions Options { get; }

    /// <summary>
    /// Makes the chain's blocks without a node, handing each to <paramref name="onBlock"/> in height order, and
    /// returns the chain's summary. Deterministic: the same options give the same bytes.
    /// </summary>
    public RegtestChain Generate(Action<BuiltBlock> onBlock, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onBlock);
        return new ChainGenerator(Options).Run(onBlock, cancellationToken);
    }

    /// <summary>
    /// Builds the chain on <paramref name="node"/>, which must be a fresh Litecoin regtest node (at its
    /// genesis block): the builder's UTXO model knows no other coins. Returns when the node's tip is the
    /// chain's tip.
    /// </summary>
    /// <exception cref="InvalidOperationException">The node is not at the regtest genesis, or ended on another tip.</exception>
    /// <exception cref="BlockRejectedException">The node refused a block.</exception>
    public async Task<RegtestChain> BuildAsync(LitecoindNode node, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        var height = await node.GetBlockCountAsync().ConfigureAwait(false);
        if (height != 0)
        {
            throw new InvalidOperationException(
                $"node {node.Name} is at height {height}, but the chain builder starts from the regtest genesis: use a fresh node (its UTXO model knows no other coins)");
        }
        var genesis = Hash256.Parse(await node.GetBestBlockHashAsync().ConfigureAwait(false));
        if (genesis != Network.LitecoinRegtest.GenesisHash)
        {
            throw new InvalidOperationException($"node {node.Name} has genesis {genesis}, not Litecoin regtest's {Network.LitecoinRegtest.GenesisHash}");
        }

        var stopwatch = Stopwatch.StartNew();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var blocks = Channel.CreateBounded<BuiltBlock>(new BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true });
        var producer = Task.Factory.StartNew(
            () =>
            {
                try
                {
                    return Generate(block => Write(blocks.Writer, block, stop.Token), stop.Token);
                }
                finally
                {
                    blocks.Writer.TryComplete();
                }
            },
            stop.Token,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        try
        {
            await foreach (var block in blocks.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                await SubmitAsync(node, block).ConfigureAwait(false);
            }
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await producer.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            throw;
        }
        var chain = await producer.ConfigureAwait(false);
        var tip = Hash256.Parse(await node.GetBestBlockHashAsync().ConfigureAwait(false));
        if (tip != chain.TipHash)
        {
            throw new InvalidOperationException($"node {node.Name} ended on tip {tip}, not the built chain's tip {chain.Height} {chain.TipHash}");
        }
        return chain with { Elapsed = stopwatch.Elapsed };
    }

    /// <summary>Submits one block; the node answers null when it connected it, else a reason.</summary>
    private static async Task SubmitAsync(LitecoindNode node, BuiltBlock block)
    {
        var result = await node.Rpc.CallAsync("submitblock", Convert.ToHexStringLower(block.Bytes)).ConfigureAwait(false);
        if (result.ValueKind != JsonValueKind.Null)
        {
            var reason = result.ValueKind == JsonValueKind.String ? result.GetString()! : result.GetRawText();
            throw new BlockRejectedException(node.Name, block.Info.Height, block.Info.Hash, reason);
        }
    }

    private static void Write(ChannelWriter<BuiltBlock> writer, BuiltBlock block, CancellationToken ct)
    {
        while (!writer.TryWrite(block))
        {
            if (!writer.WaitToWriteAsync(ct).AsTask().GetAwaiter().GetResult())
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"block {block.Info.Height}: the submission side stopped"));
            }
        }
    }
}
