using System.Globalization;
using System.Numerics;

namespace Coinshard.Backends;

/// <summary>
/// Exact conversion between the decimal coin amounts that Core's JSON-RPC speaks (<c>0.00012345</c>)
/// and integer satoshis. Works on the JSON number's text, never through <see cref="double"/>, so no
/// amount is ever rounded; values with more than 8 decimal places are refused like Core's
/// <c>AmountFromValue</c> does.
/// </summary>
public static class CoinAmount
{
    /// <summary>Satoshis in one coin (BTC or LTC).</summary>
    public const long SatoshisPerCoin = 100_000_000;

    private const int Decimals = 8;

    /// <summary>
    /// Parses a JSON number (plain or with an exponent, e.g. <c>1e-8</c>) given in coins into satoshis.
    /// </summary>
    /// <param name="text">The number exactly as it appeared in the JSON text.</param>
    /// <param name="allowNegative">Accept negative amounts (fee deltas); amounts proper are never negative.</param>
    /// <exception cref="AmountFormatException">Not a JSON number, more than 8 decimal places, negative when not allowed, or out of the <see cref="long"/> range.</exception>
    public static long ParseSatoshis(ReadOnlySpan<char> text, bool allowNegative = false) =>
        TryParseCore(text, allowNegative, out var satoshis) is { } error ? throw new AmountFormatException(error) : satoshis;

    /// <summary>Parses like <see cref="ParseSatoshis"/>; false instead of an exception.</summary>
    public static bool TryParseSatoshis(ReadOnlySpan<char> text, out long satoshis, bool allowNegative = false) =>
        TryParseCore(text, allowNegative, out satoshis) is null;

    /// <summary>
    /// Formats satoshis as Core does (<c>ValueFromAmount</c>): coins with exactly 8 decimals, so the
    /// text can be sent back to a node or compared with its output.
    /// </summary>
    public static string Format(long satoshis)
    {
        var negative = satoshis < 0;
        // Magnitude as unsigned so that long.MinValue has one too.
        var magnitude = negative ? (ulong)(-(satoshis + 1)) + 1 : (ulong)satoshis;
        var whole = magnitude / SatoshisPerCoin;
        var fraction = magnitude % SatoshisPerCoin;
        return string.Create(CultureInfo.InvariantCulture, $"{(negative ? "-" : "")}{whole}.{fraction:D8}");
    }

    private static string? TryParseCore(ReadOnlySpan<char> text, bool allowNegative, out long satoshis)
    {
        satoshis = 0;
        var i = 0;
        var negative = false;
        if (i < text.Length && text[i] == '-')
        {
            negative = true;
            i++;
        }

        // JSON grammar: int part "0" or [1-9][0-9]*, optional fraction, optional exponent.
        var intStart = i;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }
        var intDigits = text[intStart..i];
        if (intDigits.IsEmpty || (intDigits.Length > 1 && intDigits[0] == '0'))
        {
            return "not a JSON number";
        }
        var fracDigits = ReadOnlySpan<char>.Empty;
        if (i < text.Length && text[i] == '.')
        {
            var fracStart = ++i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
            fracDigits = text[fracStart..i];
            if (fracDigits.IsEmpty)
            {
                return "not a JSON number";
            }
        }
        long exponent = 0;
        if (i < text.Length && (text[i] == 'e' || text[i] == 'E'))
        {
            i++;
            var expNegative = false;
            if (i < text.Length && (text[i] == '+' || text[i] == '-'))
            {
                expNegative = text[i] == '-';
                i++;
            }
            var expStart = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                // Saturate: any exponent this large makes a non-zero value overflow or too precise.
                exponent = Math.Min(exponent * 10 + (text[i] - '0'), 1_000_000);
                i++;
            }
            if (i == expStart)
            {
                return "not a JSON number";
            }
            if (expNegative)
            {
                exponent = -exponent;
            }
        }
        if (i != text.Length)
        {
            return "not a JSON number";
        }

        // value = digits × 10^(exponent − fraction length) coins; drop zeros that carry no value.
        var digits = string.Concat(intDigits, fracDigits).AsSpan().TrimStart('0');
        long scale = fracDigits.Length - exponent;
        var trimmed = digits.TrimEnd('0');
        scale -= digits.Length - trimmed.Length;
        digits = trimmed;
        if (digits.IsEmpty)
        {
            return null; // zero, whatever its sign or exponent
        }
        if (scale > Decimals)
        {
            return "amount has more than 8 decimal places";
        }
        if (negative && !allowNegative)
        {
            return "amount is negative";
        }
        var shift = Decimals - scale;
        if (digits.Length + shift > 20)
        {
            return "amount is out of range";
        }
        var value = BigInteger.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture) * BigInteger.Pow(10, (int)shift);
        if (negative)
        {
            value = -value;
        }
        if (value < long.MinValue || value > long.MaxValue)
        {
            return "amount is out of range";
        }
        satoshis = (long)value;
        return null;
    }
}
