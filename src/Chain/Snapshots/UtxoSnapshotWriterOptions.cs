using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;

namespace Coinshard.Chain.Snapshots;

/// <summary>The header of a file a <see cref="UtxoSnapshotWriter"/> writes.</summary>
public sealed record UtxoSnapshotWriterOptions
{
    /// <summary>The network: its magic goes into version-2 headers, its currency decides MAX_MONEY and peg-outs.</summary>
    public required Network Network { get; init; }

    /// <summary>The block whose UTXO set the file holds.</summary>
    public required Hash256 BaseBlockHash { get; init; }

    /// <summary>How many coins will be written (the header carries it; <see cref="UtxoSnapshotWriter.Complete"/> checks it).</summary>
    public required ulong CoinCount { get; init; }

    /// <summary>The layout; version 2 (Core 28+) by default.</summary>
    public UtxoSnapshotFormat Format { get; init; } = UtxoSnapshotFormat.Version2;

    /// <summary>Older format only: when set, the 44-byte header with this nChainTx (Core 0.20/0.21, Litecoin 0.21); else 40 bytes.</summary>
    public uint? ChainTxCount { get; init; }

    /// <summary>Bytes buffered before each write to the stream.</summary>
    public int BufferSize { get; init; } = 1 << 20;

    /// <summary>Leave the stream open when the writer is disposed.</summary>
    public bool LeaveOpen { get; init; }
}
