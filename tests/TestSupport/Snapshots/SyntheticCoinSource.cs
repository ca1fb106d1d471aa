using System.Buffers.Binary;

using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Snapshots;
using Coinshard.Chain.Transactions;

using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Math;

namespace Coinshard.TestSupport.Snapshots;

/// <summary>
/// The deterministic coin sequence behind <see cref="SyntheticSnapshot"/>, in chainstate order. A second source
/// with the same options replays the same coins, which is how round-trip tests check a reader without keeping
/// millions of coins in memory. Nothing is allocated per coin; <see cref="Script"/> is valid until the next call.
/// </summary>
/// <remarks>
/// The mix imitates Bitcoin mainnet's UTXO set in 2024: mostly P2WPKH and P2PKH, then P2SH, P2TR and P2WSH, a
/// few P2PK (uncompressed keys are real curve points, both y parities, from a small pool), bare multisig and
/// raw nonstandard scripts, no OP_RETURN (unspendable outputs never enter the UTXO set). Coins come in txid
/// groups of 1 to a few outputs (rarely thousands, with output indexes past 16,511 where chainstate order stops
/// being numeric), one height per group, recent heights likelier, amounts spread from dust to thousands of coins.
/// </remarks>
public sealed class SyntheticCoinSource
{
    private const int MaxGroup = 4000;
    private static readonly (byte[][] Compressed, byte[][] Uncompressed) KeyPool = MakeKeyPool();

    private readonly SyntheticSnapshotOptions _options;
    private readonly bool _litecoin;
    private readonly long _maxMoney;
    private readonly ulong _stride;
    private readonly byte[] _script = new byte[512];
    private readonly byte[] _txIdBytes = new byte[32];
    private readonly uint[] _indexes = new uint[MaxGroup];
    private readonly ulong[] _keys = new ulong[MaxGroup];
    private SplitMix64 _random;
    private ulong _produced;
    private ulong _groupNumber;
    private int _groupSize;
    private int _groupPosition;
    private bool _groupIsCoinbase;
    private bool _groupIsHogEx;
    private int _groupHeight;
    private int _scriptLength;

    /// <summary>Starts the sequence for <paramref name="options"/>.</summary>
    public SyntheticCoinSource(SyntheticSnapshotOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _litecoin = options.Network.Currency == Currency.Litecoin;
        _maxMoney = MoneyRange.MaxMoney(options.Network.Currency);
        _stride = ulong.MaxValue / (options.CoinCount + 1);
        _random = new SplitMix64((ulong)options.Seed * 0x9E3779B97F4A7C15UL + 12345);
        var randomBase = RandomHash(ref _random); // drawn either way: the coins stay the same whatever the base hash
        BaseBlockHash = options.BaseBlockHash ?? randomBase;
    }

    /// <summary>The base block hash the options imply.</summary>
    public Hash256 BaseBlockHash { get; }

    /// <summary>The current coin's outpoint.</summary>
    public OutPoint OutPoint { get; private set; }

    /// <summary>The current coin's amount.</summary>
    public long Value { get; private set; }

    /// <summary>The current coin's height.</summary>
    public int Height => _groupHeight;

    /// <summary>True when the current coin is a coinbase output.</summary>
    public bool IsCoinbase => _groupIsCoinbase;

    /// <summary>True when the current coin is a Litecoin peg-out (a HogEx output after the first).</summary>
    public bool IsPegOut { get; private set; }

    /// <summary>The current coin's script kind.</summary>
    public SyntheticScriptKind Kind { get; private set; }

    /// <summary>The current coin's script (valid until the next <see cref="MoveNext"/>).</summary>
    public ReadOnlySpan<byte> Script => _script.AsSpan(0, _scriptLength);

    /// <summary>Makes the next coin current; false after <see cref="SyntheticSnapshotOptions.CoinCount"/> coins.</summary>
    public bool MoveNext()
    {
        if (_produced == _options.CoinCount)
        {
            return false;
        }
        if (_groupPosition == _groupSize)
        {
            StartGroup();
        }
        var index = _indexes[_groupPosition++];
        OutPoint = new OutPoint(new Hash256(_txIdBytes), index);
        IsPegOut = _groupIsHogEx && index > 0;
        if (_groupIsHogEx && index == 0)
        {
            Kind = SyntheticScriptKind.HogAddr;
            _scriptLength = Hashed([0x58, 32], 32, []);
        }
        else
        {
            MakeScript();
        }
        Value = _groupIsCoinbase ? CoinbaseValue() : RandomValue();
        _produced++;
        return true;
    }

    private void StartGroup()
    {
        var left = _options.CoinCount - _produced;
        var roll = _random.NextDouble();
        var size = roll switch
        {
            < 0.45 => 1,
            < 0.80 => 2,
            < 0.95 => 3 + (int)_random.Below(3),
            < 0.9995 => 6 + (int)_random.Below(45),
            _ => 100 + (int)_random.Below(MaxGroup - 100),
        };
        _groupSize = (int)Math.Min((ulong)size, left);
        // Increasing txids: the group number scaled to 64 bits, plus noise below the stride.
        BinaryPrimitives.WriteUInt64BigEndian(_txIdBytes, (_groupNumber * _stride) + _random.Below(_stride));
        _random.Fill(_txIdBytes.AsSpan(8));
        _groupNumber++;
        _groupIsCoinbase = _random.NextDouble() < 0.002;
        _groupIsHogEx = _litecoin && !_groupIsCoinbase && _random.NextDouble() < 0.001;
        // Recent heights are likelier (1 - u^3), never the genesis block.
        var u = _random.NextDouble();
        _groupHeight = Math.Max(1, (int)(_options.BaseHeight * (1 - (u * u * u))));
        if (_groupHeight > _options.BaseHeight)
        {
            _groupHeight = _options.BaseHeight;
        }
        // Unspent outputs of the tx: increasing indexes with gaps (spent ones), in chainstate (VARINT byte) order.
        uint index = _groupIsHogEx ? 0 : (uint)(_random.NextDouble() < 0.6 ? 0 : _random.Below(3));
        var spread = size >= 100 ? 6u : 2u;
        for (var i = 0; i < _groupSize; i++)
        {
            _indexes[i] = index;
            _keys[i] = ChainstateOrder.OutputIndexKey(index);
            index += 1 + (uint)_random.Below(spread);
        }
        if (index > 16_511)
        {
            Array.Sort(_keys, _indexes, 0, _groupSize);
        }
        _groupPosition = 0;
    }

    private void MakeScript()
    {
        var roll = _random.NextDouble();
        (Kind, _scriptLength) = roll switch
        {
            < 0.40 => (SyntheticScriptKind.P2wpkh, Hashed([0x00, 20], 20, [])),
            < 0.65 => (SyntheticScriptKind.P2pkh, Hashed([0x76, 0xA9, 20], 20, [0x88, 0xAC])),
            < 0.79 => (SyntheticScriptKind.P2sh, Hashed([0xA9, 20], 20, [0x87])),
            < 0.91 => (SyntheticScriptKind.P2tr, Hashed([0x51, 32], 32, [])),
            < 0.96 => (SyntheticScriptKind.P2wsh, Hashed([0x00, 32], 32, [])),
            < 0.9710 => (SyntheticScriptKind.P2pkCompressed, PayToKey(KeyPool.Compressed)),
            < 0.9713 => (SyntheticScriptKind.P2pkUncompressed, PayToKey(KeyPool.Uncompressed)),
            < 0.9813 => (SyntheticScriptKind.BareMultisig, BareMultisig()),
            _ => (SyntheticScriptKind.Nonstandard, Nonstandard()),
        };
    }

    // prefix ‖ random hash ‖ suffix
    private int Hashed(ReadOnlySpan<byte> prefix, int hashLength, ReadOnlySpan<byte> suffix)
    {
        prefix.CopyTo(_script);
        _random.Fill(_script.AsSpan(prefix.Length, hashLength));
        suffix.CopyTo(_script.AsSpan(prefix.Length + hashLength));
        return prefix.Length + hashLength + suffix.Length;
    }

    private int Nonstandard()
    {
        var length = 1 + (int)_random.Below(_random.NextDouble() < 0.9 ? 40UL : 400UL);
        _random.Fill(_script.AsSpan(0, length));
        if (_script[0] == 0x6A)
        {
            _script[0] = 0x51; // never OP_RETURN first: such outputs are unspendable and not in the UTXO set
        }
        return length;
    }

    private int PayToKey(byte[][] pool)
    {
        var key = pool[_random.Below((ulong)pool.Length)];
        _script[0] = (byte)key.Length;
        key.CopyTo(_script, 1);
        _script[key.Length + 1] = 0xAC;
        return key.Length + 2;
    }

    private int BareMultisig()
    {
        var n = 2 + (int)_random.Below(2);
        var at = 0;
        _script[at++] = 0x51;
        for (var i = 0; i < n; i++)
        {
            var key = KeyPool.Compressed[_random.Below((ulong)KeyPool.Compressed.Length)];
            _script[at++] = 33;
            key.CopyTo(_script, at);
            at += 33;
        }
        _script[at++] = (byte)(0x50 + n);
        _script[at++] = 0xAE;
        return at;
    }

    private long CoinbaseValue()
    {
        var halvings = _groupHeight / (_litecoin ? 840_000 : 210_000);
        var subsidy = halvings >= 63 ? 0 : (50 * 100_000_000L) >> halvings;
        return subsidy + (long)_random.Below(50_000_000);
    }

    private long RandomValue()
    {
        var roll = _random.NextDouble();
        long value;
        if (roll < 0.2)
        {
            value = (1 + (long)_random.Below(9)) * (long)Math.Pow(10, 3 + (int)_random.Below(6));
        }
        else if (roll < 0.3)
        {
            value = _random.Below(4) switch
            {
                0 => 330,
                1 => 546,
                2 => 294,
                _ => 600 + (long)_random.Below(9400),
            };
        }
        else
        {
            // Log-uniform from 1,000 sat to 100 coins, and rarely up to 10,000.
            var top = _random.NextDouble() < 0.001 ? 12.0 : 10.0;
            value = (long)Math.Pow(10, 3 + (_random.NextDouble() * (top - 3)));
        }
        return Math.Min(value, _maxMoney);
    }

    private static Hash256 RandomHash(ref SplitMix64 random)
    {
        Span<byte> bytes = stackalloc byte[32];
        random.Fill(bytes);
        return new Hash256(bytes);
    }

    // Real secp256k1 points for the P2PK scripts (k·G through BouncyCastle, the library src/Chain uses).
    private static (byte[][], byte[][]) MakeKeyPool()
    {
        X9ECParameters curve = CustomNamedCurves.GetByName("secp256k1");
        var compressed = new byte[32][];
        var uncompressed = new byte[16][];
        for (var i = 0; i < compressed.Length + uncompressed.Length; i++)
        {
            var k = BigInteger.ValueOf(0x5EED_0000L + (i * 7919L)).Multiply(BigInteger.ValueOf(1_000_003)).Mod(curve.N);
            var point = curve.G.Multiply(k).Normalize();
            if (i < compressed.Length)
            {
                compressed[i] = point.GetEncoded(true);
            }
            else
            {
                uncompressed[i - compressed.Length] = point.GetEncoded(false);
            }
        }
        return (compressed, uncompressed);
    }

    /// <summary>SplitMix64: tiny, fast and the same everywhere (unlike an unseeded <see cref="Random"/>).</summary>
    private struct SplitMix64(ulong seed)
    {
        private ulong _state = seed;

        public ulong Next()
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

        public ulong Below(ulong bound) => bound == 0 ? 0 : Next() % bound;

        public void Fill(Span<byte> destination)
        {
            while (destination.Length >= 8)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(destination, Next());
                destination = destination[8..];
            }
            if (destination.Length > 0)
            {
                Span<byte> last = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(last, Next());
                last[..destination.Length].CopyTo(destination);
            }
        }
    }
}
