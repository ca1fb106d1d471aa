using Coinshard.Chain.Encoding;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Transactions;

using Xunit;

namespace Coinshard.Chain.Tests.Transactions;

/// <summary>Core's UnserializeTransaction rules, one by one, on hand-built transactions.</summary>
public class TransactionParsingTests
{
    private const string Version = "02000000";
    private const string LockTime = "00000000";
    private const string Input = "1111111111111111111111111111111111111111111111111111111111111111" + "01000000" + "00" + "ffffffff";
    private const string Output = "e803000000000000" + "0151";

    [Fact]
    public void Legacy_transaction_parses()
    {
        var tx = Transaction.Parse(Hex.Decode(Version + "01" + Input + "01" + Output + LockTime), Currency.Bitcoin);
        Assert.Equal(2, tx.Version);
        Assert.Single(tx.Inputs);
        Assert.Equal(1u, tx.Inputs[0].PrevOut.Index);
        Assert.Equal(uint.MaxValue, tx.Inputs[0].Sequence);
        Assert.Equal(1000, tx.Outputs[0].Value);
        Assert.Equal("51", Hex.Encode(tx.Outputs[0].ScriptPubKey.Span));
        Assert.False(tx.HasWitness);
        Assert.False(tx.IsCoinbase);
    }

    [Fact]
    public void Empty_vin_with_zero_flags_is_a_transaction_without_inputs_or_outputs()
    {
        // Core reads the zero byte after an empty vin as "flags = 0" and then stops: no vout is read.
        var bytes = Hex.Decode(Version + "00" + "00" + LockTime);
        var tx = Transaction.Parse(bytes, Currency.Bitcoin);
        Assert.Empty(tx.Inputs);
        Assert.Empty(tx.Outputs);
        Assert.Equal(bytes, tx.ToArray());
    }

    [Fact]
    public void Witness_transaction_parses_and_separates_txid_from_wtxid()
    {
        var bytes = Hex.Decode(Version + "0001" + "01" + Input + "01" + Output + "02" + "0101" + "00" + LockTime);
        var tx = Transaction.Parse(bytes, Currency.Bitcoin);
        Assert.True(tx.HasWitness);
        Assert.Equal(2, tx.Inputs[0].Witness.Count);
        Assert.Equal("01", Hex.Encode(tx.Inputs[0].Witness[0].Span));
        Assert.True(tx.Inputs[0].Witness[1].IsEmpty);
        Assert.NotEqual(tx.TxId, tx.WTxId);
        var legacy = Transaction.Parse(Hex.Decode(Version + "01" + Input + "01" + Output + LockTime), Currency.Bitcoin);
        Assert.Equal(legacy.TxId, tx.TxId);
        Assert.Equal(bytes, tx.ToArray());
    }

    [Fact]
    public void Witness_flag_with_only_empty_stacks_is_a_superfluous_witness_record()
    {
        var ex = Assert.Throws<InvalidDataException>(() =>
            Transaction.Parse(Hex.Decode(Version + "0001" + "01" + Input + "01" + Output + "00" + LockTime), Currency.Bitcoin));
        Assert.Contains("superfluous witness record", ex.Message, StringComparison.Ordinal);
        Assert.Equal(5, ex.Offset);
    }

    [Theory]
    [InlineData("02")]
    [InlineData("03")]
    [InlineData("80")]
    public void Unknown_flags_are_rejected(string flags)
    {
        var ex = Assert.Throws<InvalidDataException>(() =>
            Transaction.Parse(Hex.Decode(Version + "00" + flags + "01" + Input + "01" + Output + "0101" + LockTime), Currency.Bitcoin));
        Assert.Contains("unknown transaction optional data", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mweb_flag_is_unknown_on_bitcoin_and_marks_a_hogex_on_litecoin()
    {
        var bytes = Hex.Decode(Version + "0008" + "01" + Input + "01" + Output + "00" + LockTime);
        Assert.Throws<InvalidDataException>(() => Transaction.Parse(bytes, Currency.Bitcoin));
        var hogEx = Transaction.Parse(bytes, Network.LitecoinMainnet);
        Assert.True(hogEx.IsHogEx);
        Assert.Null(hogEx.Mweb);
        Assert.Equal(bytes, hogEx.ToArray());
        var legacy = Transaction.Parse(Hex.Decode(Version + "01" + Input + "01" + Output + LockTime), Currency.Litecoin);
        Assert.Equal(legacy.TxId, hogEx.TxId);
        Assert.Equal(legacy.TxId, hogEx.WTxId);
        Assert.Equal(legacy.StrippedSize, hogEx.StrippedSize);
        Assert.Equal(legacy.Weight, hogEx.Weight);
    }

    [Fact]
    public void Hogex_without_outputs_is_rejected()
    {
        var ex = Assert.Throws<InvalidDataException>(() =>
            Transaction.Parse(Hex.Decode(Version + "0008" + "01" + Input + "00" + "00" + LockTime), Currency.Litecoin));
        Assert.Contains("missing HogEx output", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mweb_presence_byte_other_than_zero_or_one_is_not_canonical()
    {
        Assert.Throws<NonCanonicalEncodingException>(() =>
            Transaction.Parse(Hex.Decode(Version + "0008" + "01" + Input + "01" + Output + "02" + LockTime), Currency.Litecoin));
    }

    [Fact]
    public void Mweb_transaction_without_kernel_is_rejected()
    {
        var noKernel = new string('0', 128) + "00" + "00" + "00";
        var ex = Assert.Throws<InvalidDataException>(() =>
            Transaction.Parse(Hex.Decode(Version + "0008" + "01" + Input + "01" + Output + "01" + noKernel + LockTime), Currency.Litecoin));
        Assert.Contains("at least one kernel", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hostile_counts_are_rejected_before_any_allocation()
    {
        Assert.Throws<SizeLimitExceededException>(() => Transaction.Parse(Hex.Decode(Version + "ffffffffffffffffff"), Currency.Bitcoin));
        Assert.Throws<SizeLimitExceededException>(() => Transaction.Parse(Hex.Decode(Version + "fe00000001" + Input), Currency.Bitcoin));
        // A script length above Core's MAX_SIZE, and one that runs past the end.
        Assert.Throws<SizeLimitExceededException>(() =>
            Transaction.Parse(Hex.Decode(Version + "01" + Input[..72] + "fe00000010" + new string('0', 80)), Currency.Bitcoin));
        Assert.Throws<TruncatedDataException>(() =>
            Transaction.Parse(Hex.Decode(Version + "01" + Input[..72] + "fd0010" + new string('0', 80)), Currency.Bitcoin));
    }

    [Fact]
    public void Non_canonical_compact_size_is_rejected()
    {
        Assert.Throws<NonCanonicalEncodingException>(() =>
            Transaction.Parse(Hex.Decode(Version + "fd0100" + Input + "01" + Output + LockTime), Currency.Bitcoin));
    }

    [Fact]
    public void Trailing_and_missing_bytes_are_reported()
    {
        var good = Version + "01" + Input + "01" + Output + LockTime;
        Assert.Throws<TrailingDataException>(() => Transaction.Parse(Hex.Decode(good + "00"), Currency.Bitcoin));
        Assert.Throws<TruncatedDataException>(() => Transaction.Parse(Hex.Decode(good.AsSpan(0, good.Length - 2)), Currency.Bitcoin));
    }

    [Fact]
    public void Built_transaction_matches_the_parsed_one()
    {
        var parsed = Transaction.Parse(Hex.Decode(Version + "0001" + "01" + Input + "01" + Output + "02" + "0101" + "00" + LockTime), Currency.Bitcoin);
        var built = new Transaction(
            2,
            [new TxIn(parsed.Inputs[0].PrevOut, [], TxIn.SequenceFinal, [[0x01], []])],
            [new TxOut(1000, [0x51])],
            0);
        Assert.Equal(parsed.ToArray(), built.ToArray());
        Assert.Equal(parsed.TxId, built.TxId);
        Assert.Equal(parsed.WTxId, built.WTxId);
        Assert.Equal(parsed.Weight, built.Weight);
        Assert.Equal(parsed.TotalSize, built.TotalSize);
    }

    [Fact]
    public void Coinbase_is_recognised_by_its_null_outpoint()
    {
        var coinbaseInput = new string('0', 64) + "ffffffff" + "0151" + "ffffffff";
        var tx = Transaction.Parse(Hex.Decode("01000000" + "01" + coinbaseInput + "01" + Output + LockTime), Currency.Bitcoin);
        Assert.True(tx.IsCoinbase);
        Assert.True(tx.Inputs[0].PrevOut.IsNull);
        Assert.Equal(OutPoint.Null, tx.Inputs[0].PrevOut);
    }
}
