namespace Coinshard.Chain.Snapshots;

/// <summary>
/// Bitcoin Core's amount compression (compressor.cpp <c>CompressAmount</c>/<c>DecompressAmount</c>), used for
/// the value of every coin in the chainstate and in <c>dumptxoutset</c> files. Trailing decimal zeros (at most
/// nine) go into an exponent, so round amounts encode in one or two VARINT bytes: 1 BTC → 9, 50 BTC → 50.
/// </summary>
public static class AmountCompression
{
    /// <summary>Compresses an amount in satoshis (Core's <c>CompressAmount</c>).</summary>
    public static ulong Compress(ulong amount)
    {
        if (amount == 0)
        {
            return 0;
        }
        var e = 0;
        while (amount % 10 == 0 && e < 9)
        {
            amount /= 10;
            e++;
        }
        if (e < 9)
        {
            var d = amount % 10;
            amount /= 10;
            return 1 + ((((amount * 9) + d - 1) * 10) + (ulong)e);
        }
        return 1 + ((amount - 1) * 10) + 9;
    }

    /// <summary>Decompresses (Core's <c>DecompressAmount</c>).</summary>
    /// <exception cref="OverflowException">
    /// The value does not fit in 64 bits. No compressor produces such a value; Core's arithmetic would silently
    /// wrap around instead. Readers of untrusted data should use <see cref="TryDecompress"/>.
    /// </exception>
    public static ulong Decompress(ulong compressed) =>
        TryDecompress(compressed, out var amount) ? amount : throw new OverflowException($"compressed amount {compressed} decompresses past 2^64");

    /// <summary>Decompresses; returns false when the amount does not fit in 64 bits (where Core would wrap).</summary>
    public static bool TryDecompress(ulong compressed, out ulong amount)
    {
        amount = 0;
        if (compressed == 0)
        {
            return true;
        }
        compressed--;
        var e = (int)(compressed % 10);
        compressed /= 10;
        ulong n;
        if (e < 9)
        {
            var d = (compressed % 9) + 1;
            compressed /= 9;
            if (compressed > (ulong.MaxValue - d) / 10)
            {
                return false;
            }
            n = (compressed * 10) + d;
        }
        else
        {
            if (compressed == ulong.MaxValue)
            {
                return false;
            }
            n = compressed + 1;
        }
        for (; e > 0; e--)
        {
            if (n > ulong.MaxValue / 10)
            {
                return false;
            }
            n *= 10;
        }
        amount = n;
        return true;
    }
}
