using System.CommandLine;
using System.Globalization;

using Coinshard.Chain;
using Coinshard.Chain.Addresses;
using Coinshard.Chain.Descriptors;
using Coinshard.Chain.Encoding;
using Coinshard.Chain.Networks;
using Coinshard.Chain.Scripts;

namespace Coinshard.Cli.Commands;

/// <summary>`coinshard decode descriptor DESCRIPTOR [--range A-B] [--network NAME]`: checksum and expanded scripts.</summary>
internal static class DecodeDescriptorCommand
{
    /// <summary>Ranged descriptors without --range expand this many indexes (like a wallet's first addresses).</summary>
    public const int DefaultRangeCount = 10;

    /// <summary>Largest range printed at once; expanding more belongs to address import, not inspection.</summary>
    public const int MaxRangeCount = 100_000;

    public static Command Create(CliConsole console)
    {
        var descriptor = new Argument<string>("descriptor") { Description = "An output descriptor, with or without #checksum." };
        var range = new Option<string?>("--range", "-r") { Description = $"Indexes to expand for a ranged descriptor, A-B or N (default 0-{DefaultRangeCount - 1})." };
        var network = DecodeCommands.NetworkOption("Network for keys and addresses; the first network the descriptor is valid on when omitted.");
        var command = new Command("descriptor", "Check a descriptor's checksum and print the scripts it expands to.")
        {
            descriptor,
            range,
            network,
        };
        command.SetAction(parse =>
        {
            var text = parse.GetRequiredValue(descriptor).Trim();
            var parsed = Parse(text, DecodeCommands.ResolveNetwork(parse.GetValue(network)));
            var (first, last) = ResolveRange(parsed, parse.GetValue(range));
            var scripts = parsed.Expand(first, last, MaxRangeCount);
            JsonOutput.Write(console.Out, json =>
            {
                json.WriteStartObject();
                json.WriteString("descriptor", parsed.ToString());
                json.WriteString("checksum", parsed.Checksum);
                json.WriteBoolean("checksum_given", text.Contains('#', StringComparison.Ordinal));
                json.WriteString("network", parsed.Network.Name);
                json.WriteBoolean("is_range", parsed.IsRange);
                json.WriteBoolean("has_private_keys", parsed.HasPrivateKeys);
                json.WriteStartArray("scripts");
                for (var i = 0; i < scripts.Count; i++)
                {
                    var script = scripts[i];
                    json.WriteStartObject();
                    json.WriteNumber("index", first + (uint)i);
                    json.WriteString("script", Hex.Encode(script));
                    json.WriteString("type", ScriptClassifier.Classify(script).ToName());
                    if (AddressCodec.Encode(script, parsed.Network) is { } address)
                    {
                        json.WriteString("address", address);
                    }
                    json.WriteString("scripthash", ElectrumScripthash.Compute(script).ToString());
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            });
            return 0;
        });
        return command;
    }

    /// <summary>Parses on the given network, or on the first network that accepts it (mainnets first).</summary>
    private static OutputDescriptor Parse(string text, Network? network)
    {
        if (network is not null)
        {
            return OutputDescriptor.Parse(text, network);
        }
        ChainFormatException? firstError = null;
        foreach (var candidate in Network.All)
        {
            try
            {
                return OutputDescriptor.Parse(text, candidate);
            }
            catch (ChainFormatException e)
            {
                firstError ??= e;
            }
        }
        throw firstError!;
    }

    private static (uint First, uint Last) ResolveRange(OutputDescriptor descriptor, string? range)
    {
        if (!descriptor.IsRange)
        {
            return range is null ? (0u, 0u)
                : throw new CliUsageException("--range applies only to ranged descriptors (with /*)");
        }
        if (range is null)
        {
            return (0u, DefaultRangeCount - 1);
        }
        var parts = range.Split('-');
        if (parts.Length is < 1 or > 2
            || !uint.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first)
            || !uint.TryParse(parts[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var last))
        {
            throw new CliUsageException($"--range must be A-B or N with non-negative integers, got '{range}'");
        }
        if (parts.Length == 1)
        {
            (first, last) = (0, first);
        }
        if (first > last || last > OutputDescriptor.MaxIndex)
        {
            throw new CliUsageException($"--range {range}: need A <= B <= {OutputDescriptor.MaxIndex}");
        }
        if (last - first >= MaxRangeCount)
        {
            throw new CliUsageException($"--range {range} expands {(ulong)last - first + 1} scripts; at most {MaxRangeCount} at once");
        }
        return (first, last);
    }
}
