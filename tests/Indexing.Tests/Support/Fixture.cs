namespace Coinshard.Indexing.Tests.Support;

/// <summary>Reads fixture files linked from tests/Chain.Tests/Fixtures (origins in its README.md).</summary>
internal static class Fixture
{
    public static string PathOf(string relative) => Path.Combine(AppContext.BaseDirectory, "Fixtures", relative);

    public static byte[] Bytes(string relative) => File.ReadAllBytes(PathOf(relative));

    public static string Text(string relative) => File.ReadAllText(PathOf(relative));

    public static System.Text.Json.JsonDocument Json(string relative) => System.Text.Json.JsonDocument.Parse(Text(relative));
}
