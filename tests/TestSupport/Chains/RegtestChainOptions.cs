using System.Globalization;

namespace Coinshard.TestSupport.Chains;

/// <summary>
/// The shape of a chain <see cref="RegtestChainBuilder"/> builds from the Litecoin regtest genesis:
/// <see cref="CoinbaseBlocks"/> coinbase-only blocks (so the first coinbases mature), fan-out blocks that
/// split matured coinbase coins into <see cref="FanOutCoins"/> spendable coins, then
/// <see cref="Transactions"/> transactions in blocks of up to <see cref="TransactionsPerBlock"/>.
/// Everything is drawn from <see cref="Seed"/>: the same options give the same blocks, byte for byte.
/// </summary>
/// <remarks>
/// The defaults make 100,000 transactions with ≈1.16 M inputs+outputs (≈370 k inputs, ≈790 k outputs) in
/// blocks 107-206 of 1,000 transactions each, after 100 coinbase blocks and 6 fan-out blocks of 16,000 coins;
/// ≈420 k unspent outputs and ≈660 k distinct scripts remain at the tip.
/// </remarks>
public sealed record RegtestChainOptions
{
    /// <summary>Seed of every random choice.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Regular transactions after the fan-out (coinbases and fan-out transactions not counted).</summary>
    public int Transactions { get; init; } = 100_000;

    /// <summary>Regular transactions per block; a block closes earlier when the next transaction would exceed the block weight or sigop limit.</summary>
    public int TransactionsPerBlock { get; init; } = 1_000;

    /// <summary>Coinbase-only blocks first (heights 1..N); at least 100, so the first coinbase has matured when the fan-out starts.</summary>
    public int CoinbaseBlocks { get; init; } = 100;

    /// <summary>Outputs of each coinbase (subsidy and fees split evenly, all spendable once mature).</summary>
    public int CoinbaseOutputs { get; init; } = 50;

    /// <summary>Spendable coins the fan-out makes before the regular blocks (0: none, the regular blocks start from matured coinbases).</summary>
    public int FanOutCoins { get; init; } = 96_000;

    /// <summary>Outputs of each fan-out transaction.</summary>
    public int FanOutWidth { get; init; } = 500;

    /// <summary>Most fan-out outputs per block (keeps fan-out blocks below the block weight limit).</summary>
    public int FanOutCoinsPerBlock { get; init; } = 16_000;

    /// <summary>Share of inputs that spend an output created earlier in the same block.</summary>
    public double SameBlockSpendShare { get; init; } = 0.1;

    /// <summary>Share of transactions that carry an OP_RETURN output (0 satoshis, 20-40 bytes of data).</summary>
    public double OpReturnShare { get; init; } = 0.03;

    /// <summary>Share of payments to P2PKH, P2WPKH and P2TR that go to an already used address (address reuse).</summary>
    public double ReuseShare { get; init; } = 0.25;

    /// <summary>How many addresses the reused payments are spread over (Zipf-like: the first few get most).</summary>
    public int ReusedAddresses { get; init; } = 2_000;

    /// <summary>Share of spendable outputs (change, P2SH and P2WSH payments) paid to a reused "hot wallet" script, which later spends them again.</summary>
    public double HotWalletShare { get; init; } = 0.1;

    /// <summary>Number of hot wallet scripts (Zipf-like as well).</summary>
    public int HotWallets { get; init; } = 50;

    /// <summary>Payment output types by weight (the change output is always a spendable P2WSH or P2SH).</summary>
    public PaymentMix Payments { get; init; } = PaymentMix.Default;

    /// <summary>Transaction shapes by weight (payments, consolidations, batch payouts…).</summary>
    public IReadOnlyList<TransactionShape> Shapes { get; init; } = TransactionShape.Defaults;

    /// <summary>Timestamp of block 1; each later block is 150 s (Litecoin's target spacing) later.</summary>
    public uint FirstBlockTime { get; init; } = 1_700_000_000;

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentException">An option is out of range (the message names it and the allowed range).</exception>
    public void Validate()
    {
        Require(Transactions >= 0, nameof(Transactions), Transactions, "must not be negative");
        Require(TransactionsPerBlock is >= 1 and <= 20_000, nameof(TransactionsPerBlock), TransactionsPerBlock, "must be 1..20,000");
        Require(CoinbaseBlocks is >= RegtestChainBuilder.CoinbaseMaturity and <= 10_000, nameof(CoinbaseBlocks), CoinbaseBlocks,
            $"must be {RegtestChainBuilder.CoinbaseMaturity}..10,000 (coinbases mature after {RegtestChainBuilder.CoinbaseMaturity} blocks)");
        Require(CoinbaseOutputs is >= 1 and <= 1_000, nameof(CoinbaseOutputs), CoinbaseOutputs, "must be 1..1,000");
        Require(FanOutCoins >= 0, nameof(FanOutCoins), FanOutCoins, "must not be negative");
        Require(FanOutWidth is >= 2 and <= 5_000, nameof(FanOutWidth), FanOutWidth, "must be 2..5,000");
        Require(FanOutCoinsPerBlock is >= 2 and <= 20_000 && FanOutCoinsPerBlock >= FanOutWidth, nameof(FanOutCoinsPerBlock), FanOutCoinsPerBlock,
            $"must be 2..20,000 and at least {nameof(FanOutWidth)} ({FanOutWidth})");
        RequireShare(SameBlockSpendShare, nameof(SameBlockSpendShare));
        RequireShare(OpReturnShare, nameof(OpReturnShare));
        RequireShare(ReuseShare, nameof(ReuseShare));
        RequireShare(HotWalletShare, nameof(HotWalletShare));
        Require(ReusedAddresses >= 1, nameof(ReusedAddresses), ReusedAddresses, "must be at least 1");
        Require(HotWallets >= 1, nameof(HotWallets), HotWallets, "must be at least 1");
        ArgumentNullException.ThrowIfNull(Payments, nameof(Payments));
        Payments.Validate();
        ArgumentNullException.ThrowIfNull(Shapes, nameof(Shapes));
        if (Shapes.Count == 0 || Shapes.Sum(s => (long)s.Weight) <= 0)
        {
            throw new ArgumentException($"{nameof(Shapes)} must hold at least one shape with a positive weight", nameof(Shapes));
        }
        foreach (var shape in Shapes)
        {
            shape.Validate();
        }
    }

    private static void RequireShare(double value, string name) =>
        Require(value is >= 0 and <= 1, name, value, "is a share and must be 0..1");

    private static void Require(bool ok, string name, object value, string rule)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(name, value, string.Create(CultureInfo.InvariantCulture, $"{name} {rule}, got {value}"));
        }
    }
}

/// <summary>Weights of the payment output types (P2SH and P2WSH payments are spendable; the others pay real-looking keys).</summary>
public sealed record PaymentMix(int P2wpkh, int P2pkh, int P2sh, int P2tr, int P2wsh)
{
    /// <summary>A mainnet-like mix: mostly P2WPKH, then legacy P2PKH and P2SH, some taproot and P2WSH.</summary>
    public static PaymentMix Default { get; } = new(P2wpkh: 40, P2pkh: 20, P2sh: 20, P2tr: 10, P2wsh: 10);

    internal int Total => P2wpkh + P2pkh + P2sh + P2tr + P2wsh;

    internal void Validate()
    {
        if (P2wpkh < 0 || P2pkh < 0 || P2sh < 0 || P2tr < 0 || P2wsh < 0 || Total <= 0)
        {
            throw new ArgumentException($"payment weights must not be negative and must not all be zero, got {this}", nameof(RegtestChainOptions.Payments));
        }
    }
}

/// <summary>
/// One kind of transaction: its inputs and payments drawn uniformly from the ranges; every transaction has one
/// more output, its change (so a consolidation is 0 payments).
/// </summary>
public sealed record TransactionShape(string Name, int Weight, int MinInputs, int MaxInputs, int MinPayments, int MaxPayments)
{
    /// <summary>
    /// ≈3.4 inputs and ≈6.7 outputs per transaction on average: simple payments, multi-input payments,
    /// consolidations and batch payouts (exchange-like), so 100,000 transactions hold ≈1 M inputs+outputs.
    /// </summary>
    public static IReadOnlyList<TransactionShape> Defaults { get; } =
    [
        new("payment", 40, 1, 1, 1, 1),
        new("multi-input payment", 15, 2, 3, 1, 1),
        new("consolidation", 7, 5, 40, 0, 0),
        new("batch payout", 13, 1, 2, 5, 54),
    ];

    internal void Validate()
    {
        if (Weight < 0 || MinInputs < 1 || MaxInputs < MinInputs || MaxInputs > 2_000 || MinPayments < 0 || MaxPayments < MinPayments || MaxPayments > 2_000)
        {
            throw new ArgumentException(
                $"transaction shape {this} is invalid: weight ≥ 0, 1 ≤ MinInputs ≤ MaxInputs ≤ 2000, 0 ≤ MinPayments ≤ MaxPayments ≤ 2000",
                nameof(RegtestChainOptions.Shapes));
        }
    }
}
