using System.Text.Json;

using Coinshard.Chain.Encoding;
using Coinshard.Chain.Hashing;

namespace Coinshard.Backends.Core;

/// <summary>Reads fields of Core's JSON answers, turning every surprise into a <see cref="BackendProtocolException"/> that names the field.</summary>
internal static class CoreJson
{
    public static JsonElement Required(this JsonElement obj, string name, string context)
    {
        if (obj.ValueKind != JsonValueKind.Object)
        {
            throw new BackendProtocolException($"{context}: expected a JSON object, got {obj.ValueKind}");
        }
        return obj.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : throw new BackendProtocolException($"{context}: field '{name}' is missing");
    }

    public static JsonElement? Optional(this JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public static string String(this JsonElement obj, string name, string context) => AsString(obj.Required(name, context), $"{context}.{name}");

    public static string AsString(this JsonElement value, string context) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new BackendProtocolException($"{context}: expected a string");

    public static int Int32(this JsonElement obj, string name, string context) => AsInt32(obj.Required(name, context), $"{context}.{name}");

    public static int AsInt32(this JsonElement value, string context) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var result) ? result : throw new BackendProtocolException($"{context}: expected a 32-bit integer");

    public static long Int64(this JsonElement obj, string name, string context)
    {
        var value = obj.Required(name, context);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var result)
            ? result
            : throw new BackendProtocolException($"{context}.{name}: expected an integer");
    }

    public static bool Boolean(this JsonElement obj, string name, string context)
    {
        var value = obj.Required(name, context);
        return value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : throw new BackendProtocolException($"{context}.{name}: expected true or false");
    }

    public static double Double(this JsonElement obj, string name, string context)
    {
        var value = obj.Required(name, context);
        return value.ValueKind == JsonValueKind.Number ? value.GetDouble() : throw new BackendProtocolException($"{context}.{name}: expected a number");
    }

    /// <summary>A coin amount field as exact satoshis, from the number's JSON text (never through a double).</summary>
    public static long Amount(this JsonElement obj, string name, string context, bool allowNegative = false) =>
        AsAmount(obj.Required(name, context), $"{context}.{name}", allowNegative);

    public static long AsAmount(this JsonElement value, string context, bool allowNegative = false)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            throw new BackendProtocolException($"{context}: expected an amount");
        }
        try
        {
            return CoinAmount.ParseSatoshis(value.GetRawText(), allowNegative);
        }
        catch (AmountFormatException e)
        {
            throw new BackendProtocolException($"{context}: {e.Message}", e);
        }
    }

    public static FeeRate FeeRate(this JsonElement obj, string name, string context) => new(obj.Amount(name, context));

    public static Hash256 Hash(this JsonElement obj, string name, string context) => AsHash(obj.Required(name, context), $"{context}.{name}");

    public static Hash256 AsHash(this JsonElement value, string context) =>
        value.ValueKind == JsonValueKind.String && Hash256.TryParse(value.GetString(), out var hash)
            ? hash
            : throw new BackendProtocolException($"{context}: expected a 64-digit hex hash");

    public static byte[] AsHexBytes(this JsonElement value, string context) =>
        value.ValueKind == JsonValueKind.String && Hex.TryDecode(value.GetString(), out var bytes)
            ? bytes
            : throw new BackendProtocolException($"{context}: expected hex");

    public static byte[] HexBytes(this JsonElement obj, string name, string context) => AsHexBytes(obj.Required(name, context), $"{context}.{name}");

    public static DateTimeOffset UnixTime(this JsonElement obj, string name, string context) =>
        DateTimeOffset.FromUnixTimeSeconds(obj.Int64(name, context));
}
