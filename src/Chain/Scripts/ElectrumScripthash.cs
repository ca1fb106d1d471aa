using Coinshard.Chain.Hashing;

namespace Coinshard.Chain.Scripts;

/// <summary>
/// The Electrum protocol's script hash: SHA-256 of the output script. As a <see cref="Hash256"/>
/// its text form is the reversed digest, which is exactly what Electrum clients send.
/// </summary>
public static class ElectrumScripthash
{
    /// <summary>Computes the script hash of <paramref name="script"/>.</summary>
    public static Hash256 Compute(ReadOnlySpan<byte> script)
    {
        Span<byte> digest = stackalloc byte[32];
        Hashes.Sha256(script, digest);
        return new Hash256(digest);
    }
}
