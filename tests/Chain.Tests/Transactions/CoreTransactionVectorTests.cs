using System.Text.Json;

using Coinshard.Chain.Encoding;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Transactions;

using Xunit;

namespace Coinshard.Chain.Tests.Transactions;

/// <summary>Bitcoin Core's tx_valid.json / tx_invalid.json: every serialized transaction.</summary>
public class CoreTransactionVectorTests
{
    // Rows are indexes: both files repeat some transactions (with different flags).
    public static TheoryData<int> ValidTransactions() => new(Enumerable.Range(0, Serialized("bitcoin-core/tx_valid.json").Count));

    public static TheoryData<int> InvalidTransactions() => new(Enumerable.Range(0, Serialized("bitcoin-core/tx_invalid.json").Count));

    [Theory]
    [MemberData(nameof(ValidTransactions))]
    public void Valid_transaction_parses_and_round_trips(int index)
    {
        var bytes = Hex.Decode(Serialized("bitcoin-core/tx_valid.json")[index]);
        var tx = Transaction.Parse(bytes, Currency.Bitcoin);
        AssertRoundTripAndIds(bytes, tx);
    }

    [Theory]
    [MemberData(nameof(InvalidTransactions))]
    public void Invalid_transaction_parses_or_fails_with_a_chain_format_error(int index)
    {
        var bytes = Hex.Decode(Serialized("bitcoin-core/tx_invalid.json")[index]);
        Transaction tx;
        try
        {
            tx = Transaction.Parse(bytes, Currency.Bitcoin);
        }
        catch (Exception ex)
        {
            Assert.IsAssignableFrom<ChainFormatException>(ex);
            Assert.NotEqual(typeof(ChainFormatException), ex.GetType());
            return;
        }
        AssertRoundTripAndIds(bytes, tx);
    }

    [Fact]
    public void Vector_files_hold_the_expected_number_of_transactions()
    {
        // Guards against a vendored file that silently lost its content.
        Assert.Equal(121, Serialized("bitcoin-core/tx_valid.json").Count);
        Assert.Equal(93, Serialized("bitcoin-core/tx_invalid.json").Count);
    }

    [Fact]
    public void Segwit_vectors_are_present_and_have_distinct_wtxids()
    {
        var segwit = Serialized("bitcoin-core/tx_valid.json")
            .Select(hex => Transaction.Parse(Hex.Decode(hex), Currency.Bitcoin))
            .Where(t => t.HasWitness)
            .ToList();
        Assert.True(segwit.Count > 20, $"only {segwit.Count} segwit vectors");
        Assert.All(segwit, t => Assert.NotEqual(t.TxId, t.WTxId));
        Assert.All(segwit, t => Assert.True(t.Weight < 4L * t.TotalSize));
    }

    internal static void AssertRoundTripAndIds(byte[] bytes, Transaction tx)
    {
        Assert.Equal(Hex.Encode(bytes), Hex.Encode(tx.ToArray()));
        Assert.Equal(bytes.Length, tx.TotalSize);
        var stripped = tx.ToArray(includeWitness: false, includeMweb: false);
        Assert.Equal(Hashes.DoubleSha256(stripped), tx.TxId);
        Assert.Equal(stripped.Length, tx.StrippedSize);
        if (tx.HasWitness)
        {
            Assert.Equal(Hashes.DoubleSha256(bytes), tx.WTxId);
            Assert.Equal((3L * stripped.Length) + bytes.Length, tx.Weight);
        }
        else
        {
            Assert.Equal(stripped, bytes);
            Assert.Equal(tx.TxId, tx.WTxId);
            Assert.Equal(4L * bytes.Length, tx.Weight);
        }
    }

    private static List<string> Serialized(string fixture)
    {
        using var json = Fixture.Json(fixture);
        var data = new List<string>();
        foreach (var entry in json.RootElement.EnumerateArray())
        {
            // Comment lines are one-element arrays of strings; tests start with the prevouts array.
            if (entry[0].ValueKind == JsonValueKind.Array)
            {
                data.Add(entry[1].GetString()!);
            }
        }
        return data;
    }
}
