using System.CommandLine;

using Coinshard.Cli.Admin;
using Coinshard.Cli.Commands;

namespace Coinshard.Cli;

/// <summary>Builds the command tree and turns every failure into a one-line error and an exit code.</summary>
public static class CliApp
{
    /// <summary>Exit code for bad input or usage: the reason is one line on stderr.</summary>
    public const int UsageError = 2;

    /// <summary>Exit code when the node could not answer (unreachable, or failed server-side).</summary>
    public const int Unavailable = 1;

    /// <summary>Runs the command line with the given streams (tests pass their own).</summary>
    public static async Task<int> RunAsync(string[] args, Func<Stream> openStdin, TextWriter stdout, TextWriter stderr, Func<string, string?>? environment = null)
    {
        var console = new CliConsole(openStdin, stdout, stderr);
        environment ??= Environment.GetEnvironmentVariable;
        var root = new RootCommand("Coinshard: UTXO indexer and Electrum server for Bitcoin and Litecoin.");
        root.Subcommands.Add(RunCommand.Create(console, environment));
        foreach (var command in AdminCommands.Create(console, environment))
        {
            root.Subcommands.Add(command);
        }
        root.Subcommands.Add(SnapshotCommands.Create(console, environment));
        root.Subcommands.Add(DecodeCommands.Create(console));

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            await stderr.WriteLineAsync($"error: {parse.Errors[0].Message}").ConfigureAwait(false);
            return UsageError;
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
        }
        catch (Exception ex) when (CliErrors.IsUserError(ex))
        {
            await stderr.WriteLineAsync($"error: {CliErrors.OneLine(ex)}").ConfigureAwait(false);
            return UsageError;
        }
        catch (AdminUnavailableException ex)
        {
            await stderr.WriteLineAsync($"error: {CliErrors.OneLine(ex)}").ConfigureAwait(false);
            return Unavailable;
        }
    }
}
