using System.Globalization;
using System.Text.Json;

using Coinshard.Chain.Hashing;

namespace Coinshard.Electrum.Methods;

/// <summary>
/// Reads a request's params by position or, for JSON-RPC by-name calls, by the names the protocol
/// documents. Every failure is an <see cref="ElectrumRequestException"/> naming the parameter.
/// </summary>
public readonly struct ParamReader
{
    private readonly JsonElement _params;
    private readonly string _method;

    /// <summary>Wraps the params of <paramref name="method"/>.</summary>
    public ParamReader(string method, JsonElement parameters)
    {
        _method = method;
        _params = parameters;
        if (parameters.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Array or JsonValueKind.Object))
        {
            throw ElectrumRequestException.InvalidParams($"{method}: params must be an array or an object");
        }
    }

    /// <summary>Fails when more positional params were sent than the method takes.</summary>
    public void ExpectAtMost(int count)
    {
        if (_params.ValueKind == JsonValueKind.Array && _params.GetArrayLength() > count)
        {
            throw ElectrumRequestException.InvalidParams($"{_method} takes at most {count} parameter(s), got {_params.GetArrayLength()}");
        }
    }

    /// <summary>The param at <paramref name="index"/> (or named <paramref name="name"/>), or null when absent or JSON null.</summary>
    public JsonElement? Get(int index, string name)
    {
        JsonElement value;
        switch (_params.ValueKind)
        {
            case JsonValueKind.Array when index < _params.GetArrayLength():
                value = _params[index];
                break;
            case JsonValueKind.Object when _params.TryGetProperty(name, out var named):
                value = named;
                break;
            default:
                return null;
        }
        return value.ValueKind == JsonValueKind.Null ? null : value;
    }

    /// <summary>A required string param.</summary>
    public string RequiredString(int index, string name) =>
        OptionalString(index, name) ?? throw ElectrumRequestException.InvalidParams($"{_method}: missing parameter '{name}'");

    /// <summary>An optional string param.</summary>
    public string? OptionalString(int index, string name) => Get(index, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } s => s.GetString(),
        _ => throw ElectrumRequestException.InvalidParams($"{_method}: parameter '{name}' must be a string"),
    };

    /// <summary>A required non-negative integer param (also accepted as a decimal string, as some clients send).</summary>
    public int RequiredInt(int index, string name) =>
        OptionalInt(index, name) ?? throw ElectrumRequestException.InvalidParams($"{_method}: missing parameter '{name}'");

    /// <summary>An optional non-negative integer param.</summary>
    public int? OptionalInt(int index, string name)
    {
        var value = Get(index, name);
        if (value is null)
        {
            return null;
        }
        if (value.Value.ValueKind == JsonValueKind.Number && value.Value.TryGetInt32(out var number) && number >= 0)
        {
            return number;
        }
        if (value.Value.ValueKind == JsonValueKind.String &&
            int.TryParse(value.Value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            return parsed;
        }
        throw ElectrumRequestException.InvalidParams($"{_method}: parameter '{name}' must be a non-negative integer");
    }

    /// <summary>An optional boolean param.</summary>
    public bool? OptionalBool(int index, string name) => Get(index, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => throw ElectrumRequestException.InvalidParams($"{_method}: parameter '{name}' must be true or false"),
    };

    /// <summary>A required 64-hex-digit hash in display order (scripthash, txid).</summary>
    public Hash256 RequiredHash(int index, string name)
    {
        var text = RequiredString(index, name);
        return text.Length == 64 && Hash256.TryParse(text, out var hash)
            ? hash
            : throw ElectrumRequestException.BadRequest($"{_method}: '{name}' must be 64 hex digits, got {Describe(text)}");
    }

    private static string Describe(string text) => text.Length <= 80 ? $"'{text}'" : $"{text.Length} characters";
}
