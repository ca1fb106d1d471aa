using System.Security.Cryptography;

using Coinshard.Chain.Encoding;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Serialization;
using Coinshard.Chain.Transactions;

using Xunit;

namespace Coinshard.Chain.Tests.Transactions;

/// <summary>BIP143's signed segwit transactions; their sighash preimages check what we parsed.</summary>
public class Bip143VectorTests
{
    public static TheoryData<string> Examples()
    {
        using var json = Fixture.Json("bips/bip143_vectors.json");
        var data = new TheoryData<string>();
        foreach (var example in json.RootElement.GetProperty("examples").EnumerateArray())
        {
            data.Add(example.GetProperty("name").GetString()!);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Signed_transaction_parses_round_trips_and_matches_the_preimages(string name)
    {
        using var json = Fixture.Json("bips/bip143_vectors.json");
        var example = json.RootElement.GetProperty("examples").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        var signed = Hex.Decode(example.GetProperty("signed_tx").GetString()!);
        var tx = Transaction.Parse(signed, Currency.Bitcoin);

        CoreTransactionVectorTests.AssertRoundTripAndIds(signed, tx);
        Assert.True(tx.HasWitness);
        Assert.NotEqual(tx.TxId, tx.WTxId);

        // The unsigned transaction has the same inputs and outputs, without scripts and witnesses.
        var unsigned = Transaction.Parse(Hex.Decode(example.GetProperty("unsigned_tx").GetString()!), Currency.Bitcoin);
        Assert.Equal(unsigned.Inputs.Select(i => i.PrevOut), tx.Inputs.Select(i => i.PrevOut));
        Assert.Equal(unsigned.Outputs.Select(o => (o.Value, Hex.Encode(o.ScriptPubKey.Span))), tx.Outputs.Select(o => (o.Value, Hex.Encode(o.ScriptPubKey.Span))));

        foreach (var sighash in example.GetProperty("sighashes").EnumerateArray())
        {
            var preimage = Hex.Decode(sighash.GetProperty("preimage").GetString()!);
            var index = sighash.GetProperty("input_index").GetInt32();
            var hashType = sighash.GetProperty("hash_type").GetUInt32();
            var reader = new SpanReader(preimage);
            Assert.Equal(tx.Version, reader.ReadInt32());
            var hashPrevouts = reader.ReadBytes(32).ToArray();
            reader.ReadBytes(32); // hashSequence
            Assert.Equal(tx.Inputs[index].PrevOut.TxId, reader.ReadHash256());
            Assert.Equal(tx.Inputs[index].PrevOut.Index, reader.ReadUInt32());
            reader.ReadVarBytes(); // scriptCode
            Assert.Equal(sighash.GetProperty("amount").GetInt64(), reader.ReadInt64());
            Assert.Equal(tx.Inputs[index].Sequence, reader.ReadUInt32());
            var hashOutputs = reader.ReadBytes(32).ToArray();
            Assert.Equal(tx.LockTime, reader.ReadUInt32());
            Assert.Equal(hashType, reader.ReadUInt32());

            if ((hashType & 0x80) == 0)
            {
                var prevouts = new ByteWriter();
                foreach (var input in tx.Inputs)
                {
                    prevouts.WriteHash256(input.PrevOut.TxId);
                    prevouts.WriteUInt32(input.PrevOut.Index);
                }
                Assert.Equal(Hex.Encode(Sha256d(prevouts.WrittenSpan)), Hex.Encode(hashPrevouts));
            }
            if ((hashType & 0x1F) == 1)
            {
                var outputs = new ByteWriter();
                foreach (var output in tx.Outputs)
                {
                    outputs.WriteInt64(output.Value);
                    outputs.WriteVarBytes(output.ScriptPubKey.Span);
                }
                Assert.Equal(Hex.Encode(Sha256d(outputs.WrittenSpan)), Hex.Encode(hashOutputs));
            }
        }
    }

    private static byte[] Sha256d(ReadOnlySpan<byte> data) => SHA256.HashData(SHA256.HashData(data));
}
