using System.Text.Json;

using Coinshard.Chain.Blocks;
using Coinshard.Chain.Encoding;
using Coinshard.Chain.Filters;
using Coinshard.Chain.Hashing;

using Xunit;

namespace Coinshard.Chain.Tests.Filters;

/// <summary>BIP158 basic filters against Bitcoin Core's blockfilters.json (testnet3 blocks).</summary>
public class BlockFilterTests
{
    /// <summary>One row of blockfilters.json: [height, hash, block, [prev scripts], prev header, filter, header, note].</summary>
    public sealed record Vector(int Height, Hash256 BlockHash, byte[] Block, byte[][] PrevScripts, Hash256 PrevHeader, byte[] Filter, Hash256 Header, string Note)
    {
        public override string ToString() => $"{Height} {Note}";
    }

    private static List<Vector> LoadVectors()
    {
        using var doc = Fixture.Json("bitcoin-core/blockfilters.json");
        var result = new List<Vector>();
        foreach (var row in doc.RootElement.EnumerateArray())
        {
            if (row.GetArrayLength() == 1)
            {
                continue; // header/comment line
            }
            result.Add(new Vector(
                row[0].GetInt32(),
                Hash256.Parse(row[1].GetString()!),
                Hex.Decode(row[2].GetString()!),
                [.. row[3].EnumerateArray().Select(s => Hex.Decode(s.GetString()!))],
                Hash256.Parse(row[4].GetString()!),
                Hex.Decode(row[5].GetString()!),
                Hash256.Parse(row[6].GetString()!),
                row[7].GetString()!));
        }
        return result;
    }

    public static TheoryData<int> Heights() => [.. LoadVectors().Select(v => v.Height)];

    private static Vector Get(int height) => LoadVectors().Single(v => v.Height == height);

    [Fact]
    public void Fixture_has_all_ten_vectors()
    {
        Assert.Equal(10, LoadVectors().Count);
    }

    [Theory]
    [MemberData(nameof(Heights))]
    public void Filter_header_is_byte_exact(int height)
    {
        var v = Get(height);
        var filter = BlockFilter.Parse(BlockFilterType.Basic, v.BlockHash, v.Filter);
        Assert.Equal(v.Header, filter.ComputeHeader(v.PrevHeader));
        Assert.Equal(v.Header, BlockFilter.ComputeHeader(Hashes.DoubleSha256(v.Filter), v.PrevHeader));
        Assert.Equal(v.Filter, filter.Encoded.ToArray());
    }

    [Fact]
    public void Headers_chain_from_one_vector_to_the_next_where_heights_are_consecutive()
    {
        // Heights 2 and 3 are consecutive: 3's previous header must be 2's header.
        Assert.Equal(Get(2).Header, Get(3).PrevHeader);
    }

    [Theory]
    [MemberData(nameof(Heights))]
    public void Every_spent_script_matches_the_decoded_filter(int height)
    {
        var v = Get(height);
        var filter = BlockFilter.Parse(BlockFilterType.Basic, v.BlockHash, v.Filter);
        foreach (var script in v.PrevScripts.Where(s => s.Length > 0))
        {
            Assert.True(filter.Match(script), $"height {height}: {Hex.Encode(script)} should match");
        }
        var nonEmpty = v.PrevScripts.Where(s => s.Length > 0).ToArray();
        Assert.Equal(nonEmpty.Length > 0, filter.MatchAny(nonEmpty));
    }

    [Fact]
    public void Random_non_members_rarely_match()
    {
        // Fixed seed: any failure reproduces exactly. Expected false-positive rate is 1/M per query
        // (M = 784931), so over 10,000 random scripts per filter more than a handful is a bug.
        const int seed = 158;
        var random = new Random(seed);
        var filters = LoadVectors().Where(v => v.Filter.Length > 1)
            .Select(v => BlockFilter.Parse(BlockFilterType.Basic, v.BlockHash, v.Filter)).ToList();
        var falsePositives = 0;
        var queries = 0;
        foreach (var filter in filters)
        {
            for (var i = 0; i < 10_000; i++)
            {
                var script = new byte[random.Next(1, 60)];
                random.NextBytes(script);
                queries++;
                if (filter.Match(script))
                {
                    falsePositives++;
                }
            }
        }
        Assert.True(falsePositives <= 5, $"seed {seed}: {falsePositives} false positives in {queries} queries");
    }

    [Fact]
    public void MatchAny_is_false_when_no_element_is_a_member_and_true_when_one_is()
    {
        var v = Get(926485);
        var filter = BlockFilter.Parse(BlockFilterType.Basic, v.BlockHash, v.Filter);
        var random = new Random(926485);
        var strangers = Enumerable.Range(0, 50).Select(_ =>
        {
            var s = new byte[25];
            random.NextBytes(s);
            return s;
        }).ToList();
        Assert.False(filter.MatchAny(strangers), "seed 926485");
        Assert.True(filter.MatchAny([.. strangers, v.PrevScripts[3]]));
        Assert.False(filter.MatchAny(Array.Empty<byte[]>()));
    }

    [Theory]
    [MemberData(nameof(Heights))]
    public void Building_from_the_parsed_block_reproduces_cores_filter_and_header(int height)
    {
        var v = Get(height);
        var block = Block.Parse(v.Block, Chain.Networks.Network.BitcoinTestnet3);
        Assert.Equal(v.BlockHash, block.Hash);
        var filter = BlockFilter.BuildBasic(block, v.PrevScripts);
        Assert.Equal(Hex.Encode(v.Filter), Hex.Encode(filter.Encoded));
        Assert.Equal(v.Header, filter.ComputeHeader(v.PrevHeader));
    }

    [Fact]
    public void Empty_filter_is_a_single_zero_byte_and_matches_nothing()
    {
        var filter = BlockFilter.BuildBasic(Hash256.Zero, [Array.Empty<byte>(), [0x6A, 0x01, 0x02]], [Array.Empty<byte>()]);
        Assert.Equal("00", Hex.Encode(filter.Encoded));
        Assert.False(filter.Match([0x51]));
        Assert.False(filter.MatchAny([[0x51]]));
    }

    [Fact]
    public void Element_set_follows_cores_rules()
    {
        byte[] a = [0x51], b = [0x52], opReturn = [0x6A, 0x00];
        var elements = BlockFilter.BasicElements(
            new ReadOnlyMemory<byte>[] { a, Array.Empty<byte>(), opReturn, a, b },
            new ReadOnlyMemory<byte>[] { b, Array.Empty<byte>(), new byte[] { 0x53 } });
        Assert.Equal(["51", "52", "53"], elements.Select(e => Hex.Encode(e.Span)).ToArray());
    }
}
