namespace Coinshard.Chain.Snapshots;

/// <summary>
/// The first field of a serialized coin: <c>VARINT(height * 2 + coinbase)</c>, a 32-bit value in Core.
/// Litecoin Core adds 2^31 for coins created as MWEB peg-outs by a HogEx transaction (coins.h
/// <c>fPegout</c>), so on Litecoin the height is <c>(code &amp; 0x7FFFFFFF) &gt;&gt; 1</c>.
/// </summary>
public static class CoinCode
{
    /// <summary>Litecoin's peg-out bit.</summary>
    public const uint PegOutFlag = 0x8000_0000;

    /// <summary>Packs a coin's height and flags.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The height is negative, or too large to leave room for the peg-out bit.</exception>
    public static uint Encode(int height, bool isCoinbase, bool isPegOut = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        if (isPegOut && height >= 1 << 30)
        {
            throw new ArgumentOutOfRangeException(nameof(height), height, "a peg-out coin's height must be below 2^30");
        }
        return ((uint)height * 2) + (isCoinbase ? 1u : 0u) + (isPegOut ? PegOutFlag : 0u);
    }

    /// <summary>
    /// Unpacks a code. <paramref name="hasPegOutFlag"/> says whether bit 31 is Litecoin's peg-out flag
    /// (true for Litecoin) or the top bit of the height (Bitcoin).
    /// </summary>
    public static void Decode(uint code, bool hasPegOutFlag, out int height, out bool isCoinbase, out bool isPegOut)
    {
        isCoinbase = (code & 1) != 0;
        isPegOut = hasPegOutFlag && (code & PegOutFlag) != 0;
        height = (int)((hasPegOutFlag ? code & ~PegOutFlag : code) >> 1);
    }
}
