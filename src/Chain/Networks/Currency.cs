namespace Coinshard.Chain.Networks;

/// <summary>The currencies Coinshard indexes.</summary>
public enum Currency
{
    /// <summary>Bitcoin (BTC).</summary>
    Bitcoin,

    /// <summary>Litecoin (LTC).</summary>
    Litecoin,
}

/// <summary>How a network's block headers prove work.</summary>
public enum PowAlgorithm
{
    /// <summary>SHA-256d of the 80-byte header (Bitcoin).</summary>
    Sha256d,

    /// <summary>scrypt(N=1024, r=1, p=1) of the 80-byte header (Litecoin).</summary>
    Scrypt,
}
