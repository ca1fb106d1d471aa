using System.Net;
using System.Net.Sockets;

namespace Coinshard.Electrum.Limits;

/// <summary>
/// The key per-address limits count under, and whether an address is exempt. An IPv4-mapped IPv6
/// address counts as its IPv4 address; an IPv6 address counts as its /64 prefix, because one host
/// usually holds a whole /64 and can change addresses inside it at will.
/// </summary>
internal sealed class ClientAddress
{
    private readonly IPNetwork[] _exempt;

    public ClientAddress(bool exemptLoopback, IEnumerable<string> exemptSubnets)
    {
        var exempt = exemptSubnets.Select(s => IPNetwork.Parse(s)).ToList();
        if (exemptLoopback)
        {
            exempt.Add(IPNetwork.Parse("127.0.0.0/8"));
            exempt.Add(IPNetwork.Parse("::1/128"));
        }
        _exempt = [.. exempt];
    }

    /// <summary>The address limits are counted under.</summary>
    public static IPAddress KeyOf(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address;
        }
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes);
    }

    /// <summary>True when per-address limits do not apply to <paramref name="address"/>.</summary>
    public bool IsExempt(IPAddress address)
    {
        var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        foreach (var network in _exempt)
        {
            if (network.Contains(plain))
            {
                return true;
            }
        }
        return false;
    }
}
