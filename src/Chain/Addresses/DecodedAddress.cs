using Coinshard.Chain.Networks;
using Coinshard.Chain.Scripts;

namespace Coinshard.Chain.Addresses;

/// <summary>An address resolved to the output script it pays, on the network it was decoded for.</summary>
/// <param name="Network">The network asked for, or the best match when none was given.</param>
/// <param name="Type">The script template (P2PKH, P2SH, P2WPKH, P2WSH, P2TR or WitnessUnknown).</param>
/// <param name="Script">The output script (scriptPubKey) the address stands for.</param>
public sealed record DecodedAddress(Network Network, ScriptType Type, byte[] Script);
