namespace Coinshard.Chain.Filters;

/// <summary>Compares byte sequences by content, so that sets of scripts deduplicate equal scripts.</summary>
internal sealed class ByteContentComparer : IEqualityComparer<ReadOnlyMemory<byte>>
{
    public static readonly ByteContentComparer Instance = new();

    public bool Equals(ReadOnlyMemory<byte> x, ReadOnlyMemory<byte> y) => x.Span.SequenceEqual(y.Span);

    public int GetHashCode(ReadOnlyMemory<byte> obj)
    {
        var hash = new HashCode();
        hash.AddBytes(obj.Span);
        return hash.ToHashCode();
    }
}
