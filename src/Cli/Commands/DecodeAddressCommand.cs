using System.CommandLine;

using Coinshard.Chain.Addresses;
using Coinshard.Chain.Encoding;
using Coinshard.Chain.Scripts;

namespace Coinshard.Cli.Commands;

/// <summary>`coinshard decode address ADDRESS [--network NAME]`: the script and Electrum scripthash an address pays to.</summary>
internal static class DecodeAddressCommand
{
    public static Command Create(CliConsole console)
    {
        var address = new Argument<string>("address") { Description = "A Base58 or Bech32/Bech32m address." };
        var network = DecodeCommands.NetworkOption("Network the address must belong to; detected from the address when omitted.");
        var command = new Command("address", "Print the network, script type, script and Electrum scripthash of an address.")
        {
            address,
            network,
        };
        command.SetAction(parse =>
        {
            var decoded = AddressCodec.Decode(parse.GetRequiredValue(address).Trim(), DecodeCommands.ResolveNetwork(parse.GetValue(network)));
            JsonOutput.Write(console.Out, json =>
            {
                json.WriteStartObject();
                json.WriteString("network", decoded.Network.Name);
                json.WriteString("type", decoded.Type.ToName());
                json.WriteString("script", Hex.Encode(decoded.Script));
                json.WriteString("scripthash", ElectrumScripthash.Compute(decoded.Script).ToString());
                json.WriteEndObject();
            });
            return 0;
        });
        return command;
    }
}
