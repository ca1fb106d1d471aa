namespace Coinshard.Cli;

/// <summary>The streams a command reads and writes; injected so tests run commands in-process.</summary>
public sealed record CliConsole(TextReader In, TextWriter Out, TextWriter Error);
