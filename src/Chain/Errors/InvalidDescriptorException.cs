namespace Coinshard.Chain;

/// <summary>
/// An output descriptor is not valid: unknown function, bad argument, key or path, an expression
/// used where its BIP forbids it, or a bad checksum form. The message names the expression and
/// <see cref="Position"/> the character where the problem starts. A checksum that does not match
/// raises <see cref="InvalidChecksumException"/> instead.
/// </summary>
public sealed class InvalidDescriptorException : ChainFormatException
{
    /// <summary>Creates the exception; <paramref name="position"/> is the 0-based character index in the descriptor.</summary>
    public InvalidDescriptorException(string message, int? position = null, Exception? inner = null)
        : base(position is null ? message : $"{message} (at character {position})", null, inner)
    {
        Position = position;
    }

    /// <summary>0-based character index in the descriptor text where the problem starts, when known.</summary>
    public int? Position { get; }
}
