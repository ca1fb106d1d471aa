namespace Coinshard.Electrum.Mempool;

/// <summary>
/// Builds Electrum's compact fee histogram the way ElectrumX does: walk fee rates from the highest
/// down, accumulating vsize, and close a bin when it passes the bin size; the bin size starts at
/// 100,000 vbytes and grows by 10% per bin, so the top of the mempool is the most detailed.
/// </summary>
internal static class FeeHistogramBuilder
{
    private const double FirstBinVSize = 100_000;

    public static IReadOnlyList<FeeHistogramBin> Build(IEnumerable<(double Rate, long VSize)> transactions)
    {
        var byRate = new SortedDictionary<double, long>(Comparer<double>.Create((a, b) => b.CompareTo(a)));
        foreach (var (rate, vsize) in transactions)
        {
            byRate[rate] = byRate.GetValueOrDefault(rate) + vsize;
        }

        var bins = new List<FeeHistogramBin>();
        var binSize = FirstBinVSize;
        long accumulated = 0;
        double carry = 0;
        double lastRate = 0;
        foreach (var (rate, vsize) in byRate)
        {
            accumulated += vsize;
            lastRate = rate;
            if (accumulated + carry > binSize)
            {
                bins.Add(new FeeHistogramBin(rate, accumulated));
                carry += accumulated - binSize;
                accumulated = 0;
                binSize *= 1.1;
            }
        }
        if (accumulated > 0)
        {
            bins.Add(new FeeHistogramBin(lastRate, accumulated));
        }
        return bins;
    }
}
