using Coinshard.Chain.Serialization;

namespace Coinshard.Chain.Litecoin;

/// <summary>
/// A Litecoin MWEB extension block (mw::Block) that follows the HogEx in a block: its header
/// fields, a summary of its body, and its bytes verbatim so that the block serializes back exactly.
/// MWEB outputs are confidential; an indexer counts them but never indexes them.
/// </summary>
public sealed class MwebBlock
{
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly byte[] _outputRoot;
    private readonly byte[] _kernelRoot;
    private readonly byte[] _leafsetRoot;
    private readonly byte[] _kernelOffset;
    private readonly byte[] _stealthOffset;

    private MwebBlock(ReadOnlyMemory<byte> bytes, MwebHeaderFields header, MwebBody body)
    {
        _bytes = bytes;
        Height = header.Height;
        _outputRoot = header.OutputRoot;
        _kernelRoot = header.KernelRoot;
        _leafsetRoot = header.LeafsetRoot;
        _kernelOffset = header.KernelOffset;
        _stealthOffset = header.StealthOffset;
        OutputMmrSize = header.OutputMmrSize;
        KernelMmrSize = header.KernelMmrSize;
        Body = body;
    }

    /// <summary>The serialized mw::Block (without the OptionalPtr presence byte).</summary>
    public ReadOnlyMemory<byte> Bytes => _bytes;

    /// <summary>Block height recorded in the MWEB header.</summary>
    public int Height { get; }

    /// <summary>Root of the output MMR (32 bytes, in the order libmw prints them).</summary>
    public ReadOnlyMemory<byte> OutputRoot => _outputRoot;

    /// <summary>Root of the kernel MMR.</summary>
    public ReadOnlyMemory<byte> KernelRoot => _kernelRoot;

    /// <summary>Root of the unspent-output leaf set.</summary>
    public ReadOnlyMemory<byte> LeafsetRoot => _leafsetRoot;

    /// <summary>Total kernel offset (blinding factor).</summary>
    public ReadOnlyMemory<byte> KernelOffset => _kernelOffset;

    /// <summary>Total stealth offset (blinding factor).</summary>
    public ReadOnlyMemory<byte> StealthOffset => _stealthOffset;

    /// <summary>Number of outputs ever added to the output MMR, up to this block.</summary>
    public ulong OutputMmrSize { get; }

    /// <summary>Number of kernels ever added to the kernel MMR, up to this block.</summary>
    public ulong KernelMmrSize { get; }

    /// <summary>Counts, peg-ins, peg-outs and fees of the block's MWEB body.</summary>
    public MwebBody Body { get; }

    /// <summary>Parses a serialized mw::Block that must fill <paramref name="data"/> exactly.</summary>
    /// <exception cref="ChainFormatException">The data is not a well-formed MWEB block.</exception>
    public static MwebBlock Parse(ReadOnlySpan<byte> data) => FromBytes(data.ToArray());

    internal static MwebBlock FromBytes(ReadOnlyMemory<byte> bytes)
    {
        var reader = new SpanReader(bytes.Span);
        var header = new MwebHeaderFields();
        var collector = new MwebBodyCollector();
        var totals = MwebFormat.ReadBlock(ref reader, header, collector);
        reader.EnsureAtEnd("MWEB block");
        return new MwebBlock(bytes, header, new MwebBody(totals, collector));
    }
}
