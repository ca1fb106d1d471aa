using Coinshard.Chain.Networks;

namespace Coinshard.Chain.Keys;

/// <summary>Classifies BIP32 version bytes using the networks' <c>ExtPubKeyVersions</c>/<c>ExtPrivKeyVersions</c>.</summary>
internal static class ExtKeyVersions
{
    /// <summary>
    /// True for a private version, false for a public one; throws when the version is unknown, or
    /// belongs to another network than <paramref name="network"/> (when given).
    /// </summary>
    public static bool IsPrivate(uint version, Network? network)
    {
        if (network is not null)
        {
            if (network.ExtPrivKeyVersions.Contains(version))
            {
                return true;
            }
            if (network.ExtPubKeyVersions.Contains(version))
            {
                return false;
            }
            var owner = Network.All.FirstOrDefault(n => n.ExtPrivKeyVersions.Contains(version) || n.ExtPubKeyVersions.Contains(version));
            if (owner is not null)
            {
                throw new InvalidKeyException(InvalidKeyReason.WrongNetwork,
                    $"extended key version {version:x8} belongs to {owner.Name}, not {network.Name}");
            }
        }
        else
        {
            if (Network.All.Any(n => n.ExtPrivKeyVersions.Contains(version)))
            {
                return true;
            }
            if (Network.All.Any(n => n.ExtPubKeyVersions.Contains(version)))
            {
                return false;
            }
        }
        throw new InvalidKeyException(InvalidKeyReason.UnknownVersion, $"unknown extended key version {version:x8}");
    }

    /// <summary>The public version paired with a private one (xprv→xpub, tprv→tpub, Ltpv→Ltub, ttpv→ttub).</summary>
    public static uint PublicFor(uint privateVersion)
    {
        foreach (var network in Network.All)
        {
            for (var i = 0; i < network.ExtPrivKeyVersions.Count; i++)
            {
                if (network.ExtPrivKeyVersions[i] == privateVersion)
                {
                    return network.ExtPubKeyVersions[i];
                }
            }
        }
        throw new InvalidKeyException(InvalidKeyReason.UnknownVersion, $"unknown extended private key version {privateVersion:x8}");
    }
}
