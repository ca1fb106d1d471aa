using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Coinshard.Electrum.Protocol;

/// <summary>
/// Parses one framed message (a line over TCP/TLS, a frame over WebSocket) into requests. Never
/// throws for client input: anything malformed becomes a <see cref="JsonRpcInvalid"/> to answer.
/// </summary>
public static class JsonRpcParser
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 32 };

    /// <summary>Parses <paramref name="utf8"/>; a batch larger than <paramref name="maxBatch"/> is refused as a whole.</summary>
    public static JsonRpcMessage Parse(ReadOnlySpan<byte> utf8, int maxBatch) =>
        Parse(utf8.ToArray().AsMemory(), maxBatch);

    /// <summary>
    /// Parses a framed message straight from the connection's buffers (no copy when it lies in one
    /// segment); nothing returned refers to <paramref name="utf8"/> afterwards. Text that is not
    /// valid UTF-8 is a parse error.
    /// </summary>
    public static JsonRpcMessage Parse(ReadOnlySequence<byte> utf8, int maxBatch)
    {
        if (utf8.IsSingleSegment)
        {
            return Parse(utf8.First, maxBatch);
        }
        var length = checked((int)utf8.Length);
        var copy = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            utf8.CopyTo(copy);
            return Parse(copy.AsMemory(0, length), maxBatch);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    private static JsonRpcMessage Parse(ReadOnlyMemory<byte> utf8, int maxBatch)
    {
        // JsonDocument accepts invalid UTF-8 inside strings and only fails when a string is read;
        // checking the whole text first keeps every later read (method, id, params) from throwing.
        if (!Utf8.IsValid(utf8.Span))
        {
            return Single(new JsonRpcInvalid(null, JsonRpcErrorCodes.ParseError, "parse error: the text is not valid UTF-8"));
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, DocumentOptions);
        }
        catch (JsonException e)
        {
            return Single(new JsonRpcInvalid(null, JsonRpcErrorCodes.ParseError, $"parse error: {OneLine(e.Message)}"));
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
            {
                return Single(ParseItem(root));
            }
            var count = root.GetArrayLength();
            if (count == 0)
            {
                return Single(new JsonRpcInvalid(null, JsonRpcErrorCodes.InvalidRequest, "invalid request: empty batch"));
            }
            if (count > maxBatch)
            {
                return Single(new JsonRpcInvalid(null, JsonRpcErrorCodes.InvalidRequest, $"invalid request: batch of {count} requests exceeds the limit of {maxBatch}"));
            }
            var items = new List<JsonRpcIncoming>(count);
            foreach (var element in root.EnumerateArray())
            {
                items.Add(ParseItem(element));
            }
            return new JsonRpcMessage(items, IsBatch: true);
        }
    }

    private static JsonRpcMessage Single(JsonRpcIncoming item) => new([item], IsBatch: false);

    private static JsonRpcIncoming ParseItem(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return new JsonRpcInvalid(null, JsonRpcErrorCodes.InvalidRequest, "invalid request: expected a JSON object");
        }

        byte[]? rawId = null;
        if (element.TryGetProperty("id", out var id))
        {
            if (id.ValueKind is not (JsonValueKind.Number or JsonValueKind.String or JsonValueKind.Null))
            {
                return new JsonRpcInvalid(null, JsonRpcErrorCodes.InvalidRequest, "invalid request: id must be a number, a string or null");
            }
            rawId = Encoding.UTF8.GetBytes(id.GetRawText());
        }

        if (element.TryGetProperty("jsonrpc", out var version) &&
            !(version.ValueKind == JsonValueKind.String && version.ValueEquals("2.0")))
        {
            return new JsonRpcInvalid(rawId ?? NullId, JsonRpcErrorCodes.InvalidRequest, "invalid request: jsonrpc must be \"2.0\" when present");
        }

        if (!element.TryGetProperty("method", out var method) || method.ValueKind != JsonValueKind.String)
        {
            return new JsonRpcInvalid(rawId ?? NullId, JsonRpcErrorCodes.InvalidRequest, "invalid request: method must be a string");
        }

        var parameters = default(JsonElement);
        if (element.TryGetProperty("params", out var p))
        {
            if (p.ValueKind is not (JsonValueKind.Array or JsonValueKind.Object or JsonValueKind.Null))
            {
                return new JsonRpcInvalid(rawId ?? NullId, JsonRpcErrorCodes.InvalidRequest, "invalid request: params must be an array or an object");
            }
            if (p.ValueKind != JsonValueKind.Null)
            {
                parameters = p.Clone();
            }
        }

        return new JsonRpcRequest(rawId, method.GetString()!, parameters);
    }

    /// <summary>The id JSON-RPC prescribes for errors about requests whose id could not be read.</summary>
    internal static readonly byte[] NullId = "null"u8.ToArray();

    private static string OneLine(string message)
    {
        var line = message.ReplaceLineEndings(" ");
        return line.Length <= 200 ? line : line[..200];
    }
}
