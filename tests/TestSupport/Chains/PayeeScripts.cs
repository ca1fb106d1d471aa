using Coinshard.Chain.Hashing;
using Coinshard.Chain.Scripts;

using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Math.EC;

using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace Coinshard.TestSupport.Chains;

/// <summary>The output types the builder pays.</summary>
internal enum PayeeType
{
    P2wpkh,
    P2pkh,
    P2sh,
    P2tr,
    P2wsh,
}

/// <summary>
/// Real secp256k1 public keys from a seed: key i is (k0 + i)·G, so each is one point addition from the last,
/// and a batch shares one field inversion (BouncyCastle's NormalizeAll). About 10 µs a key, against about
/// 1 ms for a scalar multiplication. (Their private keys are k0 + i, so they are even spendable in principle.)
/// </summary>
internal sealed class KeyStream
{
    private const int Batch = 1024;

    private static readonly X9ECParameters s_curve = SecNamedCurves.GetByName("secp256k1");

    private readonly ECPoint[] _points = new ECPoint[Batch];
    private readonly Queue<byte[]> _ready = new(Batch);
    private ECPoint _last;

    public KeyStream(Random random)
    {
        var k0 = new byte[32];
        random.NextBytes(k0);
        k0[0] &= 0x7F; // below the group order
        _last = s_curve.G.Multiply(new BigInteger(1, k0)).Normalize();
    }

    /// <summary>The next compressed (33-byte) public key.</summary>
    public byte[] Next()
    {
        if (_ready.Count == 0)
        {
            for (var i = 0; i < Batch; i++)
            {
                _last = _last.Add(s_curve.G);
                _points[i] = _last;
            }
            s_curve.Curve.NormalizeAll(_points);
            _last = _points[^1];
            foreach (var point in _points)
            {
                _ready.Enqueue(point.GetEncoded(true));
            }
        }
        return _ready.Dequeue();
    }
}

/// <summary>
/// Output scripts of payees the builder never spends from: P2PKH, P2WPKH and P2TR of real keys. A share of
/// payments reuses one of the first <c>reusedAddresses</c> scripts, picked Zipf-like, so a few script hashes
/// collect thousands of coins and others a handful, as on mainnet.
/// </summary>
internal sealed class PayeeScripts(Random random, double reuseShare, int reusedAddresses)
{
    private readonly KeyStream _keys = new(random);
    private readonly List<byte[]> _reusable = [];

    /// <summary>Scripts created so far (each unique).</summary>
    public long Distinct { get; private set; }

    /// <summary>A script of <paramref name="type"/> (P2PKH, P2WPKH or P2TR), new or reused.</summary>
    public byte[] Next(PayeeType type)
    {
        if (_reusable.Count > 0 && random.NextDouble() < reuseShare)
        {
            var reused = _reusable[Zipf.Pick(random, _reusable.Count)];
            // Reuse keeps the address's own type: a reused address is one payee.
            return reused;
        }
        var key = _keys.Next();
        byte[] script = type switch
        {
            PayeeType.P2pkh => ScriptTemplates.P2PKH(Hashes.Hash160(key)),
            PayeeType.P2wpkh => ScriptTemplates.WitnessProgram(0, Hashes.Hash160(key)),
            // The key itself as output key: a valid x-only point (not BIP86-tweaked, which nobody can tell).
            PayeeType.P2tr => ScriptTemplates.WitnessProgram(1, key.AsSpan(1)),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "P2SH and P2WSH payments are spendable coins"),
        };
        Distinct++;
        if (_reusable.Count < reusedAddresses)
        {
            _reusable.Add(script);
        }
        return script;
    }
}

/// <summary>A Zipf-like pick: index i with probability ∝ log((i + 2) / (i + 1)); the first of 2,000 gets about 9%.</summary>
internal static class Zipf
{
    public static int Pick(Random random, int count) =>
        Math.Clamp((int)Math.Floor(Math.Pow(count + 1, random.NextDouble())) - 1, 0, count - 1);
}
