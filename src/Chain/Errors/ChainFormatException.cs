namespace Coinshard.Chain;

/// <summary>
/// Base type for every "this data is not valid chain data" error raised by Coinshard.Chain.
/// Subtypes name the specific problem so that callers can react to it (and tests can assert on it).
/// </summary>
public class ChainFormatException : FormatException
{
    /// <summary>Creates the exception with a message and, when known, the byte offset where the problem was found.</summary>
    public ChainFormatException(string message, long? offset = null, Exception? inner = null)
        : base(offset is null ? message : $"{message} (at byte offset {offset})", inner)
    {
        Offset = offset;
    }

    /// <summary>Byte offset in the input where the problem was detected, when it applies.</summary>
    public long? Offset { get; }
}

/// <summary>The input ended before a structure was complete.</summary>
public sealed class TruncatedDataException(string message, long? offset = null)
    : ChainFormatException(message, offset);

/// <summary>A length or count exceeds what the data, or a protocol limit, allows.</summary>
public sealed class SizeLimitExceededException(string message, long? offset = null)
    : ChainFormatException(message, offset);

/// <summary>A value was encoded in a form the protocol forbids (for example a non-minimal CompactSize).</summary>
public sealed class NonCanonicalEncodingException(string message, long? offset = null)
    : ChainFormatException(message, offset);

/// <summary>Bytes remained after a structure that must consume the whole input.</summary>
public sealed class TrailingDataException(string message, long? offset = null)
    : ChainFormatException(message, offset);

/// <summary>A checksum (Base58Check, Bech32, descriptor) did not match.</summary>
public sealed class InvalidChecksumException(string message)
    : ChainFormatException(message);

/// <summary>Text is not valid in its encoding: bad characters, mixed case, bad padding, wrong length.</summary>
public sealed class InvalidEncodingException(string message, long? offset = null)
    : ChainFormatException(message, offset);

/// <summary>A well-formed structure whose content is not valid (unknown flags, impossible values).</summary>
public sealed class InvalidDataException(string message, long? offset = null)
    : ChainFormatException(message, offset);
