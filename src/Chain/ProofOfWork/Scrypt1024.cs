using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace Coinshard.Chain.ProofOfWork;

/// <summary>
/// scrypt (RFC 7914) specialised to Litecoin's parameters N = 1024, r = 1, p = 1, 32-byte output: the
/// general BouncyCastle implementation checked about 2,000 headers per second per thread, which made
/// Litecoin's 2.8 M mainnet headers the slowest part of a snapshot load. PBKDF2-HMAC-SHA256 comes from
/// the platform; the 128 KiB ROMix scratch is kept per thread, so a hash allocates nothing.
/// </summary>
internal static class Scrypt1024
{
    private const int N = 1024;
    private const int BlockWords = 32; // 128 · r bytes, r = 1

    [ThreadStatic]
    private static uint[]? t_scratch;

    /// <summary>scrypt(<paramref name="password"/>, <paramref name="salt"/>, N=1024, r=1, p=1) into 32 bytes.</summary>
    public static void Hash(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, Span<byte> destination)
    {
        if (destination.Length != 32)
        {
            throw new ArgumentException("scrypt_1024_1_1 writes exactly 32 bytes", nameof(destination));
        }
        Span<byte> block = stackalloc byte[BlockWords * 4];
        Rfc2898DeriveBytes.Pbkdf2(password, salt, block, 1, HashAlgorithmName.SHA256);

        Span<uint> x = stackalloc uint[BlockWords];
        for (var i = 0; i < BlockWords; i++)
        {
            x[i] = BinaryPrimitives.ReadUInt32LittleEndian(block[(i * 4)..]);
        }
        RoMix(x, t_scratch ??= new uint[N * BlockWords]);
        for (var i = 0; i < BlockWords; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(block[(i * 4)..], x[i]);
        }
        Rfc2898DeriveBytes.Pbkdf2(password, block, destination, 1, HashAlgorithmName.SHA256);
    }

    private static void RoMix(Span<uint> x, uint[] v)
    {
        for (var i = 0; i < N; i++)
        {
            x.CopyTo(v.AsSpan(i * BlockWords, BlockWords));
            BlockMix(x);
        }
        for (var i = 0; i < N; i++)
        {
            var j = (int)(x[16] & (N - 1)); // Integerify: first word of the last 64-byte block
            var vj = v.AsSpan(j * BlockWords, BlockWords);
            for (var k = 0; k < BlockWords; k++)
            {
                x[k] ^= vj[k];
            }
            BlockMix(x);
        }
    }

    /// <summary>BlockMix for r = 1: Y0 = Salsa(B1 ⊕ B0), Y1 = Salsa(Y0 ⊕ B1), output (Y0, Y1).</summary>
    private static void BlockMix(Span<uint> b)
    {
        var b0 = b[..16];
        var b1 = b[16..];
        for (var k = 0; k < 16; k++)
        {
            b0[k] ^= b1[k];
        }
        Salsa208(b0);
        for (var k = 0; k < 16; k++)
        {
            b1[k] ^= b0[k];
        }
        Salsa208(b1);
    }

    /// <summary>The Salsa20/8 core, in place (words in locals: no bounds checks in the rounds).</summary>
    private static void Salsa208(Span<uint> b)
    {
        var b16 = b[..16];
        uint x0 = b16[0], x1 = b16[1], x2 = b16[2], x3 = b16[3], x4 = b16[4], x5 = b16[5], x6 = b16[6], x7 = b16[7];
        uint x8 = b16[8], x9 = b16[9], x10 = b16[10], x11 = b16[11], x12 = b16[12], x13 = b16[13], x14 = b16[14], x15 = b16[15];
        for (var i = 0; i < 8; i += 2)
        {
            // Columns.
            x4 ^= BitOperations.RotateLeft(x0 + x12, 7);
            x8 ^= BitOperations.RotateLeft(x4 + x0, 9);
            x12 ^= BitOperations.RotateLeft(x8 + x4, 13);
            x0 ^= BitOperations.RotateLeft(x12 + x8, 18);
            x9 ^= BitOperations.RotateLeft(x5 + x1, 7);
            x13 ^= BitOperations.RotateLeft(x9 + x5, 9);
            x1 ^= BitOperations.RotateLeft(x13 + x9, 13);
            x5 ^= BitOperations.RotateLeft(x1 + x13, 18);
            x14 ^= BitOperations.RotateLeft(x10 + x6, 7);
            x2 ^= BitOperations.RotateLeft(x14 + x10, 9);
            x6 ^= BitOperations.RotateLeft(x2 + x14, 13);
            x10 ^= BitOperations.RotateLeft(x6 + x2, 18);
            x3 ^= BitOperations.RotateLeft(x15 + x11, 7);
            x7 ^= BitOperations.RotateLeft(x3 + x15, 9);
            x11 ^= BitOperations.RotateLeft(x7 + x3, 13);
            x15 ^= BitOperations.RotateLeft(x11 + x7, 18);

            // Rows.
            x1 ^= BitOperations.RotateLeft(x0 + x3, 7);
            x2 ^= BitOperations.RotateLeft(x1 + x0, 9);
            x3 ^= BitOperations.RotateLeft(x2 + x1, 13);
            x0 ^= BitOperations.RotateLeft(x3 + x2, 18);
            x6 ^= BitOperations.RotateLeft(x5 + x4, 7);
            x7 ^= BitOperations.RotateLeft(x6 + x5, 9);
            x4 ^= BitOperations.RotateLeft(x7 + x6, 13);
            x5 ^= BitOperations.RotateLeft(x4 + x7, 18);
            x11 ^= BitOperations.RotateLeft(x10 + x9, 7);
            x8 ^= BitOperations.RotateLeft(x11 + x10, 9);
            x9 ^= BitOperations.RotateLeft(x8 + x11, 13);
            x10 ^= BitOperations.RotateLeft(x9 + x8, 18);
            x12 ^= BitOperations.RotateLeft(x15 + x14, 7);
            x13 ^= BitOperations.RotateLeft(x12 + x15, 9);
            x14 ^= BitOperations.RotateLeft(x13 + x12, 13);
            x15 ^= BitOperations.RotateLeft(x14 + x13, 18);
        }
        b16[0] += x0;
        b16[1] += x1;
        b16[2] += x2;
        b16[3] += x3;
        b16[4] += x4;
        b16[5] += x5;
        b16[6] += x6;
        b16[7] += x7;
        b16[8] += x8;
        b16[9] += x9;
        b16[10] += x10;
        b16[11] += x11;
        b16[12] += x12;
        b16[13] += x13;
        b16[14] += x14;
        b16[15] += x15;
    }
}
