using System.Security.Cryptography;

using Coinshard.Chain.Encoding;
using Coinshard.Chain.Hashing;

using Xunit;

namespace Coinshard.Chain.Tests.Hashing;

public class Sha256BatchTests
{
    [Fact]
    public void Hashes_the_FIPS_180_examples()
    {
        // FIPS 180-2 appendix B.1 ("abc") and the empty message, each alone and among others in one batch.
        var abc = "abc"u8.ToArray();
        var digests = new byte[4 * 32];
        var data = abc.Concat(abc).Concat(abc).ToArray();
        Sha256Batch.Compute(data, [3, 3, 6, 9], digests);
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Hex.Encode(digests.AsSpan(0, 32)));
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Hex.Encode(digests.AsSpan(32, 32)));
        Assert.Equal(Hex.Encode(digests.AsSpan(0, 32)), Hex.Encode(digests.AsSpan(64, 32)));
        Assert.Equal(Hex.Encode(digests.AsSpan(0, 32)), Hex.Encode(digests.AsSpan(96, 32)));
    }

    [Fact]
    public void Equals_SHA256_of_each_message_for_random_batches_of_every_length()
    {
        // Lengths 0..120 cross the one-block limit (55), the padding edge (56..63) and two blocks; batch
        // sizes 1..40 leave partly filled lane groups and mix vector lanes with the one-by-one path.
        var random = new Random(7);
        for (var round = 0; round < 300; round++)
        {
            var count = random.Next(1, 41);
            var lengths = Enumerable.Range(0, count).Select(_ => random.Next(4) == 0 ? random.Next(0, 121) : random.Next(20, 56)).ToArray();
            var data = new byte[lengths.Sum()];
            random.NextBytes(data);
            var ends = new int[count];
            for (int i = 0, end = 0; i < count; i++)
            {
                end += lengths[i];
                ends[i] = end;
            }
            var digests = new byte[count * 32];
            Sha256Batch.Compute(data, ends, digests);
            for (int i = 0, start = 0; i < count; start = ends[i], i++)
            {
                Assert.Equal(Hex.Encode(SHA256.HashData(data.AsSpan(start, ends[i] - start))), Hex.Encode(digests.AsSpan(i * 32, 32)));
            }
        }
    }

    [Fact]
    public void Rejects_ends_outside_the_data_and_a_short_digest_span()
    {
        Assert.Throws<ArgumentException>(() => Sha256Batch.Compute(new byte[10], [5, 4], new byte[64]));
        Assert.Throws<ArgumentException>(() => Sha256Batch.Compute(new byte[10], [11], new byte[32]));
        Assert.Throws<ArgumentException>(() => Sha256Batch.Compute(new byte[10], [5, 10], new byte[63]));
    }
}
