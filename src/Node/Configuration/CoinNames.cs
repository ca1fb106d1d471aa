using Coinshard.Chain.Networks;

namespace Coinshard.Node.Configuration;

/// <summary>The names users type for a currency: <c>bitcoin</c>/<c>btc</c>, <c>litecoin</c>/<c>ltc</c>.</summary>
public static class CoinNames
{
    /// <summary>The canonical lower-case name (<c>bitcoin</c>, <c>litecoin</c>).</summary>
    public static string Of(Currency currency) => currency switch
    {
        Currency.Bitcoin => "bitcoin",
        Currency.Litecoin => "litecoin",
        _ => throw new ArgumentOutOfRangeException(nameof(currency), currency, "unknown currency"),
    };

    /// <summary>The currency a user's name means, or null.</summary>
    public static Currency? Parse(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "bitcoin" or "btc" => Currency.Bitcoin,
        "litecoin" or "ltc" => Currency.Litecoin,
        _ => null,
    };

    /// <summary>True when <paramref name="name"/> names <paramref name="currency"/>.</summary>
    public static bool Matches(string? name, Currency currency) => Parse(name) == currency;
}
