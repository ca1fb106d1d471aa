using System.Buffers;
using System.Text.Json;

namespace Coinshard.Electrum.Protocol;

/// <summary>Writes responses and notifications as compact JSON (no newlines inside: the line framing relies on it).</summary>
public static class JsonRpcWriter
{
    private static readonly JsonWriterOptions Options = new() { Indented = false, SkipValidation = false };

    /// <summary>Writes one response object.</summary>
    public static void Write(IBufferWriter<byte> output, JsonRpcResponse response)
    {
        using var writer = new Utf8JsonWriter(output, Options);
        WriteResponse(writer, response);
    }

    /// <summary>Writes the answers to a batch as one array.</summary>
    public static void WriteBatch(IBufferWriter<byte> output, IReadOnlyList<JsonRpcResponse> responses)
    {
        using var writer = new Utf8JsonWriter(output, Options);
        writer.WriteStartArray();
        foreach (var response in responses)
        {
            WriteResponse(writer, response);
        }
        writer.WriteEndArray();
    }

    /// <summary>Writes a server notification (<c>method</c> and <c>params</c>, no id), e.g. a subscription update.</summary>
    public static void WriteNotification(IBufferWriter<byte> output, string method, byte[] paramsJson)
    {
        using var writer = new Utf8JsonWriter(output, Options);
        writer.WriteStartObject();
        writer.WriteString("jsonrpc", "2.0");
        writer.WriteString("method", method);
        writer.WritePropertyName("params");
        writer.WriteRawValue(paramsJson, skipInputValidation: true);
        writer.WriteEndObject();
    }

    /// <summary>Serializes a result value with a writer callback: the one way methods produce result JSON.</summary>
    public static byte[] Result(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            write(writer);
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteResponse(Utf8JsonWriter writer, JsonRpcResponse response)
    {
        writer.WriteStartObject();
        writer.WriteString("jsonrpc", "2.0");
        if (response.Error is { } error)
        {
            writer.WriteStartObject("error");
            writer.WriteNumber("code", error.Code);
            writer.WriteString("message", error.Message);
            writer.WriteEndObject();
        }
        else
        {
            writer.WritePropertyName("result");
            writer.WriteRawValue(response.ResultJson ?? "null"u8.ToArray(), skipInputValidation: true);
        }
        writer.WritePropertyName("id");
        writer.WriteRawValue(response.RawId, skipInputValidation: true);
        writer.WriteEndObject();
    }
}
