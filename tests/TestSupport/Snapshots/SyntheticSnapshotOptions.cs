using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Snapshots;

namespace Coinshard.TestSupport.Snapshots;

/// <summary>What <see cref="SyntheticSnapshot"/> generates; the same options always give the same bytes.</summary>
public sealed record SyntheticSnapshotOptions
{
    /// <summary>Seeds every random choice.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>How many coins.</summary>
    public ulong CoinCount { get; init; } = 10_000;

    /// <summary>The network (its magic in version-2 headers; Litecoin adds HogEx groups with peg-outs).</summary>
    public Network Network { get; init; } = Network.BitcoinMainnet;

    /// <summary>The file layout.</summary>
    public UtxoSnapshotFormat Format { get; init; } = UtxoSnapshotFormat.Version2;

    /// <summary>Older format only: write the 44-byte header with nChainTx (Core 0.20/0.21, Litecoin 0.21) instead of 40 bytes.</summary>
    public bool LegacyChainTx { get; init; }

    /// <summary>The base block's height: every coin is at or below it, most of them recent.</summary>
    public int BaseHeight { get; init; } = 850_000;

    /// <summary>The base block's hash (null: a random one); set it to a real block to load the file against a node's chain.</summary>
    public Hash256? BaseBlockHash { get; init; }
}

/// <summary>The kinds of output script the generator makes.</summary>
public enum SyntheticScriptKind
{
    /// <summary>Native segwit v0 key hash.</summary>
    P2wpkh,

    /// <summary>Legacy key hash (compressed template 0).</summary>
    P2pkh,

    /// <summary>Script hash (template 1).</summary>
    P2sh,

    /// <summary>Taproot.</summary>
    P2tr,

    /// <summary>Segwit v0 script hash.</summary>
    P2wsh,

    /// <summary>Pay to a compressed key (templates 2/3).</summary>
    P2pkCompressed,

    /// <summary>Pay to an uncompressed key, a real curve point (templates 4/5).</summary>
    P2pkUncompressed,

    /// <summary>Bare 1-of-2 or 1-of-3 multisig.</summary>
    BareMultisig,

    /// <summary>Raw nonstandard bytes (never starting with OP_RETURN).</summary>
    Nonstandard,

    /// <summary>Litecoin's HogEx output 0 (witness v8).</summary>
    HogAddr,
}

/// <summary>What <see cref="SyntheticSnapshot.Write"/> wrote.</summary>
public sealed record SyntheticSnapshotSummary(
    ulong CoinCount,
    long TotalAmount,
    long FileBytes,
    Chain.Hashing.Hash256 BaseBlockHash,
    uint? ChainTxCount,
    IReadOnlyDictionary<SyntheticScriptKind, long> Kinds,
    long Coinbases,
    long PegOuts);
