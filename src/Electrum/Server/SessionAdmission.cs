using System.Net;

using Coinshard.Electrum.Limits;

namespace Coinshard.Electrum.Server;

/// <summary>A connection feature: the admitted client's address and its per-address state.</summary>
internal sealed record SessionAdmission(IPAddress Remote, AddressState? Address);
