using System.Buffers.Binary;

using Coinshard.Chain.Networks;

namespace Coinshard.Chain.Snapshots;

/// <summary>
/// Reads the header from the first buffered window of the file, and decides the older format's header length
/// by probing the first coins (see <see cref="LegacyHeaderLayout.Detect"/>).
/// </summary>
internal static class SnapshotHeaderParser
{
    /// <summary>Core's <c>SNAPSHOT_MAGIC_BYTES</c>.</summary>
    public static ReadOnlySpan<byte> Magic => [0x75, 0x74, 0x78, 0x6F, 0xFF];

    public const ushort SupportedVersion = 2;
    public const int Version2Length = 51;
    public const int LegacyWithChainTxLength = 44;
    public const int LegacyLength = 40;

    /// <summary>Coins parsed per candidate when probing an older header: enough that a misaligned reading, whose txids are noise, fails the order check.</summary>
    public const int ProbeCoins = 64;

    /// <param name="window">The file's first bytes.</param>
    /// <param name="wholeFile">True when <paramref name="window"/> is the entire file.</param>
    /// <param name="options">The reader's options.</param>
    public static UtxoSnapshotHeader Parse(ReadOnlySpan<byte> window, bool wholeFile, UtxoSnapshotReaderOptions options)
    {
        var hasMagic = window.Length >= 5 && window[..5].SequenceEqual(Magic);
        // "utxo" and then not 0xFF is a damaged magic rather than an older file whose hash starts with "utxo" (2^-32).
        var looksVersion2 = window.Length >= 4 && window[..4].SequenceEqual(Magic[..4]);
        var format = options.Format ?? (looksVersion2 ? UtxoSnapshotFormat.Version2 : UtxoSnapshotFormat.Legacy);
        if (format == UtxoSnapshotFormat.Version2)
        {
            return ParseVersion2(window, hasMagic, options.Network);
        }
        if (hasMagic)
        {
            throw new SnapshotFormatException(SnapshotError.BadMagic,
                "the file starts with the version-2 magic (Bitcoin Core 28+), but the older format was required", 0);
        }
        return ParseLegacy(window, wholeFile, options);
    }

    private static UtxoSnapshotHeader ParseVersion2(ReadOnlySpan<byte> window, bool hasMagic, Network expected)
    {
        var c = new SnapshotCursor(window, 0);
        var magic = c.ReadBytes(5, "the magic bytes");
        if (!hasMagic)
        {
            var at = 0;
            while (magic[at] == Magic[at])
            {
                at++;
            }
            throw new SnapshotFormatException(SnapshotError.BadMagic,
                $"bad snapshot magic {Convert.ToHexString(magic)} (expected 7574786FFF, \"utxo\" 0xFF)", at);
        }
        var version = c.ReadUInt16("the version");
        if (version != SupportedVersion)
        {
            throw new SnapshotFormatException(SnapshotError.UnsupportedVersion, $"snapshot version {version} is not supported (only {SupportedVersion})", 5);
        }
        var networkMagic = BinaryPrimitives.ReadUInt32BigEndian(c.ReadBytes(4, "the network magic"));
        var network = NetworkOf(networkMagic, expected);
        if (networkMagic != expected.Magic)
        {
            throw new SnapshotFormatException(SnapshotError.WrongNetwork, network is null
                ? $"the snapshot is for an unrecognized network (magic {networkMagic:X8}), not {expected.Name} ({expected.Magic:X8})"
                : $"the snapshot is for {network.Name} (magic {networkMagic:X8}), not {expected.Name} ({expected.Magic:X8})", 7);
        }
        var hash = c.ReadHash("the base block hash");
        var count = c.ReadUInt64("the coin count");
        return new UtxoSnapshotHeader
        {
            Format = UtxoSnapshotFormat.Version2,
            Version = version,
            Network = network,
            NetworkMagic = networkMagic,
            BaseBlockHash = hash,
            CoinCount = count,
            Length = Version2Length,
        };
    }

    // Regtest magics are shared (Bitcoin's and Litecoin's are both FABFB5DA): prefer the expected network.
    private static Network? NetworkOf(uint magic, Network expected) =>
        expected.Magic == magic ? expected : Network.All.FirstOrDefault(n => n.Magic == magic);

    private static UtxoSnapshotHeader ParseLegacy(ReadOnlySpan<byte> window, bool wholeFile, UtxoSnapshotReaderOptions options)
    {
        var c = new SnapshotCursor(window, 0);
        var hash = c.ReadHash("the base block hash");
        var count = c.ReadUInt64("the coin count");
        var detected = options.LegacyHeader == LegacyHeaderLayout.Detect;
        var withChainTx = options.LegacyHeader switch
        {
            LegacyHeaderLayout.WithChainTx => true,
            LegacyHeaderLayout.WithoutChainTx => false,
            _ => DetectChainTx(window, wholeFile, count, options),
        };
        uint? chainTx = withChainTx ? c.ReadUInt32("nChainTx") : null;
        return new UtxoSnapshotHeader
        {
            Format = UtxoSnapshotFormat.Legacy,
            Version = 0,
            BaseBlockHash = hash,
            CoinCount = count,
            Length = withChainTx ? LegacyWithChainTxLength : LegacyLength,
            ChainTxCount = chainTx,
            LayoutDetected = detected,
        };
    }

    /// <summary>
    /// The older header is 40 bytes, or 44 with nChainTx, and nothing in it says which. Both readings are tried
    /// on the first <see cref="ProbeCoins"/> coins: the wrong one is misaligned by 4 bytes, so its txids are
    /// noise (out of chainstate order, on average, every second coin) and its script sizes are random (over
    /// Core's 10,000-byte limit, which no dumped coin reaches); for a short file, only the right one also ends
    /// exactly at the end of the file. The one that parses cleanly wins.
    /// </summary>
    private static bool DetectChainTx(ReadOnlySpan<byte> window, bool wholeFile, ulong count, UtxoSnapshotReaderOptions options)
    {
        var with = Probe(window, wholeFile, LegacyWithChainTxLength, count, options);
        var without = Probe(window, wholeFile, LegacyLength, count, options);
        var litecoin = options.Network.Currency == Currency.Litecoin;
        if (with.Error is null && without.Error is null)
        {
            if (litecoin)
            {
                return true; // every Litecoin release with dumptxoutset (0.21.x) writes nChainTx
            }
            throw new SnapshotFormatException(SnapshotError.AmbiguousHeader,
                "the older-format header could be 40 bytes (Bitcoin Core 22-27) or 44 bytes (Core 0.20/0.21): both give valid coins; set LegacyHeader",
                LegacyLength);
        }
        if (with.Error is null || without.Error is null)
        {
            return with.Error is null;
        }
        // Neither fits: report the reading that got further (ties: the likelier one for the currency).
        var useWith = with.Coins > without.Coins || (with.Coins == without.Coins && litecoin);
        var error = (useWith ? with.Error : without.Error)!;
        var length = useWith ? LegacyWithChainTxLength : LegacyLength;
        throw new SnapshotFormatException(error.Error,
            $"{error.Detail} (reading the older format with a {length}-byte header, which got further than the other length)",
            error.Offset ?? length, error);
    }

    private readonly record struct ProbeResult(int Coins, SnapshotFormatException? Error);

    private static ProbeResult Probe(ReadOnlySpan<byte> window, bool wholeFile, int headerLength, ulong count, UtxoSnapshotReaderOptions options)
    {
        if (window.Length < headerLength)
        {
            return new(0, new SnapshotFormatException(SnapshotError.Truncated, $"the file ends inside a {headerLength}-byte header", window.Length));
        }
        var parser = new CoinRecordParser(options.Network.Currency, options.BaseHeight, verifyOrder: true);
        var c = new SnapshotCursor(window[headerLength..], headerLength);
        var record = default(CoinRecord);
        Span<byte> scratch = stackalloc byte[ScriptCompression.MaxTemplateScriptSize];
        var coins = 0;
        try
        {
            while ((ulong)coins < count && coins < ProbeCoins)
            {
                if (c.Remaining == 0)
                {
                    return wholeFile ? new(coins, UtxoSnapshotReader.MissingCoins(count, (ulong)coins, c.Offset)) : new(coins, null);
                }
                parser.ReadLegacy(ref c, ref record);
                if (record.OversizedLength > 0)
                {
                    return new(coins, new SnapshotFormatException(SnapshotError.AmbiguousHeader,
                        $"coin {record.TxId}:{record.Index} would have a {record.OversizedLength}-byte script, which Core never dumps; set LegacyHeader if the file is right",
                        record.ScriptOffset));
                }
                if (record.ScriptSize < ScriptCompression.SpecialScriptCount
                    && !ScriptCompression.TryDecompressTemplate(record.ScriptSize, c.Slice(record.PayloadStart, record.PayloadLength), scratch, out _))
                {
                    return new(coins, UtxoSnapshotReader.InvalidPoint(record.TxId, record.Index, record.ScriptOffset));
                }
                coins++;
            }
            if ((ulong)coins == count && (c.Remaining > 0 || !wholeFile))
            {
                return new(coins, UtxoSnapshotReader.TrailingData(count, c.Offset));
            }
            return new(coins, null);
        }
        catch (SnapshotFormatException e) when (e.Error == SnapshotError.Truncated && !wholeFile && coins > 0)
        {
            return new(coins, null); // the window ends inside a coin, not the file
        }
        catch (SnapshotFormatException e)
        {
            return new(coins, e);
        }
    }
}
