namespace Coinshard.Chain.Tests;

/// <summary>Reads vendored fixture files (see Fixtures/README.md for their origins).</summary>
internal static class Fixture
{
    public static string PathOf(string relative) => Path.Combine(AppContext.BaseDirectory, "Fixtures", relative);

    public static byte[] Bytes(string relative) => File.ReadAllBytes(PathOf(relative));

    public static string Text(string relative) => File.ReadAllText(PathOf(relative));

    public static System.Text.Json.JsonDocument Json(string relative) => System.Text.Json.JsonDocument.Parse(Text(relative));
}
