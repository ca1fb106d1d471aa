using System.Security.Cryptography;

namespace Coinshard.Integration.Tests.Support;

/// <summary>
/// One output script the scenario used: asked for at the admin API by address (or, for a bare script, by its
/// Electrum scripthash) and at the node by <c>scantxoutset</c> descriptor.
/// </summary>
/// <param name="Kind">legacy, p2sh-segwit, bech32, p2pk, bare-multisig, builder…</param>
/// <param name="ScriptHex">The output script, hex.</param>
/// <param name="Address">The address, when the script has one.</param>
public sealed record Target(string Kind, string ScriptHex, string? Address)
{
    /// <summary>The <c>scantxoutset</c> descriptor.</summary>
    public string Descriptor => Address is null ? $"raw({ScriptHex})" : $"addr({Address})";

    /// <summary>What the admin API is asked with: the address, else the Electrum scripthash (SHA-256 of the script, reversed, hex).</summary>
    public string Query => Address ?? Scripthash(ScriptHex);

    /// <summary>The Electrum scripthash of a script, computed here independently of the production code.</summary>
    public static string Scripthash(string scriptHex)
    {
        var hash = SHA256.HashData(Convert.FromHexString(scriptHex));
        Array.Reverse(hash);
        return Convert.ToHexStringLower(hash);
    }

    public override string ToString() => $"{Kind} {Address ?? ScriptHex}";
}
