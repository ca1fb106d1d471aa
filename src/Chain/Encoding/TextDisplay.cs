namespace Coinshard.Chain.Encoding;

/// <summary>Formats single characters for error messages so that invisible or control characters stay readable.</summary>
internal static class TextDisplay
{
    /// <summary><c>'x'</c> for printable ASCII, <c>U+00FF</c> otherwise.</summary>
    public static string Describe(char c) =>
        c is > ' ' and < (char)0x7F ? $"'{c}'" : $"U+{(int)c:X4}";
}
