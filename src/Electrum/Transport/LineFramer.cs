using System.Buffers;

namespace Coinshard.Electrum.Transport;

/// <summary>What <see cref="LineFramer.TryRead"/> found.</summary>
public enum FrameKind
{
    /// <summary>Not a whole line yet: read more.</summary>
    Incomplete,

    /// <summary>A complete line (without its newline; a trailing carriage return is removed).</summary>
    Line,

    /// <summary>
    /// A line longer than the limit: everything up to and including its newline has been discarded
    /// (or, with no newline yet, the buffered part is consumed and the rest will be skipped).
    /// Answer with an error; the stream stays usable.
    /// </summary>
    Oversized,
}

/// <summary>
/// Splits a TCP/TLS byte stream into newline-delimited messages with a maximum line size. It never
/// buffers more than the limit of one line: an oversized line is skipped as it arrives.
/// </summary>
/// <param name="maxLineBytes">Longest accepted message, newline excluded.</param>
public sealed class LineFramer(int maxLineBytes)
{
    private bool _skipping;

    /// <summary>Longest accepted message.</summary>
    public int MaxLineBytes { get; } = maxLineBytes > 0 ? maxLineBytes : throw new ArgumentOutOfRangeException(nameof(maxLineBytes));

    /// <summary>
    /// Takes the next frame from <paramref name="buffer"/>, advancing it past what was consumed.
    /// Empty lines are skipped (clients may send keep-alive newlines).
    /// </summary>
    public FrameKind TryRead(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        while (true)
        {
            line = default;
            var newline = buffer.PositionOf((byte)'\n');
            if (_skipping)
            {
                if (newline is null)
                {
                    buffer = buffer.Slice(buffer.End);
                    return FrameKind.Incomplete;
                }
                buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
                _skipping = false;
                continue;
            }

            if (newline is null)
            {
                if (buffer.Length > MaxLineBytes)
                {
                    // Report once, then drop the rest of this line as it streams in.
                    buffer = buffer.Slice(buffer.End);
                    _skipping = true;
                    return FrameKind.Oversized;
                }
                return FrameKind.Incomplete;
            }

            var candidate = buffer.Slice(0, newline.Value);
            buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
            if (candidate.Length > 0 && EndsWithCarriageReturn(candidate))
            {
                candidate = candidate.Slice(0, candidate.Length - 1);
            }
            if (candidate.Length > MaxLineBytes)
            {
                return FrameKind.Oversized;
            }
            if (candidate.Length == 0)
            {
                continue;
            }
            line = candidate;
            return FrameKind.Line;
        }
    }

    private static bool EndsWithCarriageReturn(ReadOnlySequence<byte> sequence) =>
        sequence.Slice(sequence.Length - 1).FirstSpan[0] == (byte)'\r';
}
