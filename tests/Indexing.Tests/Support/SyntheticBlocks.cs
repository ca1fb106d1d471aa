using System.Buffers.Binary;

using Coinshard.Chain.Blocks;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Scripts;
using Coinshard.Chain.Transactions;

namespace Coinshard.Indexing.Tests.Support;

/// <summary>Small hand-made blocks (real serialization through the Chain object model) for rules no fixture shows.</summary>
internal static class SyntheticBlocks
{
    public static byte[] P2pkh(byte tag) => ScriptTemplates.P2PKH(Enumerable.Repeat(tag, 20).ToArray());

    public static Transaction Coinbase(int height, params TxOut[] outputs)
    {
        var scriptSig = new byte[5];
        scriptSig[0] = 4;
        BinaryPrimitives.WriteInt32LittleEndian(scriptSig.AsSpan(1), height);
        return new Transaction(1, [new TxIn(OutPoint.Null, scriptSig, TxIn.SequenceFinal)], outputs, 0);
    }

    public static Transaction Spend(OutPoint[] inputs, params TxOut[] outputs) =>
        new(2, inputs.Select(i => new TxIn(i, [], TxIn.SequenceFinal)), outputs, 0);

    public static byte[] RawBlock(Hash256 parent, params Transaction[] transactions)
    {
        var header = new BlockHeader(4, parent, Hash256.Zero, 1_700_000_000, 0x207fffff, 0);
        return new Chain.Blocks.Block(header, transactions).ToArray();
    }
}
