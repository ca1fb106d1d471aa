using System.Buffers;
using System.Text;

using Coinshard.Electrum.Transport;

using Xunit;

namespace Coinshard.Electrum.Tests.Transport;

public class LineFramerTests
{
    /// <summary>Feeds chunks as a socket would deliver them, keeping unconsumed bytes like a PipeReader does.</summary>
    private static List<string> Feed(LineFramer framer, params string[] chunks)
    {
        var frames = new List<string>();
        var pending = Array.Empty<byte>();
        foreach (var chunk in chunks)
        {
            var bytes = pending.Concat(Encoding.UTF8.GetBytes(chunk)).ToArray();
            var buffer = Segmented(bytes);
            while (true)
            {
                var kind = framer.TryRead(ref buffer, out var line);
                if (kind == FrameKind.Incomplete)
                {
                    break;
                }
                frames.Add(kind == FrameKind.Line ? Encoding.UTF8.GetString(line.ToArray()) : "<oversized>");
            }
            pending = buffer.ToArray();
        }
        return frames;
    }

    /// <summary>A multi-segment sequence (3-byte segments) so that lines straddle segment borders.</summary>
    private static ReadOnlySequence<byte> Segmented(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }
        Segment? first = null, last = null;
        for (var i = 0; i < bytes.Length; i += 3)
        {
            var piece = bytes.AsMemory(i, Math.Min(3, bytes.Length - i));
            if (first is null)
            {
                first = last = new Segment(piece, 0);
            }
            else
            {
                last = last!.Append(piece);
            }
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    [Fact]
    public void Lines_split_across_reads_and_segments_are_joined()
    {
        var frames = Feed(new LineFramer(100), "{\"id\":1,", "\"method\":\"a\"}\n{\"id\"", ":2}\n");

        Assert.Equal(["{\"id\":1,\"method\":\"a\"}", "{\"id\":2}"], frames);
    }

    [Fact]
    public void Carriage_returns_and_empty_lines_are_dropped()
    {
        var frames = Feed(new LineFramer(100), "a\r\n\n\r\nb\n");

        Assert.Equal(["a", "b"], frames);
    }

    [Fact]
    public void A_line_without_newline_waits_for_more()
    {
        Assert.Empty(Feed(new LineFramer(100), "{\"id\":1"));
    }

    [Fact]
    public void An_oversized_line_is_reported_once_and_skipped_and_the_next_line_is_served()
    {
        var framer = new LineFramer(10);
        var frames = Feed(framer, new string('x', 8), new string('x', 8), new string('x', 500), "xx\nok\n");

        Assert.Equal(["<oversized>", "ok"], frames);
    }

    [Fact]
    public void An_oversized_line_arriving_whole_is_reported_and_the_next_served()
    {
        var frames = Feed(new LineFramer(10), new string('y', 11) + "\nshort\n");

        Assert.Equal(["<oversized>", "short"], frames);
    }

    [Fact]
    public void A_line_of_exactly_the_limit_is_accepted()
    {
        var frames = Feed(new LineFramer(10), new string('z', 10) + "\r\n");

        Assert.Equal([new string('z', 10)], frames);
    }
}
