using Coinshard.Chain.Hashing;
using Coinshard.Chain.Serialization;

namespace Coinshard.Chain.Filters;

/// <summary>
/// A BIP158 Golomb-coded set: N elements hashed with SipHash-2-4 into [0, N·M), sorted, and their
/// differences Golomb-Rice coded with parameter P. Serialized as CompactSize(N) followed by the bit
/// stream. Membership queries walk the stream once and allocate nothing per element, so a wallet can
/// test many scripts against a block's filter cheaply. False positives occur at about 1/M; false
/// negatives never. Immutable and thread-safe.
/// </summary>
public sealed class GolombCodedSet
{
    /// <summary>Size of the SipHash key.</summary>
    public const int KeySize = 16;

    private readonly byte[] _key;
    private readonly byte[] _encoded;
    private readonly int _dataOffset;

    private GolombCodedSet(byte[] key, int p, uint m, uint n, byte[] encoded, int dataOffset)
    {
        _key = key;
        P = p;
        M = m;
        N = n;
        _encoded = encoded;
        _dataOffset = dataOffset;
    }

    /// <summary>Golomb-Rice parameter: bits of each remainder.</summary>
    public int P { get; }

    /// <summary>Inverse false-positive rate: elements hash into [0, N·M).</summary>
    public uint M { get; }

    /// <summary>Number of elements.</summary>
    public uint N { get; }

    /// <summary>The 16-byte SipHash key.</summary>
    public ReadOnlySpan<byte> Key => _key;

    /// <summary>The serialization: CompactSize(N) then the bit stream (this is the filter BIP157 peers send).</summary>
    public ReadOnlySpan<byte> Encoded => _encoded;

    /// <summary>
    /// Builds a set from <paramref name="elements"/>. Equal elements count once (it is a set).
    /// </summary>
    /// <exception cref="ArgumentException">Bad key size or parameters.</exception>
    public static GolombCodedSet Build(ReadOnlySpan<byte> key, IEnumerable<ReadOnlyMemory<byte>> elements, int p, uint m)
    {
        ArgumentNullException.ThrowIfNull(elements);
        CheckParameters(key, p, m);
        var unique = new HashSet<ReadOnlyMemory<byte>>(elements, ByteContentComparer.Instance);
        var n = (uint)unique.Count;
        var hasher = new SipHasher(key);
        var f = (ulong)n * m;
        var values = new ulong[n];
        var i = 0;
        foreach (var element in unique)
        {
            values[i++] = HashToRange(hasher, element.Span, f);
        }
        Array.Sort(values);

        var bits = new BitWriter();
        ulong last = 0;
        foreach (var value in values)
        {
            var delta = value - last;
            bits.WriteOnes(delta >> p);
            bits.Write(0, 1);
            bits.Write(delta, p);
            last = value;
        }
        var writer = new ByteWriter();
        writer.WriteCompactSize(n);
        writer.WriteBytes(bits.ToArray());
        return new GolombCodedSet(key.ToArray(), p, m, n, writer.ToArray(), CompactSize.GetSize(n));
    }

    /// <summary>Builds a set from byte arrays; see <see cref="Build(ReadOnlySpan{byte}, IEnumerable{ReadOnlyMemory{byte}}, int, uint)"/>.</summary>
    public static GolombCodedSet Build(ReadOnlySpan<byte> key, IEnumerable<byte[]> elements, int p, uint m)
    {
        ArgumentNullException.ThrowIfNull(elements);
        return Build(key, elements.Select(e => (ReadOnlyMemory<byte>)e), p, m);
    }

    /// <summary>
    /// Reads a serialized set and checks, as Bitcoin Core does, that the stream holds exactly N
    /// values with no bytes left over. A count the data cannot possibly hold is rejected before decoding.
    /// </summary>
    /// <exception cref="TruncatedDataException">The stream ends before N values.</exception>
    /// <exception cref="TrailingDataException">Whole bytes remain after N values.</exception>
    /// <exception cref="SizeLimitExceededException">N is too large for the data (or 2^32 or more).</exception>
    /// <exception cref="NonCanonicalEncodingException">N's CompactSize is not minimal.</exception>
    public static GolombCodedSet Decode(ReadOnlySpan<byte> key, ReadOnlySpan<byte> encoded, int p, uint m)
    {
        CheckParameters(key, p, m);
        var reader = new SpanReader(encoded);
        var n = reader.ReadCompactSize();
        if (n > uint.MaxValue)
        {
            throw new SizeLimitExceededException($"compact filter element count {n} must be below 2^32", 0);
        }
        var dataOffset = reader.Position;
        // Every value takes at least P + 1 bits (a zero quotient's stop bit and the remainder).
        if (n > (ulong)reader.Remaining * 8 / (ulong)(p + 1))
        {
            throw new SizeLimitExceededException(
                $"compact filter claims {n} elements but its {reader.Remaining} data bytes can hold at most {(ulong)reader.Remaining * 8 / (ulong)(p + 1)}", 0);
        }
        var bits = new BitReader(encoded[dataOffset..], dataOffset);
        for (ulong i = 0; i < n; i++)
        {
            ReadDelta(ref bits, p);
        }
        if (bits.BytesConsumed != encoded.Length - dataOffset)
        {
            throw new TrailingDataException(
                $"{encoded.Length - dataOffset - bits.BytesConsumed} bytes remain after the {n} elements of the compact filter",
                dataOffset + bits.BytesConsumed);
        }
        return new GolombCodedSet(key.ToArray(), p, m, (uint)n, encoded.ToArray(), dataOffset);
    }

    /// <summary>True when <paramref name="element"/> may be in the set (never false for a member).</summary>
    public bool Match(ReadOnlySpan<byte> element)
    {
        if (N == 0)
        {
            return false;
        }
        var target = HashToRange(new SipHasher(_key), element, (ulong)N * M);
        ReadOnlySpan<ulong> queries = [target];
        return MatchSorted(queries);
    }

    /// <summary>True when any of <paramref name="elements"/> may be in the set; one pass over the filter for all of them.</summary>
    public bool MatchAny(IEnumerable<ReadOnlyMemory<byte>> elements)
    {
        ArgumentNullException.ThrowIfNull(elements);
        if (N == 0)
        {
            return false;
        }
        var hasher = new SipHasher(_key);
        var f = (ulong)N * M;
        var queries = elements.Select(e => HashToRange(hasher, e.Span, f)).ToArray();
        if (queries.Length == 0)
        {
            return false;
        }
        Array.Sort(queries);
        return MatchSorted(queries);
    }

    /// <summary>Byte-array overload of <see cref="MatchAny(IEnumerable{ReadOnlyMemory{byte}})"/>.</summary>
    public bool MatchAny(IEnumerable<byte[]> elements)
    {
        ArgumentNullException.ThrowIfNull(elements);
        return MatchAny(elements.Select(e => (ReadOnlyMemory<byte>)e));
    }

    /// <summary>The sorted hashed values (for diagnostics and tests; matching does not need them).</summary>
    public ulong[] GetHashedValues()
    {
        var values = new ulong[N];
        var bits = new BitReader(_encoded.AsSpan(_dataOffset), _dataOffset);
        ulong value = 0;
        for (var i = 0; i < values.Length; i++)
        {
            value += ReadDelta(ref bits, P);
            values[i] = value;
        }
        return values;
    }

    /// <summary>BIP158 hash_to_range: (SipHash(element) · F) >> 64, a multiply-shift instead of a modulo.</summary>
    internal static ulong HashToRange(SipHasher hasher, ReadOnlySpan<byte> element, ulong f) =>
        Math.BigMul(hasher.Hash(element), f, out _);

    private bool MatchSorted(ReadOnlySpan<ulong> queries)
    {
        var bits = new BitReader(_encoded.AsSpan(_dataOffset), _dataOffset);
        ulong value = 0;
        var q = 0;
        for (uint i = 0; i < N; i++)
        {
            value += ReadDelta(ref bits, P);
            while (true)
            {
                if (queries[q] == value)
                {
                    return true;
                }
                if (queries[q] > value)
                {
                    break;
                }
                if (++q == queries.Length)
                {
                    return false;
                }
            }
        }
        return false;
    }

    private static ulong ReadDelta(ref BitReader bits, int p)
    {
        ulong quotient = 0;
        while (bits.ReadBit())
        {
            quotient++;
        }
        return (quotient << p) | bits.ReadBits(p);
    }

    private static void CheckParameters(ReadOnlySpan<byte> key, int p, uint m)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"a Golomb-coded set is keyed with {KeySize} bytes, got {key.Length}", nameof(key));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(p, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(p, 32);
        ArgumentOutOfRangeException.ThrowIfZero(m);
    }
}
