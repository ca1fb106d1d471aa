using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;

namespace Coinshard.Chain.Snapshots;

/// <summary>What a <c>dumptxoutset</c> file says about itself before its first coin.</summary>
public sealed record UtxoSnapshotHeader
{
    /// <summary>The layout.</summary>
    public required UtxoSnapshotFormat Format { get; init; }

    /// <summary>The file version (2) for <see cref="UtxoSnapshotFormat.Version2"/>; 0 for the older format, which has none.</summary>
    public required ushort Version { get; init; }

    /// <summary>The network the file names (version 2 only; the older format does not say).</summary>
    public Network? Network { get; init; }

    /// <summary>The network magic as written (version 2 only), big-endian like <see cref="Networks.Network.Magic"/>.</summary>
    public uint? NetworkMagic { get; init; }

    /// <summary>The block whose UTXO set the file holds.</summary>
    public required Hash256 BaseBlockHash { get; init; }

    /// <summary>How many coins the file says it holds.</summary>
    public required ulong CoinCount { get; init; }

    /// <summary>Header size in bytes: 51 (version 2), 44 or 40 (older format); the first coin starts here.</summary>
    public required int Length { get; init; }

    /// <summary>The base block's nChainTx, present in 44-byte older headers only.</summary>
    public uint? ChainTxCount { get; init; }

    /// <summary>True when the older header's length was decided from the file rather than from the options.</summary>
    public bool LayoutDetected { get; init; }
}
