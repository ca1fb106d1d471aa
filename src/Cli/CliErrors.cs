using Coinshard.Chain;

namespace Coinshard.Cli;

/// <summary>A problem with what the user asked for (bad argument, unreadable file); printed as one line.</summary>
public sealed class CliUsageException(string message) : Exception(message);

/// <summary>Which exceptions are the user's input problem (exit code 2) and how to print them.</summary>
internal static class CliErrors
{
    public static bool IsUserError(Exception ex) =>
        ex is ChainFormatException or CliUsageException or ArgumentException or IOException or UnauthorizedAccessException;

    /// <summary>The message on one line, without stack traces or inner noise.</summary>
    public static string OneLine(Exception ex) => ex.Message.ReplaceLineEndings(" ").Trim();
}
