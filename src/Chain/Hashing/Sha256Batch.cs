using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Coinshard.Chain.Hashing;

/// <summary>
/// SHA-256 of many short messages at once: eight messages of at most <see cref="MaxLaneMessage"/> bytes
/// (one padded block each) go through the compression function together in the lanes of 256-bit vectors.
/// </summary>
/// <remarks>
/// Output scripts are 22-35 bytes almost always, and a scripthash per coin dominates a snapshot load's
/// hashing. Through OpenSSL each hash costs about 300 ns, mostly call overhead (error-queue clearing,
/// context bookkeeping, locks) around a 64-byte compression; eight lanes do it in a few tens of ns per
/// message. Longer messages, and machines without 256-bit vector hardware, use <see cref="Hashes.Sha256(ReadOnlySpan{byte}, Span{byte})"/>.
/// </remarks>
public static class Sha256Batch
{
    /// <summary>The longest message that fits one padded block (64 bytes less the 0x80 marker and the 8-byte length).</summary>
    public const int MaxLaneMessage = 55;

    private const int Lanes = 8;

    private static readonly uint[] s_k =
    [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];

    private static readonly uint[] s_initial =
    [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    ];

    /// <summary>Whether short messages are hashed in vector lanes on this machine (otherwise one by one).</summary>
    public static bool IsVectorized => Vector256.IsHardwareAccelerated;

    /// <summary>
    /// Hashes every message of <paramref name="data"/>: message <c>i</c> is the bytes from <c>ends[i - 1]</c>
    /// (0 for the first) up to <c>ends[i]</c>, and its digest goes to <c>digests[32 i .. 32 i + 32]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The ends decrease or pass the data, or the digest span is too short.</exception>
    public static void Compute(ReadOnlySpan<byte> data, ReadOnlySpan<int> ends, Span<byte> digests)
    {
        if (digests.Length < ends.Length * 32)
        {
            throw new ArgumentException($"{ends.Length} digests need {ends.Length * 32} bytes, not {digests.Length}", nameof(digests));
        }
        Span<int> pending = stackalloc int[Lanes];
        var queued = 0;
        var start = 0;
        for (var i = 0; i < ends.Length; i++)
        {
            var end = ends[i];
            if (end < start || end > data.Length)
            {
                throw new ArgumentException($"message {i} ends at {end}, outside {start}..{data.Length}", nameof(ends));
            }
            if (end - start > MaxLaneMessage || !IsVectorized)
            {
                Hashes.Sha256(data[start..end], digests.Slice(i * 32, 32));
            }
            else
            {
                pending[queued++] = i;
                if (queued == Lanes)
                {
                    HashLanes(data, ends, pending, digests);
                    queued = 0;
                }
            }
            start = end;
        }
        if (queued > 0)
        {
            HashLanes(data, ends, pending[..queued], digests);
        }
    }

    /// <summary>Up to eight one-block messages (by index) through the compression function together.</summary>
    private static void HashLanes(ReadOnlySpan<byte> data, ReadOnlySpan<int> ends, ReadOnlySpan<int> messages, Span<byte> digests)
    {
        // Word t of lane j at [t * Lanes + j]: each row loads as one vector.
        Span<uint> words = stackalloc uint[16 * Lanes];
        Span<byte> block = stackalloc byte[64];
        for (var lane = 0; lane < messages.Length; lane++)
        {
            var index = messages[lane];
            var start = index == 0 ? 0 : ends[index - 1];
            var message = data[start..ends[index]];
            block.Clear();
            message.CopyTo(block);
            block[message.Length] = 0x80;
            BinaryPrimitives.WriteUInt64BigEndian(block[56..], (ulong)message.Length * 8);
            for (var t = 0; t < 16; t++)
            {
                words[(t * Lanes) + lane] = BinaryPrimitives.ReadUInt32BigEndian(block.Slice(t * 4, 4));
            }
        }
        Span<uint> state = stackalloc uint[8 * Lanes];
        Compress(words, state);
        for (var lane = 0; lane < messages.Length; lane++)
        {
            var digest = digests.Slice(messages[lane] * 32, 32);
            for (var s = 0; s < 8; s++)
            {
                BinaryPrimitives.WriteUInt32BigEndian(digest.Slice(s * 4, 4), state[(s * Lanes) + lane]);
            }
        }
    }

    /// <summary>One compression of the initial state with a block per lane; <paramref name="state"/> gets the final words, row per word.</summary>
    private static void Compress(ReadOnlySpan<uint> words, Span<uint> state)
    {
        Span<Vector256<uint>> w = stackalloc Vector256<uint>[64];
        for (var t = 0; t < 16; t++)
        {
            w[t] = Vector256.Create(words.Slice(t * Lanes, Lanes));
        }
        for (var t = 16; t < 64; t++)
        {
            var w15 = w[t - 15];
            var w2 = w[t - 2];
            var s0 = Rotr(w15, 7) ^ Rotr(w15, 18) ^ Vector256.ShiftRightLogical(w15, 3);
            var s1 = Rotr(w2, 17) ^ Rotr(w2, 19) ^ Vector256.ShiftRightLogical(w2, 10);
            w[t] = w[t - 16] + s0 + w[t - 7] + s1;
        }
        var a = Vector256.Create(s_initial[0]);
        var b = Vector256.Create(s_initial[1]);
        var c = Vector256.Create(s_initial[2]);
        var d = Vector256.Create(s_initial[3]);
        var e = Vector256.Create(s_initial[4]);
        var f = Vector256.Create(s_initial[5]);
        var g = Vector256.Create(s_initial[6]);
        var h = Vector256.Create(s_initial[7]);
        var k = s_k;
        for (var t = 0; t < 64; t++)
        {
            var s1 = Rotr(e, 6) ^ Rotr(e, 11) ^ Rotr(e, 25);
            var choice = Vector256.ConditionalSelect(e, f, g);
            var temp1 = h + s1 + choice + Vector256.Create(k[t]) + w[t];
            var s0 = Rotr(a, 2) ^ Rotr(a, 13) ^ Rotr(a, 22);
            // maj(a, b, c): where a and b differ the majority is c, elsewhere it is b.
            var majority = Vector256.ConditionalSelect(a ^ b, c, b);
            h = g;
            g = f;
            f = e;
            e = d + temp1;
            d = c;
            c = b;
            b = a;
            a = temp1 + s0 + majority;
        }
        Store(a, 0, state);
        Store(b, 1, state);
        Store(c, 2, state);
        Store(d, 3, state);
        Store(e, 4, state);
        Store(f, 5, state);
        Store(g, 6, state);
        Store(h, 7, state);
    }

    private static void Store(Vector256<uint> value, int word, Span<uint> state) =>
        (value + Vector256.Create(s_initial[word])).CopyTo(state.Slice(word * Lanes, Lanes));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Rotr(Vector256<uint> x, int n) =>
        Vector256.ShiftRightLogical(x, n) | Vector256.ShiftLeft(x, 32 - n);
}
