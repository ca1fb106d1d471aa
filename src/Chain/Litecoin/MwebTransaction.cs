using Coinshard.Chain.Serialization;

namespace Coinshard.Chain.Litecoin;

/// <summary>
/// The MWEB part of a Litecoin transaction (mw::Transaction), kept byte for byte so that the
/// transaction serializes back exactly, with a summary of what it does to the canonical chain.
/// </summary>
public sealed class MwebTransaction
{
    private readonly ReadOnlyMemory<byte> _bytes;

    private MwebTransaction(ReadOnlyMemory<byte> bytes, MwebBody body)
    {
        _bytes = bytes;
        Body = body;
    }

    /// <summary>The serialized mw::Transaction (without the OptionalPtr presence byte).</summary>
    public ReadOnlyMemory<byte> Bytes => _bytes;

    /// <summary>Counts, peg-ins, peg-outs and fees.</summary>
    public MwebBody Body { get; }

    /// <summary>Parses a serialized mw::Transaction that must fill <paramref name="data"/> exactly.</summary>
    /// <exception cref="ChainFormatException">The data is not a well-formed MWEB transaction.</exception>
    public static MwebTransaction Parse(ReadOnlySpan<byte> data) => FromBytes(data.ToArray());

    internal static MwebTransaction FromBytes(ReadOnlyMemory<byte> bytes)
    {
        var reader = new SpanReader(bytes.Span);
        var collector = new MwebBodyCollector();
        var totals = MwebFormat.ReadTransaction(ref reader, collector);
        reader.EnsureAtEnd("MWEB transaction");
        return new MwebTransaction(bytes, new MwebBody(totals, collector));
    }
}
