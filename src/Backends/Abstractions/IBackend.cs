using Coinshard.Chain.Networks;

namespace Coinshard.Backends;

/// <summary>
/// What every backend adapter shares: its identity, network, capabilities and health. The
/// capability interfaces below extend it; an adapter implements those it can serve, and the
/// router picks adapters by interface, <see cref="Capabilities"/> and <see cref="Health"/>.
/// </summary>
public interface IBackend
{
    /// <summary>A name for logs and the router's "answered by" reports (e.g. <c>core http://127.0.0.1:9332/</c>); never contains credentials.</summary>
    string Name { get; }

    /// <summary>The network this backend was configured for; calls fail if the backend turns out to be on another.</summary>
    Network Network { get; }

    /// <summary>What this backend can do (may become more precise once it has connected).</summary>
    BackendCapabilities Capabilities { get; }

    /// <summary>Health according to the most recent calls.</summary>
    BackendHealth Health { get; }
}
