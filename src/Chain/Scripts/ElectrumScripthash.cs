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

    /// <summary>
    /// Computes the script hashes of many scripts packed end to end (script <c>i</c> ends at <c>ends[i]</c>)
    /// into <paramref name="results"/>; several times faster per script than <see cref="Compute"/> (see <see cref="Sha256Batch"/>).
    /// </summary>
    /// <param name="scripts">The scripts, end to end.</param>
    /// <param name="ends">Where each script ends in <paramref name="scripts"/>.</param>
    /// <param name="digests">Scratch of at least 32 bytes per script.</param>
    /// <param name="results">One script hash per script.</param>
    /// <exception cref="ArgumentException">The ends do not fit the scripts, or a span is too short.</exception>
    public static void ComputeBatch(ReadOnlySpan<byte> scripts, ReadOnlySpan<int> ends, Span<byte> digests, Span<Hash256> results)
    {
        if (results.Length < ends.Length)
        {
            throw new ArgumentException($"{ends.Length} scripts need {ends.Length} results, not {results.Length}", nameof(results));
        }
        Sha256Batch.Compute(scripts, ends, digests);
        for (var i = 0; i < ends.Length; i++)
        {
            results[i] = new Hash256(digests.Slice(i * 32, 32));
        }
    }
}
