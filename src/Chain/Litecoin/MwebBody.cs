namespace Coinshard.Chain.Litecoin;

/// <summary>
/// What an indexer can learn from an MWEB body (mw::TxBody) without the confidential parts:
/// element counts, peg-ins, peg-outs and fees. MWEB outputs themselves are confidential and are
/// never canonical outputs.
/// </summary>
public sealed class MwebBody
{
    internal MwebBody(in MwebBodyTotals totals, MwebBodyCollector collector)
    {
        InputCount = totals.InputCount;
        OutputCount = totals.OutputCount;
        KernelCount = totals.KernelCount;
        PegInTotal = totals.PegInTotal;
        PegOutTotal = totals.PegOutTotal;
        TotalFee = totals.TotalFee;
        PegIns = collector.PegIns.ToArray();
        PegOuts = collector.PegOuts.ToArray();
    }

    /// <summary>Number of MWEB inputs (spent MWEB outputs).</summary>
    public int InputCount { get; }

    /// <summary>Number of MWEB outputs (confidential; not indexable).</summary>
    public int OutputCount { get; }

    /// <summary>Number of kernels.</summary>
    public int KernelCount { get; }

    /// <summary>Peg-in amounts in satoshis, one per kernel that pegs in, in kernel order.</summary>
    public IReadOnlyList<long> PegIns { get; }

    /// <summary>Sum of <see cref="PegIns"/>.</summary>
    public long PegInTotal { get; }

    /// <summary>Peg-outs in kernel order.</summary>
    public IReadOnlyList<MwebPegOut> PegOuts { get; }

    /// <summary>Sum of the peg-out amounts.</summary>
    public long PegOutTotal { get; }

    /// <summary>Sum of the kernel fees in satoshis.</summary>
    public long TotalFee { get; }
}
