using System.Numerics;

namespace Coinshard.Chain.ProofOfWork;

/// <summary>
/// The "compact" (nBits) encoding of a 256-bit target, decoded and encoded exactly like Bitcoin
/// Core's <c>arith_uint256::SetCompact</c> / <c>GetCompact</c>, including the sign bit and the
/// overflow rules that consensus code relies on.
/// </summary>
public static class CompactTarget
{
    /// <summary>2^256 − 1: the largest value a 256-bit target can hold.</summary>
    public static BigInteger MaxValue { get; } = (BigInteger.One << 256) - 1;

    /// <summary>
    /// Decodes <paramref name="bits"/> to a target. Bits shifted past 256 are dropped, as in Core.
    /// </summary>
    /// <param name="bits">The compact value.</param>
    /// <param name="negative">Set when the sign bit is set on a non-zero mantissa.</param>
    /// <param name="overflow">Set when the value does not fit in 256 bits.</param>
    public static BigInteger Decode(uint bits, out bool negative, out bool overflow)
    {
        var size = (int)(bits >> 24);
        var word = bits & 0x007FFFFF;
        BigInteger value;
        if (size <= 3)
        {
            word >>= 8 * (3 - size);
            value = word;
        }
        else
        {
            value = ((BigInteger)word << (8 * (size - 3))) & MaxValue;
        }
        negative = word != 0 && (bits & 0x00800000) != 0;
        overflow = word != 0 && (size > 34 || (word > 0xFF && size > 33) || (word > 0xFFFF && size > 32));
        return value;
    }

    /// <summary>Decodes <paramref name="bits"/>, ignoring the sign and overflow flags.</summary>
    public static BigInteger Decode(uint bits) => Decode(bits, out _, out _);

    /// <summary>Encodes a target (0 ≤ target &lt; 2^256) as Core's <c>GetCompact</c> does.</summary>
    /// <param name="target">The target.</param>
    /// <param name="negative">Set the sign bit (when the mantissa is non-zero).</param>
    public static uint Encode(BigInteger target, bool negative = false)
    {
        if (target.Sign < 0 || target > MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(target), "a target is an unsigned 256-bit number");
        }
        var size = (int)((target.GetBitLength() + 7) / 8);
        uint compact;
        if (size <= 3)
        {
            compact = (uint)((ulong)target << (8 * (3 - size)));
        }
        else
        {
            compact = (uint)(ulong)(target >> (8 * (size - 3)));
        }
        if ((compact & 0x00800000) != 0)
        {
            compact >>= 8;
            size++;
        }
        compact |= (uint)size << 24;
        if (negative && (compact & 0x007FFFFF) != 0)
        {
            compact |= 0x00800000;
        }
        return compact;
    }
}
