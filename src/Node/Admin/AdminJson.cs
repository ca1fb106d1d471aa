using System.Text.Json;
using System.Text.Json.Serialization;

namespace Coinshard.Node.Admin;

/// <summary>The admin API's JSON conventions, shared by the server and the CLI.</summary>
public static class AdminJson
{
    /// <summary>snake_case names, enums as strings, nulls written.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        WriteIndented = false,
    };
}
