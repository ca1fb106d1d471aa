using Coinshard.Chain.Serialization;
using Coinshard.Chain.Transactions;

namespace Coinshard.Chain.Blocks;

/// <summary>
/// Block-level structure shared by <see cref="Block"/> and <see cref="BlockScanner"/>: the
/// transaction count and Litecoin's MWEB extension block after the HogEx (Core's
/// <c>CBlock::SerializationOps</c>).
/// </summary>
internal static class BlockFormat
{
    /// <summary>Reads the number of transactions that follow the header.</summary>
    public static int ReadTransactionCount(scoped ref SpanReader reader) =>
        TransactionFormat.ReadCount(ref reader, "block transaction", TransactionFormat.MinTransactionSize);

    /// <summary>
    /// True when an MWEB block (OptionalPtr&lt;mw::Block&gt;) follows the transactions: Litecoin,
    /// at least two transactions, and the last one is the HogEx.
    /// </summary>
    public static bool HasMwebSection(bool allowMweb, int transactionCount, in TransactionLayout last) =>
        allowMweb && transactionCount >= 2 && last.IsHogEx;

    /// <summary>Reads the OptionalPtr presence byte of the MWEB block; true when an mw::Block follows.</summary>
    public static bool ReadMwebPresence(scoped ref SpanReader reader)
    {
        var offset = reader.Offset;
        return reader.ReadByte() switch
        {
            0 => false,
            1 => true,
            // Core reads any value but 1 as "absent" and would write it back as 0.
            var other => throw new NonCanonicalEncodingException($"MWEB block presence byte must be 0 or 1, got {other}", offset),
        };
    }
}
