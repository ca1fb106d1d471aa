using System.Diagnostics;

using Coinshard.Chain.Blocks;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;
using Coinshard.Chain.ProofOfWork;
using Coinshard.Chain.Scripts;
using Coinshard.Chain.Transactions;

namespace Coinshard.TestSupport.Chains;

/// <summary>
/// One run of the builder's model: makes the blocks in order and keeps the UTXO model they imply. Not thread-safe;
/// a fresh instance per chain.
/// </summary>
internal sealed class ChainGenerator
{
    private const long MaxBlockWeight = 4_000_000;
    private const int MaxBlockSigOpsCost = 80_000;
    private const int HalvingInterval = 150;
    private const long Coin = 100_000_000;
    private const int BlockVersion = 0x20000000; // no BIP9 bit: in particular not MWEB's, so MWEB never activates
    private const uint RegtestBits = 0x207fffff;
    private const uint BlockSpacing = 150;
    private const long MinPayment = 1_000;
    private const int LowPool = 1_000; // below this many spendable coins, transactions spend one coin only
    private const double P2wshChangeShare = 0.6;
    private const long NeedPerOutput = 20_000; // coin selection aims at this much per output
    private const int MaxExtraInputs = 5;
    private const long MaxFeeDivisor = 20; // a fee never takes more than 5% of the inputs

    private static readonly byte[] WitnessReservedValue = new byte[32];
    private static readonly byte[] CommitmentHeader = [OpCodes.OpReturn, 0x24, 0xaa, 0x21, 0xa9, 0xed];

    private readonly RegtestChainOptions _options;
    private readonly Random _random;
    private readonly CoinPool _pool = new();
    private readonly PayeeScripts _payees;
    private readonly AnyoneCanSpendScript[] _hotWallets;
    private readonly bool[] _hotWalletUsed;
    private readonly long _tag;
    private readonly long _totalShapeWeight;
    private readonly Dictionary<ScriptType, long> _outputsByType = [];
    private readonly List<RegtestBlockInfo> _blocks = [];
    private long _scriptCounter;
    private long _unspendableCount;
    private long _unspendableValue;
    private Hash256 _previous = Network.LitecoinRegtest.GenesisHash;
    private int _height;

    public ChainGenerator(RegtestChainOptions options)
    {
        _options = options;
        _random = new Random(options.Seed);
        _tag = _random.NextInt64();
        _payees = new PayeeScripts(_random, options.ReuseShare, options.ReusedAddresses);
        _hotWallets = new AnyoneCanSpendScript[options.HotWallets];
        _hotWalletUsed = new bool[options.HotWallets];
        for (var i = 0; i < _hotWallets.Length; i++)
        {
            _hotWallets[i] = NewScript(p2sh: i % 3 == 0);
        }
        _totalShapeWeight = options.Shapes.Sum(s => (long)s.Weight);
    }

    public RegtestChain Run(Action<BuiltBlock> sink, CancellationToken ct)
    {
        var busy = new Stopwatch();
        void Emit(BlockDraft draft)
        {
            var block = Finish(draft);
            busy.Stop();
            sink(block);
            ct.ThrowIfCancellationRequested();
            busy.Start();
        }

        busy.Start();
        for (var i = 0; i < _options.CoinbaseBlocks; i++)
        {
            Emit(Begin());
        }

        var fanOut = _options.FanOutCoins;
        while (fanOut > 0)
        {
            var draft = Begin();
            var inBlock = 0;
            // The coins that just matured are spread over the block's fan-out transactions (more value per coin).
            var blockCoins = Math.Min(fanOut, _options.FanOutCoinsPerBlock);
            var inputsEach = Math.Max(1, draft.Matured / ((blockCoins + _options.FanOutWidth - 1) / _options.FanOutWidth));
            while (fanOut > 0 && inBlock < _options.FanOutCoinsPerBlock)
            {
                var width = Math.Min(_options.FanOutWidth, Math.Min(fanOut, _options.FanOutCoinsPerBlock - inBlock));
                var made = TryAddFanOut(draft, width, inputsEach);
                if (made == 0)
                {
                    break;
                }
                fanOut -= made;
                inBlock += made;
            }
            if (inBlock == 0)
            {
                throw new InvalidOperationException($"internal error: no coin to fan out at height {draft.Height}");
            }
            Emit(draft);
        }

        var remaining = _options.Transactions;
        while (remaining > 0)
        {
            var draft = Begin();
            var target = Math.Min(remaining, _options.TransactionsPerBlock);
            while (draft.Transactions.Count < target && TryAddRegular(draft))
            {
            }
            if (draft.Transactions.Count == 0)
            {
                throw new InvalidOperationException($"internal error: no transaction fits block {draft.Height}");
            }
            remaining -= draft.Transactions.Count;
            Emit(draft);
        }
        busy.Stop();

        return new RegtestChain
        {
            Options = _options,
            Blocks = _blocks,
            UtxoCount = _pool.Count + _unspendableCount,
            UtxoAmount = _pool.Value + _unspendableValue,
            DistinctScripts = _payees.Distinct + (_scriptCounter - _hotWallets.Length) + _hotWalletUsed.Count(u => u),
            OutputsByType = _outputsByType.ToDictionary(p => p.Key.ToName(), p => p.Value),
            GenerateTime = busy.Elapsed,
        };
    }

    // ------------------------------------------------------------------ transactions

    private BlockDraft Begin()
    {
        _height++;
        var matured = _pool.BeginBlock(_height);
        // Room for the header, the transaction count and the coinbase (its outputs, commitment and witness).
        var reserved = 4L * (BlockHeader.Size + 5 + 120 + (45L * _options.CoinbaseOutputs)) + 40;
        return new BlockDraft(_height, reserved) { Matured = matured };
    }

    /// <summary>A fan-out transaction: <paramref name="inputCount"/> coins split into up to <paramref name="width"/> spendable coins; returns how many it made (0: no coin).</summary>
    private int TryAddFanOut(BlockDraft draft, int width, int inputCount)
    {
        inputCount = Math.Min(inputCount, _pool.Available);
        if (inputCount == 0)
        {
            return 0;
        }
        var inputs = new List<(SpendableCoin Coin, bool FromCurrent)>(inputCount);
        for (var i = 0; i < inputCount; i++)
        {
            inputs.Add(_pool.TakeNewest());
        }
        var sum = inputs.Sum(i => i.Coin.Value);
        var fee = Math.Min(FeeRate() * (11 + inputs.Sum(i => i.Coin.Script.InputVirtualSize) + (40L * width)), sum / MaxFeeDivisor);
        var available = sum - fee;
        width = (int)Math.Clamp(available / MinPayment, 1, width);
        var outputs = new List<PendingOutput>(width);
        for (var i = 0; i < width; i++)
        {
            var value = (available / width) + (i == 0 ? available % width : 0);
            outputs.Add(PendingOutput.Spendable(value, NewScript(_random.NextDouble() >= P2wshChangeShare)));
        }
        return TryAdd(draft, inputs, outputs) ? width : 0;
    }

    private bool TryAddRegular(BlockDraft draft)
    {
        var shape = PickShape();
        var payments = Between(shape.MinPayments, shape.MaxPayments);
        var inputCount = _pool.Available < LowPool ? 1 : Between(shape.MinInputs, shape.MaxInputs);
        inputCount = Math.Min(inputCount, _pool.Available);
        if (inputCount == 0)
        {
            return false;
        }
        var inputs = new List<(SpendableCoin Coin, bool FromCurrent)>(inputCount);
        long sum = 0;
        var inputVsize = 0;
        // Like a wallet's coin selection: more coins while they do not cover the outputs (a few at most).
        var need = (payments + 1) * NeedPerOutput;
        while (inputs.Count < inputCount || (sum < need && inputs.Count < inputCount + MaxExtraInputs && _pool.Available > LowPool))
        {
            var taken = _pool.Take(_random, _options.SameBlockSpendShare);
            inputs.Add(taken);
            sum += taken.Coin.Value;
            inputVsize += taken.Coin.Script.InputVirtualSize;
        }

        var opReturn = _random.NextDouble() < _options.OpReturnShare;
        var fee = Math.Min(FeeRate() * (11 + inputVsize + (34L * (payments + 1)) + (opReturn ? 50 : 0)), sum / MaxFeeDivisor);
        var available = sum - fee;
        // Room for every output to get MinPayment several times over.
        payments = (int)Math.Clamp((available / (4 * MinPayment)) - 1, 0, payments);

        // Payees (keys never spent from) get modest amounts, half of the whole at most; our own coins (the
        // change and P2SH/P2WSH payments) share the rest by random weights, so they never dwindle to dust.
        var slots = new List<PayeeType?>(payments + 1);
        for (var i = 0; i < payments; i++)
        {
            slots.Add(PickPaymentType());
        }
        slots.Insert(_random.Next(slots.Count + 1), null); // the change
        var payeeCap = Math.Max(MinPayment, available / (2 * Math.Max(1, slots.Count(IsPayee))));
        var outputs = new List<PendingOutput>(slots.Count + 1);
        var weights = new double[slots.Count];
        double weightSum = 0;
        long paid = 0;
        foreach (var slot in slots)
        {
            if (IsPayee(slot))
            {
                var value = LogUniform(MinPayment, payeeCap);
                paid += value;
                outputs.Add(PendingOutput.Payee(value, _payees.Next(slot!.Value)));
            }
            else
            {
                weights[outputs.Count] = 1 + (3 * _random.NextDouble());
                weightSum += weights[outputs.Count];
                outputs.Add(default);
            }
        }
        var rest = available - paid;
        var given = 0L;
        var last = -1;
        for (var i = 0; i < slots.Count; i++)
        {
            if (!IsPayee(slots[i]))
            {
                var value = (long)(rest * weights[i] / weightSum);
                var p2sh = slots[i] is { } kind ? kind == PayeeType.P2sh : _random.NextDouble() >= P2wshChangeShare;
                outputs[i] = PendingOutput.Spendable(value, NewSpendable(p2sh));
                given += value;
                last = i;
            }
        }
        outputs[last] = outputs[last] with { Value = outputs[last].Value + rest - given };
        if (opReturn)
        {
            var data = new byte[20 + _random.Next(21)];
            _random.NextBytes(data);
            outputs.Add(PendingOutput.Payee(0, [OpCodes.OpReturn, (byte)data.Length, .. data]));
        }
        return TryAdd(draft, inputs, outputs);
    }

    /// <summary>Adds the transaction when it fits the block (weight, sigops); otherwise puts its coins back.</summary>
    private bool TryAdd(BlockDraft draft, List<(SpendableCoin Coin, bool FromCurrent)> inputs, List<PendingOutput> outputs)
    {
        var transaction = new Transaction(
            2,
            inputs.Select(i => i.Coin.Script.Spend(i.Coin.OutPoint)),
            outputs.Select(o => new TxOut(o.Value, o.ScriptPubKey)),
            0);
        // Legacy sigops count 4 each (WITNESS_SCALE_FACTOR); only P2PKH outputs have one (their OP_CHECKSIG).
        var sigOps = 4 * outputs.Count(o => o.Type == ScriptType.P2PKH);
        if (draft.Weight + transaction.Weight > MaxBlockWeight || draft.SigOpsCost + sigOps > MaxBlockSigOpsCost - 400)
        {
            foreach (var (coin, fromCurrent) in inputs)
            {
                _pool.Return(coin, fromCurrent);
            }
            return false;
        }
        draft.Transactions.Add(transaction);
        draft.Weight += transaction.Weight;
        draft.SigOpsCost += sigOps;
        draft.Fees += inputs.Sum(i => i.Coin.Value) - outputs.Sum(o => o.Value);
        draft.Inputs += inputs.Count;
        for (var i = 0; i < outputs.Count; i++)
        {
            Record(outputs[i], transaction.TxId, (uint)i, coinbaseHeight: null);
        }
        return true;
    }

    private void Record(PendingOutput output, Hash256 txId, uint index, int? coinbaseHeight)
    {
        _outputsByType[output.Type] = _outputsByType.GetValueOrDefault(output.Type) + 1;
        if (output.Script is { } script)
        {
            var coin = new SpendableCoin(new OutPoint(txId, index), output.Value, script);
            if (coinbaseHeight is { } height)
            {
                _pool.AddImmature(height + RegtestChainBuilder.CoinbaseMaturity, coin);
            }
            else
            {
                _pool.Add(coin);
            }
        }
        else if (!ScriptClassifier.IsUnspendable(output.ScriptPubKey))
        {
            _unspendableCount++;
            _unspendableValue += output.Value;
        }
    }

    private PayeeType PickPaymentType()
    {
        var mix = _options.Payments;
        var pick = _random.Next(mix.Total);
        return (pick -= mix.P2wpkh) < 0 ? PayeeType.P2wpkh
            : (pick -= mix.P2pkh) < 0 ? PayeeType.P2pkh
            : (pick -= mix.P2sh) < 0 ? PayeeType.P2sh
            : (pick -= mix.P2tr) < 0 ? PayeeType.P2tr
            : PayeeType.P2wsh;
    }

    /// <summary>True for payment types paid to keys (never spent); P2SH and P2WSH payments, and the change (null), are our coins.</summary>
    private static bool IsPayee(PayeeType? type) => type is PayeeType.P2wpkh or PayeeType.P2pkh or PayeeType.P2tr;

    /// <summary>A spendable script for a change or P2SH/P2WSH payment: a reused hot wallet, or a new one.</summary>
    private AnyoneCanSpendScript NewSpendable(bool p2sh)
    {
        if (_random.NextDouble() < _options.HotWalletShare)
        {
            var index = Zipf.Pick(_random, _hotWallets.Length);
            _hotWalletUsed[index] = true;
            return _hotWallets[index];
        }
        return NewScript(p2sh);
    }

    private AnyoneCanSpendScript NewScript(bool p2sh) => AnyoneCanSpendScript.Create(_tag, _scriptCounter++, p2sh);

    private TransactionShape PickShape()
    {
        var pick = _random.NextInt64(_totalShapeWeight);
        foreach (var shape in _options.Shapes)
        {
            if ((pick -= shape.Weight) < 0)
            {
                return shape;
            }
        }
        return _options.Shapes[^1];
    }

    private int Between(int min, int max) => min + _random.Next(max - min + 1);

    private long FeeRate() => 1 + _random.Next(20); // sat/vB

    private long LogUniform(long min, long max) => (long)Math.Round(min * Math.Pow((double)max / min, _random.NextDouble()));

    // ------------------------------------------------------------------ blocks

    private BuiltBlock Finish(BlockDraft draft)
    {
        var height = draft.Height;
        var hasWitness = draft.Transactions.Any(t => t.HasWitness);
        var coinbase = Coinbase(height, Subsidy(height) + draft.Fees, hasWitness ? draft.Transactions : null, out var coinbaseOutputs);
        var transactions = new List<Transaction>(draft.Transactions.Count + 1) { coinbase };
        transactions.AddRange(draft.Transactions);
        for (var i = 0; i < coinbaseOutputs.Count; i++)
        {
            Record(coinbaseOutputs[i], coinbase.TxId, (uint)i, height);
        }

        var merkleRoot = MerkleTree.ComputeRoot(transactions.Select(t => t.TxId).ToArray(), out _);
        var time = _options.FirstBlockTime + ((uint)(height - 1) * BlockSpacing);
        var header = Mine(merkleRoot, time);
        var block = new Block(header, transactions);
        if (block.Weight > MaxBlockWeight)
        {
            throw new InvalidOperationException($"internal error: block {height} weighs {block.Weight}, over {MaxBlockWeight}");
        }
        var bytes = block.ToArray();
        var outputs = transactions.Sum(t => t.Outputs.Count);
        var info = new RegtestBlockInfo(height, header.Hash, transactions.Count, draft.Inputs, outputs, block.Weight, bytes.Length);
        _blocks.Add(info);
        _pool.EndBlock();
        _previous = header.Hash;
        return new BuiltBlock(info, bytes);
    }

    /// <summary>
    /// The coinbase: BIP34 height, then our tag; the value split over spendable coins; with witness
    /// transactions, the BIP141 commitment to their wtxids (and the reserved value as its witness).
    /// </summary>
    private Transaction Coinbase(int height, long value, List<Transaction>? witnessTransactions, out List<PendingOutput> outputs)
    {
        var count = _options.CoinbaseOutputs;
        outputs = new List<PendingOutput>(count + 1);
        for (var i = 0; i < count; i++)
        {
            outputs.Add(PendingOutput.Spendable((value / count) + (i == 0 ? value % count : 0), NewScript(p2sh: false)));
        }
        byte[][]? witness = null;
        if (witnessTransactions is not null)
        {
            // BIP141: SHA256d(witness merkle root ‖ reserved value), the coinbase's wtxid taken as zero.
            var wtxIds = witnessTransactions.Select(t => t.WTxId).Prepend(Hash256.Zero).ToArray();
            Span<byte> preimage = stackalloc byte[64];
            MerkleTree.ComputeRoot(wtxIds, out _).CopyTo(preimage);
            WitnessReservedValue.CopyTo(preimage[32..]);
            var commitment = Hashes.DoubleSha256(preimage).ToArray();
            outputs.Add(PendingOutput.Payee(0, [.. CommitmentHeader, .. commitment]));
            witness = [WitnessReservedValue];
        }
        var tag = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(tag, _tag);
        byte[] scriptSig = [.. HeightPush(height), (byte)tag.Length, .. tag];
        return new Transaction(
            2,
            [new TxIn(OutPoint.Null, scriptSig, TxIn.SequenceFinal, witness)],
            outputs.Select(o => new TxOut(o.Value, o.ScriptPubKey)),
            0);
    }

    /// <summary>Core's <c>CScript() &lt;&lt; height</c>: OP_N up to 16, else a minimal little-endian number push.</summary>
    internal static byte[] HeightPush(int height)
    {
        if (height <= 16)
        {
            return [OpCodes.SmallInt(height)];
        }
        var number = new List<byte>(4);
        for (var v = height; v > 0; v >>= 8)
        {
            number.Add((byte)v);
        }
        if ((number[^1] & 0x80) != 0)
        {
            number.Add(0); // keep it positive
        }
        return [(byte)number.Count, .. number];
    }

    /// <summary>Block subsidy on Litecoin regtest: 50 coins halving every 150 blocks.</summary>
    internal static long Subsidy(int height)
    {
        var halvings = height / HalvingInterval;
        return halvings >= 64 ? 0 : (50 * Coin) >> halvings;
    }

    /// <summary>Grinds the nonce until the scrypt hash meets the regtest target (about every second try).</summary>
    private BlockHeader Mine(Hash256 merkleRoot, uint time)
    {
        for (uint nonce = 0; ; nonce++)
        {
            var header = new BlockHeader(BlockVersion, _previous, merkleRoot, time, RegtestBits, nonce);
            if (ProofOfWorkValidator.CheckProofOfWork(header, Network.LitecoinRegtest))
            {
                return header;
            }
        }
    }

    private sealed class BlockDraft(int height, long reservedWeight)
    {
        public int Height { get; } = height;

        public List<Transaction> Transactions { get; } = [];

        public long Weight { get; set; } = reservedWeight;

        public int SigOpsCost { get; set; }

        public long Fees { get; set; }

        public int Inputs { get; set; }

        /// <summary>Coinbase coins that matured for this block.</summary>
        public int Matured { get; init; }
    }

    /// <summary>An output before its transaction exists: its value, script, and (for our own coins) the script that spends it.</summary>
    private readonly record struct PendingOutput(long Value, byte[] ScriptPubKey, AnyoneCanSpendScript? Script, ScriptType Type)
    {
        public static PendingOutput Spendable(long value, AnyoneCanSpendScript script) =>
            new(value, script.ScriptPubKey, script, script.IsP2sh ? ScriptType.P2SH : ScriptType.P2WSH);

        public static PendingOutput Payee(long value, byte[] scriptPubKey) =>
            new(value, scriptPubKey, null, ScriptClassifier.Classify(scriptPubKey));
    }
}
