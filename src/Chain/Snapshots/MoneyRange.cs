using Coinshard.Chain.Networks;

namespace Coinshard.Chain.Snapshots;

/// <summary>Consensus <c>MAX_MONEY</c> and Core's <c>MoneyRange</c> check, per currency.</summary>
public static class MoneyRange
{
    /// <summary>21,000,000 BTC in satoshis.</summary>
    public const long BitcoinMaxMoney = 21_000_000 * 100_000_000L;

    /// <summary>84,000,000 LTC in satoshis (litoshis).</summary>
    public const long LitecoinMaxMoney = 84_000_000 * 100_000_000L;

    /// <summary>The largest valid amount of <paramref name="currency"/>.</summary>
    public static long MaxMoney(Currency currency) => currency == Currency.Litecoin ? LitecoinMaxMoney : BitcoinMaxMoney;

    /// <summary>True when 0 ≤ <paramref name="amount"/> ≤ <see cref="MaxMoney"/>.</summary>
    public static bool Contains(long amount, Currency currency) => amount >= 0 && amount <= MaxMoney(currency);
}
