using System.Globalization;
using System.Net;

using Coinshard.Electrum.Protocol;

using Microsoft.Extensions.Configuration;

namespace Coinshard.Electrum.Server;

/// <summary>One listener: a port (0 disables it) and an optional bind address of its own.</summary>
public sealed class ElectrumListenerOptions
{
    /// <summary>The port; 0 disables this listener.</summary>
    public int Port { get; set; }

    /// <summary>
    /// Where to listen: an IP address, or <c>*</c> for every interface (IPv4 and IPv6). Null uses
    /// <see cref="ElectrumServerOptions.BindAddress"/>.
    /// </summary>
    public string? BindAddress { get; set; }
}

/// <summary>
/// The TLS certificate for the TLS and secure WebSocket listeners: PEM certificate + key files, or a
/// PFX file. TLS listeners start only when the files exist; otherwise the server logs why not.
/// </summary>
public sealed class ElectrumCertificateOptions
{
    /// <summary>PEM certificate (chain) file; with <see cref="KeyPath"/>. Env <c>TLS_CERT_PATH</c>.</summary>
    public string? CertPath { get; set; }

    /// <summary>PEM private key file (unencrypted PKCS#8, PKCS#1 or SEC1). Env <c>TLS_KEY_PATH</c>.</summary>
    public string? KeyPath { get; set; }

    /// <summary>PKCS#12 (.pfx) file holding certificate and key; used instead of the PEM pair when set.</summary>
    public string? PfxPath { get; set; }

    /// <summary>Password of <see cref="PfxPath"/>; null or empty when it has none.</summary>
    public string? PfxPassword { get; set; }
}

/// <summary>
/// Limits that keep one client (or one address) from exhausting the server. The defaults suit a
/// public server and large wallets; every value is configurable.
/// </summary>
public sealed class ElectrumLimits
{
    /// <summary>
    /// Longest request line (or WebSocket message), in bytes. 1,000,000 like ElectrumX's MAX_RECV:
    /// room for the hex of the largest standard transaction (400,000 weight units, at most
    /// 400 KB, i.e. 800 KB of hex) in a broadcast. A longer line is answered with an error, skipped
    /// and counted as a strike; the session goes on.
    /// </summary>
    public int MaxLineBytes { get; set; } = 1_000_000;

    /// <summary>Most requests in one JSON-RPC batch (Fulcrum's default); a larger batch is refused as a whole.</summary>
    public int MaxBatch { get; set; } = 345;

    /// <summary>
    /// Most requests read but not yet answered per session. Requests are answered in order, one at a
    /// time; when this many are waiting the session stops reading (TCP back-pressure), it does not
    /// refuse them: wallets pipeline hundreds of subscriptions at start-up and must not see errors.
    /// A batch larger than this is still taken whole when nothing else is pending.
    /// </summary>
    public int MaxPendingPerSession { get; set; } = 256;

    /// <summary>
    /// Most sessions from one address (IPv4 address, or IPv6 /64 prefix); a new connection beyond it
    /// is closed at once. Addresses in <see cref="ExemptSubnets"/> (and loopback unless
    /// <see cref="ExemptLoopback"/> is false) are not limited.
    /// </summary>
    public int MaxSessionsPerIp { get; set; } = 32;

    /// <summary>Most sessions in total (every transport); a new connection beyond it is closed at once.</summary>
    public int MaxSessionsTotal { get; set; } = 10_000;

    /// <summary>Most scripthash subscriptions per session (ElectrumX's default).</summary>
    public int MaxSubscriptionsPerSession { get; set; } = 50_000;

    /// <summary>Most scripthash subscriptions of all sessions from one address (Fulcrum's default).</summary>
    public int MaxSubscriptionsPerIp { get; set; } = 75_000;

    /// <summary>
    /// A session that sends no complete message for this long (and has none pending) is closed.
    /// Bytes without a newline do not count, so a slowloris trickle is closed too. ElectrumX's default.
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Cost units a session may spend at once (token bucket capacity). Every request costs
    /// <c>IElectrumMethodHandler.CostOf</c> (1 for <c>server.version</c> and <c>server.ping</c>).
    /// </summary>
    public double CostBurst { get; set; } = 10_000;

    /// <summary>Cost units a session regains per second; 0 or less turns throttling off.</summary>
    public double CostRefillPerSecond { get; set; } = 1_000;

    /// <summary>Cost units all sessions of one address may spend at once.</summary>
    public double IpCostBurst { get; set; } = 40_000;

    /// <summary>Cost units one address regains per second; 0 or less turns per-address throttling off.</summary>
    public double IpCostRefillPerSecond { get; set; } = 4_000;

    /// <summary>
    /// Longest wait imposed on an over-budget request; when it would have to wait longer it is
    /// refused with an error (and counted as a strike) instead.
    /// </summary>
    public TimeSpan MaxThrottleDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Bytes of responses and notifications queued for a client that is not reading them; beyond it
    /// the session is closed instead of buffering without bound (8 MB, Fulcrum's per-client buffer).
    /// One message larger than this is still sent when nothing else is queued.
    /// </summary>
    public int MaxOutboundBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// Abuse events (oversized line, text that is not JSON, a request refused by throttling) a session
    /// may commit before it is closed.
    /// </summary>
    public int StrikesBeforeClose { get; set; } = 10;

    /// <summary>Loopback clients (a local reverse proxy, Tor) are exempt from per-address limits.</summary>
    public bool ExemptLoopback { get; set; } = true;

    /// <summary>More subnets exempt from per-address limits (CIDR, e.g. <c>10.0.0.0/8</c>): trusted proxies.</summary>
    public IList<string> ExemptSubnets { get; init; } = [];
}

/// <summary>
/// Everything the Electrum listeners need: ports and bind addresses per transport, the TLS
/// certificate and the abuse limits. Bound from the configuration section
/// <see cref="ConfigurationSection"/>, with the environment names <c>TCP_PORT</c>, <c>TLS_PORT</c>,
/// <c>TLS_CERT_PATH</c> and <c>TLS_KEY_PATH</c> (what users of UTXO-only servers set) on top.
/// </summary>
public sealed class ElectrumServerOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string ConfigurationSection = "Coinshard:Electrum";

    /// <summary>Default bind address of every listener: <c>*</c> is every interface, or an IP address.</summary>
    public string BindAddress { get; set; } = "*";

    /// <summary>Plain TCP, newline-delimited JSON-RPC (default port 50001). Env <c>TCP_PORT</c>.</summary>
    public ElectrumListenerOptions Tcp { get; set; } = new() { Port = 50001 };

    /// <summary>TLS, newline-delimited JSON-RPC (default port 50002). Env <c>TLS_PORT</c>.</summary>
    public ElectrumListenerOptions Tls { get; set; } = new() { Port = 50002 };

    /// <summary>WebSocket, one JSON message per frame (default port 50003).</summary>
    public ElectrumListenerOptions WebSocket { get; set; } = new() { Port = 50003 };

    /// <summary>WebSocket over TLS (default port 50004).</summary>
    public ElectrumListenerOptions SecureWebSocket { get; set; } = new() { Port = 50004 };

    /// <summary>The certificate of the TLS and secure WebSocket listeners.</summary>
    public ElectrumCertificateOptions Certificate { get; set; } = new();

    /// <summary>
    /// Whether each connection keeps a receive buffer between messages. With it, a request costs one receive
    /// call instead of a zero-byte wait plus a receive: measured 12% less server CPU per one-at-a-time request
    /// and a p99 about 0.7 ms lower (electrum.load), for about 4.5 KB more per idle TCP session (7.4 to 11.8 KB).
    /// Turn it off for very many mostly idle sessions.
    /// </summary>
    public bool KeepReceiveBuffers { get; set; } = true;

    /// <summary>Per-session and per-address limits.</summary>
    public ElectrumLimits Limits { get; set; } = new();

    /// <summary>Software name and version answered to <c>server.version</c>.</summary>
    public string ServerSoftware { get; set; } = "Coinshard " + (typeof(ElectrumServerOptions).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");

    /// <summary>Oldest protocol version negotiated (text such as <c>1.4</c>).</summary>
    public string ProtocolMin { get; set; } = ProtocolVersion.Version14.ToString();

    /// <summary>Newest protocol version negotiated.</summary>
    public string ProtocolMax { get; set; } = ProtocolVersion.Version16.ToString();

    /// <summary>
    /// Binds the section <see cref="ConfigurationSection"/> of <paramref name="configuration"/>, then
    /// applies <c>TCP_PORT</c>, <c>TLS_PORT</c>, <c>TLS_CERT_PATH</c> and <c>TLS_KEY_PATH</c> from
    /// <paramref name="environment"/> (the process environment when null), then validates.
    /// </summary>
    /// <exception cref="InvalidOperationException">A value is out of range or unreadable; the message names it.</exception>
    public static ElectrumServerOptions FromConfiguration(IConfiguration configuration, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new ElectrumServerOptions();
        try
        {
            configuration.GetSection(ConfigurationSection).Bind(options);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"invalid {ConfigurationSection} configuration: {e.Message}", e);
        }
        options.ApplyEnvironment(environment ?? Environment.GetEnvironmentVariable);
        options.Validate();
        return options;
    }

    /// <summary>
    /// Applies the environment names users of UTXO-only servers expect: <c>TCP_PORT</c>,
    /// <c>TLS_PORT</c>, <c>TLS_CERT_PATH</c>, <c>TLS_KEY_PATH</c>. Unset or empty names change nothing.
    /// </summary>
    /// <exception cref="InvalidOperationException">A port variable is not a port number.</exception>
    public void ApplyEnvironment(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (Port(environment, "TCP_PORT") is { } tcp)
        {
            Tcp.Port = tcp;
        }
        if (Port(environment, "TLS_PORT") is { } tls)
        {
            Tls.Port = tls;
        }
        if (environment("TLS_CERT_PATH") is { Length: > 0 } cert)
        {
            Certificate.CertPath = cert;
        }
        if (environment("TLS_KEY_PATH") is { Length: > 0 } key)
        {
            Certificate.KeyPath = key;
        }
    }

    /// <summary>Checks every value; throws one message listing what is wrong.</summary>
    /// <exception cref="InvalidOperationException">Something is out of range; the message names each setting.</exception>
    public void Validate()
    {
        var problems = new List<string>();
        foreach (var (name, listener) in Listeners())
        {
            if (listener.Port is < 0 or > 65535)
            {
                problems.Add($"{name}:Port must be 0 (off) to 65535, not {listener.Port}");
            }
            if (!TryParseBindAddress(listener.BindAddress ?? BindAddress, out _))
            {
                problems.Add($"{name}:BindAddress '{listener.BindAddress ?? BindAddress}' is neither '*' nor an IP address");
            }
        }
        var l = Limits;
        Positive(problems, "Limits:MaxLineBytes", l.MaxLineBytes);
        Positive(problems, "Limits:MaxBatch", l.MaxBatch);
        Positive(problems, "Limits:MaxPendingPerSession", l.MaxPendingPerSession);
        Positive(problems, "Limits:MaxSessionsPerIp", l.MaxSessionsPerIp);
        Positive(problems, "Limits:MaxSessionsTotal", l.MaxSessionsTotal);
        Positive(problems, "Limits:MaxSubscriptionsPerSession", l.MaxSubscriptionsPerSession);
        Positive(problems, "Limits:MaxSubscriptionsPerIp", l.MaxSubscriptionsPerIp);
        Positive(problems, "Limits:MaxOutboundBytes", l.MaxOutboundBytes);
        Positive(problems, "Limits:StrikesBeforeClose", l.StrikesBeforeClose);
        if (l.IdleTimeout <= TimeSpan.Zero)
        {
            problems.Add($"Limits:IdleTimeout must be positive, not {l.IdleTimeout}");
        }
        if (l.MaxThrottleDelay < TimeSpan.Zero)
        {
            problems.Add($"Limits:MaxThrottleDelay must not be negative, not {l.MaxThrottleDelay}");
        }
        if (l.CostRefillPerSecond > 0 && !(l.CostBurst >= 1))
        {
            problems.Add($"Limits:CostBurst must be at least 1, not {l.CostBurst}");
        }
        if (l.IpCostRefillPerSecond > 0 && !(l.IpCostBurst >= 1))
        {
            problems.Add($"Limits:IpCostBurst must be at least 1, not {l.IpCostBurst}");
        }
        foreach (var subnet in l.ExemptSubnets)
        {
            if (!IPNetwork.TryParse(subnet, out _))
            {
                problems.Add($"Limits:ExemptSubnets entry '{subnet}' is not a CIDR subnet such as 10.0.0.0/8");
            }
        }
        if (!ProtocolVersion.TryParse(ProtocolMin, out var min))
        {
            problems.Add($"ProtocolMin '{ProtocolMin}' is not a protocol version");
        }
        if (!ProtocolVersion.TryParse(ProtocolMax, out var max))
        {
            problems.Add($"ProtocolMax '{ProtocolMax}' is not a protocol version");
        }
        else if (min > max)
        {
            problems.Add($"ProtocolMin {ProtocolMin} is above ProtocolMax {ProtocolMax}");
        }
        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"invalid {ConfigurationSection} configuration: {string.Join("; ", problems)}");
        }
    }

    internal IEnumerable<(string Name, ElectrumListenerOptions Listener)> Listeners() =>
        [("Tcp", Tcp), ("Tls", Tls), ("WebSocket", WebSocket), ("SecureWebSocket", SecureWebSocket)];

    /// <summary>Parses a bind address; null address means every interface.</summary>
    internal static bool TryParseBindAddress(string? text, out IPAddress? address)
    {
        address = null;
        if (text is null || text.Trim() is "*" or "")
        {
            return true;
        }
        return IPAddress.TryParse(text.Trim(), out address);
    }

    private static int? Port(Func<string, string?> environment, string name)
    {
        var text = environment(name);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        return int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535
            ? port
            : throw new InvalidOperationException($"environment variable {name}='{text}' is not a port number (0 to 65535; 0 turns the listener off)");
    }

    private static void Positive(List<string> problems, string name, int value)
    {
        if (value <= 0)
        {
            problems.Add($"{name} must be positive, not {value}");
        }
    }
}
