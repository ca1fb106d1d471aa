using Coinshard.Chain.Blocks;
using Coinshard.Chain.Encoding;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Litecoin;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Serialization;
using Coinshard.Chain.Transactions;

using Xunit;

namespace Coinshard.Chain.Tests.Litecoin;

/// <summary>
/// MWEB structures built field by field after libmw's serialization (Input, Output, Kernel,
/// TxBody, Transaction, Header, Block), with every optional feature; real node data is checked
/// against the litecoin-regtest fixtures.
/// </summary>
public class MwebStructureTests
{
    private static readonly byte[] PegOutScript = Hex.Decode("0014" + new string('a', 40));

    [Fact]
    public void Mweb_transaction_is_summarised_and_kept_verbatim()
    {
        var mweb = BuildMwebTransaction();
        var parsed = MwebTransaction.Parse(mweb);
        Assert.Equal(mweb, parsed.Bytes.ToArray());
        Assert.Equal(2, parsed.Body.InputCount);
        Assert.Equal(2, parsed.Body.OutputCount);
        Assert.Equal(3, parsed.Body.KernelCount);
        Assert.Equal([500_000_000L, 7L], parsed.Body.PegIns);
        Assert.Equal(500_000_007L, parsed.Body.PegInTotal);
        Assert.Equal(2, parsed.Body.PegOuts.Count);
        Assert.Equal(123_456_789L, parsed.Body.PegOuts[0].Amount);
        Assert.Equal(PegOutScript, parsed.Body.PegOuts[0].ScriptPubKey.ToArray());
        Assert.Equal(1L, parsed.Body.PegOuts[1].Amount);
        Assert.Equal(123_456_790L, parsed.Body.PegOutTotal);
        Assert.Equal(1_000L + 20_000L, parsed.Body.TotalFee);
    }

    [Fact]
    public void Transaction_with_mweb_data_has_canonical_ids_without_it()
    {
        var input = new TxIn(new OutPoint(Hashes.DoubleSha256([1]), 0), [], TxIn.SequenceFinal, [[0x30, 0x01], [0x02]]);
        var output = new TxOut(99_000, Hex.Decode("0014" + new string('b', 40)));
        var canonical = new Transaction(2, [input], [output], 0);
        var plain = canonical.ToArray();

        // Same transaction, flags 0x09: witness and MWEB data.
        var writer = new ByteWriter();
        writer.WriteBytes(plain.AsSpan(0, 4));
        writer.WriteBytes([0x00, 0x09]);
        var mweb = BuildMwebTransaction();
        var withoutFlags = canonical.ToArray(includeWitness: true, includeMweb: false);
        // Body (vin..witness) of the witness serialization lies between the 6-byte prefix and the locktime.
        writer.WriteBytes(withoutFlags.AsSpan(6, withoutFlags.Length - 10));
        writer.WriteByte(1);
        writer.WriteBytes(mweb);
        writer.WriteUInt32(0);
        var bytes = writer.ToArray();

        var tx = Transaction.Parse(bytes, Currency.Litecoin);
        Assert.Equal(bytes, tx.ToArray());
        Assert.NotNull(tx.Mweb);
        Assert.False(tx.IsHogEx);
        Assert.False(tx.IsMwebOnly);
        Assert.Equal(canonical.TxId, tx.TxId);
        Assert.Equal(canonical.WTxId, tx.WTxId);
        // Litecoin charges 164 per peg-in kernel and 4 x a canonical output's size per peg-out.
        Assert.Equal(canonical.Weight + (2 * 164) + (4 * (8 + 1 + 22)) + (4 * (8 + 1 + 1)), tx.Weight);
        Assert.Equal(canonical.StrippedSize, tx.StrippedSize);
        Assert.Equal(bytes.Length, tx.TotalSize);
        Assert.Equal(withoutFlags, tx.ToArray(includeWitness: true, includeMweb: false));
        Assert.Throws<InvalidDataException>(() => Transaction.Parse(bytes, Currency.Bitcoin));
    }

    [Fact]
    public void Mweb_only_transaction_parses_but_has_no_sha256d_id()
    {
        var writer = new ByteWriter();
        writer.WriteInt32(2);
        writer.WriteBytes([0x00, 0x08, 0x00, 0x00, 0x01]);
        writer.WriteBytes(BuildMwebTransaction());
        writer.WriteUInt32(0);
        var bytes = writer.ToArray();
        var tx = Transaction.Parse(bytes, Currency.Litecoin);
        Assert.True(tx.IsMwebOnly);
        Assert.Equal(bytes, tx.ToArray());
        Assert.Throws<NotSupportedException>(() => tx.TxId);
        Assert.Equal((4 * (8 + 1 + 22)) + (4 * (8 + 1 + 1)), tx.Weight);
    }

    [Fact]
    public void Block_with_hogex_carries_the_mweb_block_and_both_readers_find_it()
    {
        var mwebBlock = BuildMwebBlock();
        var raw = BuildBlockWithMweb();
        var block = Block.Parse(raw, Currency.Litecoin);
        Assert.Equal(raw, block.ToArray());
        Assert.Equal(raw.Length, block.Size);
        Assert.NotNull(block.Mweb);
        Assert.Equal(432, block.Mweb.Height);
        Assert.Equal(new string('d', 64), Hex.Encode(block.Mweb.OutputRoot.Span));
        Assert.Equal(17UL, block.Mweb.OutputMmrSize);
        Assert.Equal(5UL, block.Mweb.KernelMmrSize);
        Assert.Equal(3, block.Mweb.Body.KernelCount);
        Assert.Equal(500_000_007L, block.Mweb.Body.PegInTotal);
        Assert.Equal(block.Header.MerkleRoot, block.ComputeMerkleRoot(out _));
        Assert.True(block.Transactions[^1].IsHogEx);

        var scanner = new BlockScanner(raw, Currency.Litecoin);
        while (scanner.MoveNext())
        {
        }
        Assert.True(scanner.HasMwebBlock);
        Assert.Equal(mwebBlock, scanner.MwebBlockBytes.ToArray());

        // Without the MWEB block (presence byte 0) the block still parses; Bitcoin rejects the HogEx flag.
        var withoutMweb = raw.AsSpan(0, raw.Length - mwebBlock.Length - 1).ToArray().Append((byte)0).ToArray();
        var bare = Block.Parse(withoutMweb, Currency.Litecoin);
        Assert.Null(bare.Mweb);
        Assert.Equal(withoutMweb, bare.ToArray());
        Assert.Throws<InvalidDataException>(() => Block.Parse(raw, Currency.Bitcoin));
        Assert.Throws<NonCanonicalEncodingException>(() => Block.Parse(withoutMweb.AsSpan(0, withoutMweb.Length - 1).ToArray().Append((byte)2).ToArray(), Currency.Litecoin));
        Assert.Throws<TruncatedDataException>(() => Block.Parse(withoutMweb.AsSpan(0, withoutMweb.Length - 1), Currency.Litecoin));
    }

    [Fact]
    public void Empty_pegout_script_and_oversized_varints_are_rejected()
    {
        var emptyScript = MwebTx(body => WriteKernel(body, features: 0x04, pegOuts: [(1, [])]));
        Assert.Throws<InvalidDataException>(() => MwebTransaction.Parse(emptyScript));

        var writer = new ByteWriter();
        writer.WriteBytes(new byte[64]);
        writer.WriteCompactSize(0);
        writer.WriteCompactSize(0);
        writer.WriteCompactSize(1);
        writer.WriteByte(0x01);
        writer.WriteVarInt(ulong.MaxValue); // a fee beyond int64
        writer.WriteBytes(new byte[33 + 64]);
        Assert.Throws<SizeLimitExceededException>(() => MwebTransaction.Parse(writer.ToArray()));
    }

    internal static byte[] BuildMwebTransaction() => MwebTx(
        body => WriteKernel(body, features: 0x01 | 0x02, fee: 1_000, pegIn: 500_000_000),
        body => WriteKernel(body, features: 0x01 | 0x04 | 0x08 | 0x10 | 0x20, fee: 20_000, pegOuts: [(123_456_789, PegOutScript), (1, [0x51])], lockHeight: 2_000_000, extra: [1, 2, 3]),
        body => WriteKernel(body, features: 0x02, pegIn: 7));

    /// <summary>A regtest-like block: coinbase, HogEx, then the MWEB block from <see cref="BuildMwebBlock"/>.</summary>
    internal static byte[] BuildBlockWithMweb()
    {
        var coinbase = new Transaction(
            1, [new TxIn(OutPoint.Null, [0x01, 0x01], TxIn.SequenceFinal)], [new TxOut(50, [0x51])], 0);
        var hogExBytes = Hex.Decode("02000000" + "0008" + "01" + new string('1', 64) + "00000000" + "00" + "ffffffff"
            + "01" + "0065cd1d00000000" + "225820" + new string('c', 64) + "00" + "00000000");
        var hogEx = Transaction.Parse(hogExBytes, Currency.Litecoin);
        var header = new BlockHeader(0x20000000, Hash256.Zero, MerkleTree.ComputeRoot([coinbase.TxId, hogEx.TxId], out _), 1, 0x207fffff, 0);
        var writer = new ByteWriter();
        header.WriteTo(writer);
        writer.WriteCompactSize(2);
        coinbase.WriteTo(writer);
        writer.WriteBytes(hogExBytes);
        writer.WriteByte(1);
        writer.WriteBytes(BuildMwebBlock());
        return writer.ToArray();
    }

    internal static byte[] BuildMwebBlock()
    {
        var writer = new ByteWriter();
        writer.WriteVarInt(432);
        writer.WriteBytes(Hex.Decode(new string('d', 64)));
        writer.WriteBytes(new byte[32 * 4]);
        writer.WriteVarInt(17);
        writer.WriteVarInt(5);
        var tx = BuildMwebTransaction();
        writer.WriteBytes(tx.AsSpan(64)); // the body after the two offsets
        return writer.ToArray();
    }

    private static byte[] MwebTx(params Action<ByteWriter>[] kernels)
    {
        var writer = new ByteWriter();
        writer.WriteBytes(new byte[32]); // kernel offset
        writer.WriteBytes(new byte[32]); // stealth offset
        writer.WriteCompactSize(2);      // inputs
        writer.WriteByte(0x00);
        writer.WriteBytes(new byte[32 + 33 + 33 + 64]);
        writer.WriteByte(0x03);          // stealth key and extra data
        writer.WriteBytes(new byte[32 + 33 + 33]);
        writer.WriteBytes(new byte[33]);
        writer.WriteVarBytes([9, 9]);
        writer.WriteBytes(new byte[64]);
        writer.WriteCompactSize(2);      // outputs
        writer.WriteBytes(new byte[33 * 3]);
        writer.WriteByte(0x01);          // standard fields
        writer.WriteBytes(new byte[33 + 1 + 8 + 16]);
        writer.WriteBytes(new byte[675 + 64]);
        writer.WriteBytes(new byte[33 * 3]);
        writer.WriteByte(0x03);          // standard fields and extra data
        writer.WriteBytes(new byte[33 + 1 + 8 + 16]);
        writer.WriteVarBytes([7]);
        writer.WriteBytes(new byte[675 + 64]);
        writer.WriteCompactSize((ulong)kernels.Length);
        foreach (var kernel in kernels)
        {
            kernel(writer);
        }
        return writer.ToArray();
    }

    private static void WriteKernel(ByteWriter writer, byte features, long fee = 0, long pegIn = 0,
        (long Amount, byte[] Script)[]? pegOuts = null, int lockHeight = 0, byte[]? extra = null)
    {
        writer.WriteByte(features);
        if ((features & 0x01) != 0)
        {
            writer.WriteVarInt((ulong)fee);
        }
        if ((features & 0x02) != 0)
        {
            writer.WriteVarInt((ulong)pegIn);
        }
        if ((features & 0x04) != 0)
        {
            writer.WriteCompactSize((ulong)pegOuts!.Length);
            foreach (var (amount, script) in pegOuts)
            {
                writer.WriteVarInt((ulong)amount);
                writer.WriteVarBytes(script);
            }
        }
        if ((features & 0x08) != 0)
        {
            writer.WriteVarInt((ulong)lockHeight);
        }
        if ((features & 0x10) != 0)
        {
            writer.WriteBytes(new byte[33]);
        }
        if ((features & 0x20) != 0)
        {
            writer.WriteVarBytes(extra!);
        }
        writer.WriteBytes(new byte[33 + 64]);
    }
}
