using Coinshard.Chain.Hashing;

namespace Coinshard.Storage;

/// <summary>
/// The 8-byte key under which coins and history rows are indexed by script: the first 8 bytes of the
/// Electrum scripthash (<see cref="Hash256.Low64"/>), stored as a signed BIGINT.
/// </summary>
/// <remarks>
/// Why 8 bytes is enough: the scripthash is SHA-256 of the script, so its first 64 bits are uniform.
/// Making a script collide with one chosen victim's key is a second-preimage search of 2^64 work.
/// Keys serve as an index only: every row also carries its full txid, so a collision can add
/// another script's coins to a key's listing but can never corrupt, move or hide coins.
/// Limits worth knowing (see the store README): among n indexed scripts an attacker who accepts
/// <em>any</em> victim needs only about 2^64/n work, and accidental birthday collisions between two
/// random scripts somewhere in a 10^9-script set are a few percent likely. A deployment that must rule
/// both out can switch this one function to a keyed hash (SipHash with a per-database secret); the
/// function in use is recorded in the state table so that a change is detected, not silently mixed.
/// </remarks>
public static class ScripthashKeys
{
    /// <summary>Name of the key function, recorded in each currency's state table.</summary>
    public const string Scheme = "low64";

    /// <summary>The index key of an Electrum scripthash.</summary>
    public static ulong Of(Hash256 scripthash) => scripthash.Low64;

    internal static long ToColumn(ulong key) => unchecked((long)key);

    internal static ulong FromColumn(long column) => unchecked((ulong)column);
}
