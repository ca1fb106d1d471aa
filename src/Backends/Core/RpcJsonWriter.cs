using System.Collections;
using System.Text.Json;

using Coinshard.Chain.Encoding;
using Coinshard.Chain.Hashing;

namespace Coinshard.Backends.Core;

/// <summary>Writes JSON-RPC request bodies without reflection, so every parameter type is deliberate.</summary>
internal static class RpcJsonWriter
{
    public static byte[] WriteSingle(long id, RpcRequest request)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteRequest(writer, id, request);
        }
        return buffer.ToArray();
    }

    public static byte[] WriteBatch(long firstId, IReadOnlyList<RpcRequest> requests)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            for (var i = 0; i < requests.Count; i++)
            {
                WriteRequest(writer, firstId + i, requests[i]);
            }
            writer.WriteEndArray();
        }
        return buffer.ToArray();
    }

    private static void WriteRequest(Utf8JsonWriter writer, long id, RpcRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        writer.WriteStartObject();
        writer.WriteString("jsonrpc", "1.0");
        writer.WriteNumber("id", id);
        writer.WriteString("method", request.Method);
        writer.WriteStartArray("params");
        foreach (var parameter in request.Parameters)
        {
            WriteValue(writer, parameter);
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case int i:
                writer.WriteNumberValue(i);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case uint u:
                writer.WriteNumberValue(u);
                break;
            case decimal d:
                writer.WriteNumberValue(d);
                break;
            case Hash256 h:
                writer.WriteStringValue(h.ToString());
                break;
            case byte[] bytes:
                writer.WriteStringValue(Hex.Encode(bytes));
                break;
            case ReadOnlyMemory<byte> memory:
                writer.WriteStringValue(Hex.Encode(memory.Span));
                break;
            case JsonElement element:
                element.WriteTo(writer);
                break;
            case IEnumerable<KeyValuePair<string, object?>> obj:
                writer.WriteStartObject();
                foreach (var (key, item) in obj)
                {
                    writer.WritePropertyName(key);
                    WriteValue(writer, item);
                }
                writer.WriteEndObject();
                break;
            case IEnumerable sequence:
                writer.WriteStartArray();
                foreach (var item in sequence)
                {
                    WriteValue(writer, item);
                }
                writer.WriteEndArray();
                break;
            default:
                throw new ArgumentException($"cannot send a {value.GetType().Name} as a JSON-RPC parameter", nameof(value));
        }
    }
}
