namespace Coinshard.Backends;

/// <summary>
/// A fee rate kept exactly as satoshis per 1000 virtual bytes, the unit Core computes in
/// (Core reports it in coins per kvB). <see cref="SatoshisPerVByte"/> is the sat/vB figure wallets show.
/// </summary>
/// <param name="SatoshisPerKvB">Satoshis per 1000 virtual bytes.</param>
public readonly record struct FeeRate(long SatoshisPerKvB) : IComparable<FeeRate>
{
    /// <summary>Satoshis per virtual byte; exact (a decimal, not a double).</summary>
    public decimal SatoshisPerVByte => SatoshisPerKvB / 1000m;

    /// <summary>The rate from a coins-per-kvB JSON number as Core prints it (<c>0.00001000</c> is 1 sat/vB).</summary>
    /// <exception cref="AmountFormatException">The text is not an exact amount.</exception>
    public static FeeRate FromCoinsPerKvB(ReadOnlySpan<char> jsonNumber) => new(CoinAmount.ParseSatoshis(jsonNumber));

    /// <summary>The rate from satoshis per virtual byte; fractions below 1/1000 sat/vB are refused.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative, or not a whole number of satoshis per kvB.</exception>
    public static FeeRate FromSatoshisPerVByte(decimal satoshisPerVByte)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(satoshisPerVByte);
        var perKvB = satoshisPerVByte * 1000m;
        if (perKvB != decimal.Truncate(perKvB) || perKvB > long.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(satoshisPerVByte), satoshisPerVByte, "fee rate must be a whole number of satoshis per 1000 vbytes");
        }
        return new FeeRate((long)perKvB);
    }

    /// <inheritdoc />
    public int CompareTo(FeeRate other) => SatoshisPerKvB.CompareTo(other.SatoshisPerKvB);

    /// <summary>Orders by rate.</summary>
    public static bool operator <(FeeRate left, FeeRate right) => left.CompareTo(right) < 0;

    /// <summary>Orders by rate.</summary>
    public static bool operator >(FeeRate left, FeeRate right) => left.CompareTo(right) > 0;

    /// <summary>Orders by rate.</summary>
    public static bool operator <=(FeeRate left, FeeRate right) => left.CompareTo(right) <= 0;

    /// <summary>Orders by rate.</summary>
    public static bool operator >=(FeeRate left, FeeRate right) => left.CompareTo(right) >= 0;

    /// <inheritdoc />
    public override string ToString() => $"{SatoshisPerVByte.ToString(System.Globalization.CultureInfo.InvariantCulture)} sat/vB";
}
