using Coinshard.Chain.Hashing;

namespace Coinshard.Chain.Networks;

/// <summary>
/// The constants of one chain: message magic, genesis block, default ports, address prefixes,
/// extended-key versions and MWEB presence. Instances live in <see cref="Network"/>'s static
/// properties; compare by reference.
/// </summary>
public sealed class Network
{
    private Network(
        string name,
        Currency currency,
        string coreChainName,
        uint magic,
        string genesisHash,
        int p2pPort,
        int rpcPort,
        byte pubKeyPrefix,
        byte[] scriptPrefixes,
        byte secretKeyPrefix,
        uint[] extPubKeyVersions,
        uint[] extPrivKeyVersions,
        string bech32Hrp,
        string? mwebHrp)
    {
        Name = name;
        Currency = currency;
        CoreChainName = coreChainName;
        Magic = magic;
        GenesisHash = Hash256.Parse(genesisHash);
        DefaultP2PPort = p2pPort;
        DefaultRpcPort = rpcPort;
        PubKeyAddressPrefix = pubKeyPrefix;
        ScriptAddressPrefixes = scriptPrefixes;
        SecretKeyPrefix = secretKeyPrefix;
        ExtPubKeyVersions = extPubKeyVersions;
        ExtPrivKeyVersions = extPrivKeyVersions;
        Bech32Hrp = bech32Hrp;
        MwebHrp = mwebHrp;
    }

    /// <summary>Coinshard's name for the network, e.g. <c>bitcoin-mainnet</c>, <c>litecoin-regtest</c>.</summary>
    public string Name { get; }

    /// <summary>The currency.</summary>
    public Currency Currency { get; }

    /// <summary>The <c>chain</c> value the node reports in <c>getblockchaininfo</c> (main, test, testnet4, signet, regtest).</summary>
    public string CoreChainName { get; }

    /// <summary>P2P message start bytes as a big-endian number (the bytes in wire order: F9 BE B4 D9 = 0xF9BEB4D9).</summary>
    public uint Magic { get; }

    /// <summary>Message start bytes in wire order.</summary>
    public byte[] MagicBytes => [(byte)(Magic >> 24), (byte)(Magic >> 16), (byte)(Magic >> 8), (byte)Magic];

    /// <summary>Hash of the genesis block.</summary>
    public Hash256 GenesisHash { get; }

    /// <summary>Default P2P port.</summary>
    public int DefaultP2PPort { get; }

    /// <summary>Default JSON-RPC port.</summary>
    public int DefaultRpcPort { get; }

    /// <summary>Base58Check version byte of P2PKH addresses.</summary>
    public byte PubKeyAddressPrefix { get; }

    /// <summary>
    /// Base58Check version bytes of P2SH addresses; the first is used when encoding. Litecoin
    /// encodes with its own prefix (M…, Q…) and still accepts the older Bitcoin-style one (3…, 2…).
    /// </summary>
    public IReadOnlyList<byte> ScriptAddressPrefixes { get; }

    /// <summary>Base58Check version byte of WIF private keys.</summary>
    public byte SecretKeyPrefix { get; }

    /// <summary>BIP32 public version bytes; the first is used when encoding (xpub/tpub; Litecoin also accepts Ltub/ttub).</summary>
    public IReadOnlyList<uint> ExtPubKeyVersions { get; }

    /// <summary>BIP32 private version bytes; the first is used when encoding (xprv/tprv; Litecoin also accepts Ltpv/ttpv).</summary>
    public IReadOnlyList<uint> ExtPrivKeyVersions { get; }

    /// <summary>Human-readable part of segwit addresses (bc, tb, bcrt, ltc, tltc, rltc).</summary>
    public string Bech32Hrp { get; }

    /// <summary>Human-readable part of MWEB stealth addresses, or null when the chain has no MWEB.</summary>
    public string? MwebHrp { get; }

    /// <summary>True when blocks may carry a MimbleWimble extension block (Litecoin).</summary>
    public bool HasMweb => MwebHrp is not null;

    /// <summary>How block headers prove work.</summary>
    public PowAlgorithm PowAlgorithm => Currency == Currency.Litecoin ? PowAlgorithm.Scrypt : PowAlgorithm.Sha256d;

    /// <inheritdoc />
    public override string ToString() => Name;

    private const uint Xpub = 0x0488B21E, Xprv = 0x0488ADE4, Tpub = 0x043587CF, Tprv = 0x04358394;

    /// <summary>Bitcoin mainnet.</summary>
    public static Network BitcoinMainnet { get; } = new(
        "bitcoin-mainnet", Currency.Bitcoin, "main", 0xF9BEB4D9,
        "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f",
        8333, 8332, 0, [5], 128, [Xpub], [Xprv], "bc", null);

    /// <summary>Bitcoin testnet3.</summary>
    public static Network BitcoinTestnet3 { get; } = new(
        "bitcoin-testnet3", Currency.Bitcoin, "test", 0x0B110907,
        "000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943",
        18333, 18332, 111, [196], 239, [Tpub], [Tprv], "tb", null);

    /// <summary>Bitcoin testnet4 (BIP94).</summary>
    public static Network BitcoinTestnet4 { get; } = new(
        "bitcoin-testnet4", Currency.Bitcoin, "testnet4", 0x1C163F28,
        "00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043",
        48333, 48332, 111, [196], 239, [Tpub], [Tprv], "tb", null);

    /// <summary>Bitcoin's default signet.</summary>
    public static Network BitcoinSignet { get; } = new(
        "bitcoin-signet", Currency.Bitcoin, "signet", 0x0A03CF40,
        "00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6",
        38333, 38332, 111, [196], 239, [Tpub], [Tprv], "tb", null);

    /// <summary>Bitcoin regtest.</summary>
    public static Network BitcoinRegtest { get; } = new(
        "bitcoin-regtest", Currency.Bitcoin, "regtest", 0xFABFB5DA,
        "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206",
        18444, 18443, 111, [196], 239, [Tpub], [Tprv], "bcrt", null);

    /// <summary>Litecoin mainnet.</summary>
    public static Network LitecoinMainnet { get; } = new(
        "litecoin-mainnet", Currency.Litecoin, "main", 0xFBC0B6DB,
        "12a765e31ffd4059bada1e25190f6e98c99d9714d334efa41a195a7e7e04bfe2",
        9333, 9332, 48, [50, 5], 176, [Xpub, 0x019DA462], [Xprv, 0x019D9CFE], "ltc", "ltcmweb");

    /// <summary>Litecoin testnet (v4).</summary>
    public static Network LitecoinTestnet { get; } = new(
        "litecoin-testnet", Currency.Litecoin, "test", 0xFDD2C8F1,
        "4966625a4b2851d9fdee139e56211a0d88575f59ed816ff5e6a63deb4e3e29a0",
        19335, 19332, 111, [58, 196], 239, [Tpub, 0x0436F6E1], [Tprv, 0x0436EF7D], "tltc", "tmweb");

    /// <summary>Litecoin regtest.</summary>
    public static Network LitecoinRegtest { get; } = new(
        "litecoin-regtest", Currency.Litecoin, "regtest", 0xFABFB5DA,
        "530827f38f93b43ed12af0b3ad25a288dc02ed74d6d7857862df51fc56c416f9",
        19444, 19443, 111, [58, 196], 239, [Tpub, 0x0436F6E1], [Tprv, 0x0436EF7D], "rltc", "tmweb");

    /// <summary>
    /// Every supported network, in the order used to guess a network from an address: mainnets
    /// first, then Bitcoin test networks, then Litecoin test networks.
    /// </summary>
    public static IReadOnlyList<Network> All { get; } =
    [
        BitcoinMainnet, LitecoinMainnet, BitcoinTestnet3, BitcoinTestnet4, BitcoinSignet, BitcoinRegtest,
        LitecoinTestnet, LitecoinRegtest,
    ];

    /// <summary>
    /// Finds a network by name. Accepts Coinshard's names (<c>bitcoin-mainnet</c>), the short
    /// currency codes (<c>btc</c>, <c>ltc-regtest</c>) and Core's chain names after the currency
    /// (<c>bitcoin-main</c>, <c>litecoin-test</c>). A bare chain name means Bitcoin.
    /// </summary>
    /// <exception cref="ArgumentException">The name is unknown; the message lists valid names.</exception>
    public static Network Parse(string name)
    {
        if (TryParse(name, out var network))
        {
            return network;
        }
        throw new ArgumentException(
            $"unknown network '{name}'; expected one of {string.Join(", ", All.Select(n => n.Name))}", nameof(name));
    }

    /// <summary>Finds a network by name; see <see cref="Parse"/>.</summary>
    public static bool TryParse(string? name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Network? network)
    {
        network = null;
        if (string.IsNullOrWhiteSpace(name))
        {
            return false;
        }
        var lower = name.Trim().ToLowerInvariant();
        var dash = lower.IndexOf('-', StringComparison.Ordinal);
        var currencyPart = dash < 0 ? lower : lower[..dash];
        var chainPart = dash < 0 ? "" : lower[(dash + 1)..];
        Currency currency;
        switch (currencyPart)
        {
            case "bitcoin" or "btc":
                currency = Currency.Bitcoin;
                break;
            case "litecoin" or "ltc":
                currency = Currency.Litecoin;
                break;
            default:
                // A bare chain name ("regtest", "mainnet") means Bitcoin, as in Bitcoin Core.
                currency = Currency.Bitcoin;
                chainPart = lower;
                break;
        }
        var chain = chainPart switch
        {
            "" or "main" or "mainnet" => "main",
            "test" or "testnet" => "test",
            "testnet3" when currency == Currency.Bitcoin => "test",
            "testnet4" => "testnet4",
            "signet" => "signet",
            "regtest" => "regtest",
            _ => null,
        };
        network = All.FirstOrDefault(n => n.Currency == currency && n.CoreChainName == chain);
        return network is not null;
    }

    /// <summary>The network of <paramref name="currency"/> whose node reports <paramref name="coreChainName"/> in <c>getblockchaininfo</c>.</summary>
    public static Network? FromCoreChainName(Currency currency, string coreChainName) =>
        All.FirstOrDefault(n => n.Currency == currency && n.CoreChainName == coreChainName);
}
