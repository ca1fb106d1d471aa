using Coinshard.Chain.Hashing;
using Coinshard.Chain.Litecoin;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Serialization;
using Coinshard.Chain.Transactions;

namespace Coinshard.Chain.Blocks;

/// <summary>
/// A full block: header, transactions and, on Litecoin after MWEB activation, the MWEB extension
/// block that follows the HogEx. Parsing and serialization are byte-exact. For the indexer's hot
/// path prefer <see cref="BlockScanner"/>, which reads the same structure without allocating.
/// </summary>
public sealed class Block
{
    /// <summary>Creates a block from its parts.</summary>
    /// <param name="header">The header.</param>
    /// <param name="transactions">The transactions, coinbase first.</param>
    /// <param name="mweb">Litecoin's MWEB block; only serialized when the last transaction is the HogEx.</param>
    public Block(BlockHeader header, IEnumerable<Transaction> transactions, MwebBlock? mweb = null)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(transactions);
        Header = header;
        Transactions = transactions.ToArray();
        Mweb = mweb;
    }

    /// <summary>The header.</summary>
    public BlockHeader Header { get; }

    /// <summary>The block hash (SHA-256d of the header).</summary>
    public Hash256 Hash => Header.Hash;

    /// <summary>The transactions in block order; the first is the coinbase, on Litecoin MWEB blocks the last is the HogEx.</summary>
    public IReadOnlyList<Transaction> Transactions { get; }

    /// <summary>Litecoin: the MWEB extension block, or null.</summary>
    public MwebBlock? Mweb { get; }

    /// <summary>True when an MWEB section (presence byte, and the block when present) follows the transactions.</summary>
    public bool HasMwebSection => Transactions.Count >= 2 && Transactions[^1].IsHogEx;

    /// <summary>Serialized size in bytes, including witnesses and MWEB data.</summary>
    public int Size =>
        BlockHeader.Size + CompactSize.GetSize((ulong)Transactions.Count) + Transactions.Sum(t => t.TotalSize)
        + (HasMwebSection ? 1 + (Mweb?.Bytes.Length ?? 0) : 0);

    /// <summary>Size without witnesses and MWEB data (the node's <c>strippedsize</c>).</summary>
    public int StrippedSize =>
        BlockHeader.Size + CompactSize.GetSize((ulong)Transactions.Count) + Transactions.Sum(t => t.StrippedSize);

    /// <summary>Block weight as Core computes it: MWEB data excluded, witnesses discounted (BIP141).</summary>
    public long Weight =>
        (3L * StrippedSize) + BlockHeader.Size + CompactSize.GetSize((ulong)Transactions.Count) + Transactions.Sum(t => (long)t.SizeWithoutMweb);

    /// <summary>Parses a block that must fill <paramref name="data"/> exactly.</summary>
    /// <param name="data">The serialized block, as the node's <c>getblock … 0</c> returns it.</param>
    /// <param name="currency">Litecoin enables the MWEB flag and the MWEB extension block.</param>
    /// <exception cref="ChainFormatException">The bytes are not a well-formed block (a specific subtype says why).</exception>
    public static Block Parse(ReadOnlySpan<byte> data, Currency currency)
    {
        // One copy of the block; every script and witness item is a slice of it.
        ReadOnlyMemory<byte> buffer = data.ToArray();
        var reader = new SpanReader(buffer.Span);
        var allowMweb = currency == Currency.Litecoin;
        var header = BlockHeader.Read(ref reader);
        var count = BlockFormat.ReadTransactionCount(ref reader);
        var transactions = new Transaction[count];
        var last = default(TransactionLayout);
        for (var i = 0; i < count; i++)
        {
            var start = reader.Position;
            last = TransactionFormat.ReadLayout(ref reader, allowMweb);
            transactions[i] = Transaction.FromLayout(buffer[start..reader.Position], last);
        }
        MwebBlock? mweb = null;
        if (BlockFormat.HasMwebSection(allowMweb, count, last) && BlockFormat.ReadMwebPresence(ref reader))
        {
            var start = reader.Position;
            MwebFormat.ReadBlock(ref reader, null, null);
            mweb = MwebBlock.FromBytes(buffer[start..reader.Position]);
        }
        reader.EnsureAtEnd("block");
        return new Block(header, transactions, mweb);
    }

    /// <summary>Parses a block of <paramref name="network"/>'s currency; see <see cref="Parse(ReadOnlySpan{byte}, Currency)"/>.</summary>
    public static Block Parse(ReadOnlySpan<byte> data, Network network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return Parse(data, network.Currency);
    }

    /// <summary>The txids in block order (the merkle leaves).</summary>
    public Hash256[] GetTxIds() => Transactions.Select(t => t.TxId).ToArray();

    /// <summary>
    /// Computes the merkle root of the txids as Core's <c>BlockMerkleRoot</c> does;
    /// <paramref name="mutated"/> reports the CVE-2012-2459 duplicate-subtree ambiguity.
    /// </summary>
    public Hash256 ComputeMerkleRoot(out bool mutated) => MerkleTree.ComputeRoot(GetTxIds(), out mutated);

    /// <summary>Serializes the block to a new array.</summary>
    public byte[] ToArray()
    {
        var writer = new ByteWriter(Size);
        WriteTo(writer);
        return writer.ToArray();
    }

    /// <summary>Serializes the block: header, transactions and the MWEB section after a HogEx.</summary>
    public void WriteTo(ByteWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Header.WriteTo(writer);
        writer.WriteCompactSize((ulong)Transactions.Count);
        foreach (var transaction in Transactions)
        {
            transaction.WriteTo(writer);
        }
        if (HasMwebSection)
        {
            if (Mweb is null)
            {
                writer.WriteByte(0);
            }
            else
            {
                writer.WriteByte(1);
                writer.WriteBytes(Mweb.Bytes.Span);
            }
        }
    }

    /// <inheritdoc />
    public override string ToString() => Hash.ToString();
}
