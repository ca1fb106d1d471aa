using System.Text.Json;

namespace Coinshard.Electrum.Protocol;

/// <summary>The outcome of <c>server.version</c>: the version agreed, or why there is none.</summary>
/// <param name="Version">The negotiated version; null when there is no common version.</param>
/// <param name="Error">Why negotiation failed (the session is then closed); null on success.</param>
public sealed record NegotiationResult(ProtocolVersion? Version, string? Error);

/// <summary>
/// <c>server.version</c> negotiation as the protocol specifies it: the client sends one version or a
/// [min, max] range (default "1.4"); the server uses min(client max, server max) and fails when that
/// is below max(client min, server min).
/// </summary>
public static class VersionNegotiation
{
    /// <summary>Negotiates against the server's range from the request's params (positional or by name).</summary>
    public static NegotiationResult Negotiate(JsonElement parameters, ProtocolVersion serverMin, ProtocolVersion serverMax)
    {
        var requested = parameters.ValueKind switch
        {
            JsonValueKind.Array when parameters.GetArrayLength() >= 2 => parameters[1],
            JsonValueKind.Object when parameters.TryGetProperty("protocol_version", out var byName) => byName,
            _ => default,
        };

        ProtocolVersion clientMin, clientMax;
        switch (requested.ValueKind)
        {
            case JsonValueKind.Undefined or JsonValueKind.Null:
                clientMin = clientMax = ProtocolVersion.Version14;
                break;
            case JsonValueKind.String:
                if (!ProtocolVersion.TryParse(requested.GetString(), out clientMin))
                {
                    return new NegotiationResult(null, $"invalid protocol version '{Shorten(requested.GetString())}'");
                }
                clientMax = clientMin;
                break;
            case JsonValueKind.Array when requested.GetArrayLength() == 2 &&
                                          requested[0].ValueKind == JsonValueKind.String &&
                                          requested[1].ValueKind == JsonValueKind.String:
                if (!ProtocolVersion.TryParse(requested[0].GetString(), out clientMin) ||
                    !ProtocolVersion.TryParse(requested[1].GetString(), out clientMax) ||
                    clientMin > clientMax)
                {
                    return new NegotiationResult(null, "invalid protocol version range (expected [min, max] with min <= max)");
                }
                break;
            default:
                return new NegotiationResult(null, "protocol_version must be a version string or a [min, max] pair");
        }

        var version = clientMax < serverMax ? clientMax : serverMax;
        var floor = clientMin > serverMin ? clientMin : serverMin;
        return version < floor
            ? new NegotiationResult(null, $"unsupported protocol version: this server speaks {serverMin} to {serverMax}")
            : new NegotiationResult(version, null);
    }

    private static string Shorten(string? text) => text is null ? "" : text.Length <= 32 ? text : text[..32] + "…";
}
