namespace Coinshard.Backends;

/// <summary>A coin amount in JSON is not exact in satoshis (more than 8 decimals), out of range, or not a number.</summary>
public sealed class AmountFormatException(string message) : FormatException(message);
