using Coinshard.Chain.Blocks;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Scripts;

namespace Coinshard.Chain.Filters;

/// <summary>BIP158 filter types (the byte BIP157 messages carry).</summary>
public enum BlockFilterType : byte
{
    /// <summary>The basic filter: output scripts and spent scripts, P = 19, M = 784931.</summary>
    Basic = 0,
}

/// <summary>
/// A BIP158 compact block filter: a <see cref="GolombCodedSet"/> keyed by the block hash, plus
/// the filter-header chain that lets a light client check filters from untrusted peers.
/// The element set comes from the block's output scripts and the scripts its inputs spend;
/// turning a parsed block into those lists is the caller's job. Immutable.
/// </summary>
public sealed class BlockFilter
{
    /// <summary>Golomb-Rice parameter of basic filters.</summary>
    public const int BasicP = 19;

    /// <summary>Inverse false-positive rate of basic filters.</summary>
    public const uint BasicM = 784931;

    private BlockFilter(BlockFilterType filterType, Hash256 blockHash, GolombCodedSet set)
    {
        FilterType = filterType;
        BlockHash = blockHash;
        Set = set;
    }

    /// <summary>The filter type.</summary>
    public BlockFilterType FilterType { get; }

    /// <summary>The block the filter describes; its first 16 internal-order bytes key the SipHash.</summary>
    public Hash256 BlockHash { get; }

    /// <summary>The underlying set.</summary>
    public GolombCodedSet Set { get; }

    /// <summary>The serialized filter (CompactSize N ‖ bit stream), as served by <c>getblockfilter</c> and BIP157 peers.</summary>
    public ReadOnlySpan<byte> Encoded => Set.Encoded;

    /// <summary>
    /// Builds a block's basic filter from its output scripts and the scripts its inputs spend (not
    /// the coinbase's). Follows Bitcoin Core: empty output scripts and those starting with OP_RETURN
    /// are left out, empty spent scripts are left out, duplicates count once.
    /// </summary>
    public static BlockFilter BuildBasic(Hash256 blockHash, IEnumerable<ReadOnlyMemory<byte>> outputScripts, IEnumerable<ReadOnlyMemory<byte>> spentScripts)
    {
        var elements = BasicElements(outputScripts, spentScripts);
        return new BlockFilter(BlockFilterType.Basic, blockHash, GolombCodedSet.Build(KeyOf(blockHash), elements, BasicP, BasicM));
    }

    /// <summary>Byte-array overload of <see cref="BuildBasic(Hash256, IEnumerable{ReadOnlyMemory{byte}}, IEnumerable{ReadOnlyMemory{byte}})"/>.</summary>
    public static BlockFilter BuildBasic(Hash256 blockHash, IEnumerable<byte[]> outputScripts, IEnumerable<byte[]> spentScripts)
    {
        ArgumentNullException.ThrowIfNull(outputScripts);
        ArgumentNullException.ThrowIfNull(spentScripts);
        return BuildBasic(blockHash, outputScripts.Select(s => (ReadOnlyMemory<byte>)s), spentScripts.Select(s => (ReadOnlyMemory<byte>)s));
    }

    /// <summary>
    /// Builds <paramref name="block"/>'s basic filter: its output scripts plus
    /// <paramref name="spentScripts"/>, the scripts of the coins its non-coinbase inputs spend (which
    /// the block itself does not contain; the indexer knows them from its UTXO set).
    /// </summary>
    public static BlockFilter BuildBasic(Block block, IEnumerable<byte[]> spentScripts)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(spentScripts);
        var outputs = block.Transactions.SelectMany(tx => tx.Outputs).Select(o => o.ScriptPubKey);
        return BuildBasic(block.Hash, outputs, spentScripts.Select(s => (ReadOnlyMemory<byte>)s));
    }

    /// <summary>
    /// The basic filter's element set (see <see cref="BuildBasic(Hash256, IEnumerable{ReadOnlyMemory{byte}}, IEnumerable{ReadOnlyMemory{byte}})"/> for the rules), without duplicates.
    /// </summary>
    public static IReadOnlyList<ReadOnlyMemory<byte>> BasicElements(IEnumerable<ReadOnlyMemory<byte>> outputScripts, IEnumerable<ReadOnlyMemory<byte>> spentScripts)
    {
        ArgumentNullException.ThrowIfNull(outputScripts);
        ArgumentNullException.ThrowIfNull(spentScripts);
        var seen = new HashSet<ReadOnlyMemory<byte>>(ByteContentComparer.Instance);
        var result = new List<ReadOnlyMemory<byte>>();
        foreach (var script in outputScripts)
        {
            if (script.Length > 0 && script.Span[0] != OpCodes.OpReturn && seen.Add(script))
            {
                result.Add(script);
            }
        }
        foreach (var script in spentScripts)
        {
            if (script.Length > 0 && seen.Add(script))
            {
                result.Add(script);
            }
        }
        return result;
    }

    /// <summary>Reads a serialized filter of <paramref name="filterType"/> for <paramref name="blockHash"/>; see <see cref="GolombCodedSet.Decode"/> for the checks.</summary>
    public static BlockFilter Parse(BlockFilterType filterType, Hash256 blockHash, ReadOnlySpan<byte> encoded)
    {
        if (filterType != BlockFilterType.Basic)
        {
            throw new InvalidDataException($"unknown block filter type {(byte)filterType}");
        }
        return new BlockFilter(filterType, blockHash, GolombCodedSet.Decode(KeyOf(blockHash), encoded, BasicP, BasicM));
    }

    /// <summary>True when <paramref name="script"/> may be among the filter's elements.</summary>
    public bool Match(ReadOnlySpan<byte> script) => Set.Match(script);

    /// <summary>True when any of <paramref name="scripts"/> may be among the filter's elements (one pass).</summary>
    public bool MatchAny(IEnumerable<byte[]> scripts) => Set.MatchAny(scripts);

    /// <summary>True when any of <paramref name="scripts"/> may be among the filter's elements (one pass).</summary>
    public bool MatchAny(IEnumerable<ReadOnlyMemory<byte>> scripts) => Set.MatchAny(scripts);

    /// <summary>SHA-256d of the serialized filter.</summary>
    public Hash256 GetHash() => Hashes.DoubleSha256(Encoded);

    /// <summary>This filter's header: SHA-256d(filter hash ‖ <paramref name="previousHeader"/>); the genesis block's previous header is zero.</summary>
    public Hash256 ComputeHeader(Hash256 previousHeader) => ComputeHeader(GetHash(), previousHeader);

    /// <summary>A filter header from the filter's hash and the previous header (BIP157).</summary>
    public static Hash256 ComputeHeader(Hash256 filterHash, Hash256 previousHeader)
    {
        Span<byte> data = stackalloc byte[64];
        filterHash.CopyTo(data);
        previousHeader.CopyTo(data[32..]);
        return Hashes.DoubleSha256(data);
    }

    private static byte[] KeyOf(Hash256 blockHash)
    {
        Span<byte> hash = stackalloc byte[Hash256.Size];
        blockHash.CopyTo(hash);
        return hash[..GolombCodedSet.KeySize].ToArray();
    }
}
