using System.Buffers.Binary;

using Coinshard.Chain.Hashing;
using Coinshard.Chain.Scripts;
using Coinshard.Chain.Transactions;

namespace Coinshard.TestSupport.Chains;

/// <summary>
/// An anyone-can-spend script that looks like any other P2WSH or P2SH output on chain:
/// <c>&lt;16-byte tag&gt; OP_DROP OP_TRUE</c>, unique per tag, wrapped as P2WSH (spent with the witness
/// [script]) or P2SH (spent with the scriptSig "push script"). Consensus-valid without signatures;
/// standardness rules do not apply to blocks given to <c>submitblock</c>.
/// </summary>
internal sealed class AnyoneCanSpendScript
{
    private const byte OpDrop = 0x75;
    private const int TagSize = 16;

    private AnyoneCanSpendScript(byte[] script, bool p2sh)
    {
        Script = script;
        IsP2sh = p2sh;
        ScriptPubKey = p2sh ? ScriptTemplates.P2SH(Hashes.Hash160(script)) : ScriptTemplates.WitnessProgram(0, Hashes.Sha256(script));
    }

    /// <summary>The witness script (P2WSH) or redeem script (P2SH).</summary>
    public byte[] Script { get; }

    /// <summary>P2SH rather than P2WSH.</summary>
    public bool IsP2sh { get; }

    /// <summary>The output script.</summary>
    public byte[] ScriptPubKey { get; }

    /// <summary>The script for tag (<paramref name="seed"/>, <paramref name="counter"/>): unique per pair.</summary>
    public static AnyoneCanSpendScript Create(long seed, long counter, bool p2sh)
    {
        var script = new byte[TagSize + 3];
        script[0] = TagSize;
        BinaryPrimitives.WriteInt64LittleEndian(script.AsSpan(1), seed);
        BinaryPrimitives.WriteInt64LittleEndian(script.AsSpan(9), counter);
        script[^2] = OpDrop;
        script[^1] = OpCodes.Op1;
        return new AnyoneCanSpendScript(script, p2sh);
    }

    /// <summary>An input spending <paramref name="outPoint"/> locked by this script.</summary>
    public TxIn Spend(OutPoint outPoint) => IsP2sh
        ? new TxIn(outPoint, [(byte)Script.Length, .. Script], TxIn.SequenceFinal)
        : new TxIn(outPoint, [], TxIn.SequenceFinal, [Script]);

    /// <summary>Virtual bytes one spending input adds (outpoint, scriptSig, sequence; witness discounted).</summary>
    public int InputVirtualSize => IsP2sh ? 41 + 1 + Script.Length : 41 + ((2 + Script.Length + 3) / 4);
}

/// <summary>A coin of the builder's UTXO model that it can spend: where it is, its value and its script.</summary>
internal readonly record struct SpendableCoin(OutPoint OutPoint, long Value, AnyoneCanSpendScript Script);
