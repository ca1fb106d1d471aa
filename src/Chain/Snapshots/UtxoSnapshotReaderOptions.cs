using Coinshard.Chain.Networks;

namespace Coinshard.Chain.Snapshots;

/// <summary>What a <see cref="UtxoSnapshotReader"/> expects and checks.</summary>
public sealed record UtxoSnapshotReaderOptions
{
    /// <summary>Default read buffer: 1 MiB.</summary>
    public const int DefaultBufferSize = 1 << 20;

    /// <summary>Smallest read buffer: room for the largest coin record and the older-format header probe.</summary>
    public const int MinimumBufferSize = 64 << 10;

    /// <summary>
    /// The network the file must belong to. Checked against the version-2 header's magic; for both formats its
    /// currency decides MAX_MONEY and whether bit 31 of a coin's code is Litecoin's peg-out flag.
    /// </summary>
    public required Network Network { get; init; }

    /// <summary>The base block's height, when known: coins above it are rejected, as Core's loader does.</summary>
    public int? BaseHeight { get; init; }

    /// <summary>The required format, or null to tell by the magic bytes (see <see cref="UtxoSnapshotReader"/>).</summary>
    public UtxoSnapshotFormat? Format { get; init; }

    /// <summary>How long an older-format header is; <see cref="LegacyHeaderLayout.Detect"/> decides from the file.</summary>
    public LegacyHeaderLayout LegacyHeader { get; init; } = LegacyHeaderLayout.Detect;

    /// <summary>
    /// Reject coins that are not in strictly increasing chainstate order (<see cref="ChainstateOrder"/>). Every
    /// Core dump is ordered, and this is what guarantees a loader never sees the same outpoint twice.
    /// </summary>
    public bool VerifyOrder { get; init; } = true;

    /// <summary>Read buffer size in bytes (at least <see cref="MinimumBufferSize"/>); memory use is bounded by it.</summary>
    public int BufferSize { get; init; } = DefaultBufferSize;

    /// <summary>Leave the stream open when the reader is disposed.</summary>
    public bool LeaveOpen { get; init; }
}
