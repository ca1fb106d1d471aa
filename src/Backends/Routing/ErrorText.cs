using System.Text.RegularExpressions;

namespace Coinshard.Backends.Routing;

/// <summary>
/// Turns an adapter's exception into a status line for the admin API. Backend exceptions promise no
/// secrets; anything else (a framework exception an adapter leaked) is scrubbed of URL credentials too.
/// </summary>
internal static partial class ErrorText
{
    private const int MaxLength = 500;

    public static string Describe(Exception error)
    {
        var text = error is BackendException ? error.Message : $"{error.GetType().Name}: {error.Message}";
        text = UrlCredentials().Replace(text, "://");
        return text.Length <= MaxLength ? text : string.Concat(text.AsSpan(0, MaxLength), "…");
    }

    [GeneratedRegex(@"://[^/@\s]*@")]
    private static partial Regex UrlCredentials();
}
