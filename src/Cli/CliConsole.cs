namespace Coinshard.Cli;

/// <summary>The streams a command reads and writes; injected so tests run commands in-process.</summary>
/// <param name="OpenInput">Opens standard input as bytes (commands may read binary data from '-').</param>
/// <param name="Out">Standard output.</param>
/// <param name="Error">Standard error.</param>
public sealed record CliConsole(Func<Stream> OpenInput, TextWriter Out, TextWriter Error);
