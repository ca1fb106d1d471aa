using Coinshard.Chain.Networks;

namespace Coinshard.Chain;

/// <summary>
/// Text that decodes cleanly (Base58Check or Bech32 checksum fine) but is not an address:
/// unknown version byte or HRP, wrong payload size, bad witness version or program.
/// </summary>
public sealed class InvalidAddressException(string message)
    : ChainFormatException(message);

/// <summary>A WIF string that decodes cleanly but is not a private key: unknown prefix, wrong size, bad flag, secret out of range.</summary>
public sealed class InvalidPrivateKeyException(string message)
    : ChainFormatException(message);

/// <summary>
/// A valid address or key for other networks than the one the caller asked for — a payment to it
/// would go to another chain. <see cref="Actual"/> lists every network it is valid on.
/// </summary>
public sealed class WrongNetworkException : ChainFormatException
{
    /// <summary>Creates the exception; <paramref name="what"/> says what was decoded ("address", "private key").</summary>
    public WrongNetworkException(string what, Network expected, IReadOnlyList<Network> actual)
        : base($"{what} is for {Describe(actual)}, not {expected.Name}")
    {
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The network the caller asked for.</summary>
    public Network Expected { get; }

    /// <summary>Every network the value is valid on, best match first.</summary>
    public IReadOnlyList<Network> Actual { get; }

    private static string Describe(IReadOnlyList<Network> networks) => networks.Count switch
    {
        0 => "no supported network",
        1 => networks[0].Name,
        _ => string.Join(", ", networks.Take(networks.Count - 1).Select(n => n.Name)) + " or " + networks[^1].Name,
    };
}

/// <summary>
/// A Litecoin MWEB stealth address (<c>ltcmweb1…</c>, <c>tmweb1…</c>). Payments to it create
/// confidential MWEB outputs with no output script, so Coinshard, which indexes canonical
/// outputs only, cannot watch or pay it.
/// </summary>
public sealed class MwebAddressException : ChainFormatException
{
    /// <summary>Creates the exception for an MWEB address of <paramref name="networks"/>.</summary>
    public MwebAddressException(IReadOnlyList<Network> networks)
        : base($"MWEB stealth address ({string.Join("/", networks.Select(n => n.Name))}) has no output script; Coinshard indexes canonical outputs only")
    {
        Networks = networks;
    }

    /// <summary>The networks whose MWEB HRP the address carries.</summary>
    public IReadOnlyList<Network> Networks { get; }
}
