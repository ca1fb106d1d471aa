using System.CommandLine;

using Coinshard.Chain.Networks;

namespace Coinshard.Cli.Commands;

/// <summary>`coinshard decode …`: offline inspection of addresses, blocks and descriptors.</summary>
internal static class DecodeCommands
{
    public static Command Create(CliConsole console)
    {
        var decode = new Command("decode", "Inspect an address, a raw block or a descriptor (offline).");
        decode.Subcommands.Add(DecodeAddressCommand.Create(console));
        decode.Subcommands.Add(DecodeBlockCommand.Create(console));
        decode.Subcommands.Add(DecodeDescriptorCommand.Create(console));
        return decode;
    }

    /// <summary>The --network option shared by the decode verbs.</summary>
    public static Option<string?> NetworkOption(string description) => new("--network", "-n")
    {
        Description = $"{description} One of: {string.Join(", ", Network.All.Select(n => n.Name))} (or btc, ltc, regtest, …).",
    };

    /// <summary>Resolves a --network value; null when not given.</summary>
    public static Network? ResolveNetwork(string? name) =>
        name is null ? null : Network.TryParse(name, out var network) ? network
            : throw new CliUsageException($"unknown network '{name}'; expected one of {string.Join(", ", Network.All.Select(n => n.Name))}");
}
