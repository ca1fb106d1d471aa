using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;

namespace Coinshard.Chain.Hashing;

/// <summary>
/// SipHash-2-4 with a fixed 128-bit key (BouncyCastle's implementation). BIP158 keys it with the
/// first 16 bytes of the block hash. One instance is not thread-safe; create one per key and thread.
/// </summary>
public sealed class SipHasher
{
    private readonly SipHash _mac = new(2, 4);
    private byte[] _scratch = new byte[64];

    /// <summary>Creates a hasher for a 16-byte key (k0 little-endian from bytes 0..7, k1 from 8..15).</summary>
    public SipHasher(ReadOnlySpan<byte> key16)
    {
        if (key16.Length != 16)
        {
            throw new ArgumentException($"SipHash needs a 16-byte key, got {key16.Length}", nameof(key16));
        }
        _mac.Init(new KeyParameter(key16.ToArray()));
    }

    /// <summary>Hashes <paramref name="data"/> with this key. The key state is restored afterwards.</summary>
    public ulong Hash(ReadOnlySpan<byte> data)
    {
        // BouncyCastle 1.8 takes arrays only; reuse one scratch buffer.
        if (_scratch.Length < data.Length)
        {
            _scratch = new byte[Math.Max(data.Length, _scratch.Length * 2)];
        }
        data.CopyTo(_scratch);
        _mac.BlockUpdate(_scratch, 0, data.Length);
        return unchecked((ulong)_mac.DoFinal());
    }
}
