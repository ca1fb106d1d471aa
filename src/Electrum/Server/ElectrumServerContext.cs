using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

using Coinshard.Electrum.Limits;
using Coinshard.Electrum.Protocol;
using Coinshard.Electrum.Sessions;

using Microsoft.Extensions.Logging;

namespace Coinshard.Electrum.Server;

/// <summary>What every session of one server shares: options, handler, budgets, the session table and the logs.</summary>
internal sealed partial class ElectrumServerContext
{
    private readonly LogThrottle _refusals = new(10, TimeSpan.FromSeconds(10));

    public ElectrumServerContext(ElectrumServerOptions options, IElectrumMethodHandler handler, SubscriptionBudget subscriptions, ILoggerFactory loggerFactory)
    {
        Options = options;
        Handler = handler;
        Subscriptions = subscriptions;
        Connections = new ConnectionLimiter(options.Limits);
        ProtocolMin = ProtocolVersion.Parse(options.ProtocolMin);
        ProtocolMax = ProtocolVersion.Parse(options.ProtocolMax);
        SessionLog = loggerFactory.CreateLogger("Coinshard.Electrum.Sessions");
        ConnectionLog = loggerFactory.CreateLogger("Coinshard.Electrum.Connections");
    }

    public ElectrumServerOptions Options { get; }

    public ElectrumLimits Limits => Options.Limits;

    public IElectrumMethodHandler Handler { get; }

    public SubscriptionBudget Subscriptions { get; }

    public ConnectionLimiter Connections { get; }

    public ProtocolVersion ProtocolMin { get; }

    public ProtocolVersion ProtocolMax { get; }

    public ILogger SessionLog { get; }

    public ILogger ConnectionLog { get; }

    /// <summary>Abuse closes and handler faults: a client can cause many, so they are rate-limited.</summary>
    public LogThrottle AbuseLog { get; } = new(20, TimeSpan.FromSeconds(10));

    /// <summary>Handler exceptions (each logged once, at most a few per window).</summary>
    public LogThrottle FaultLog { get; } = new(10, TimeSpan.FromSeconds(10));

    /// <summary>Open sessions by id.</summary>
    public ConcurrentDictionary<long, ElectrumSessionRunner> Sessions { get; } = new();

    /// <summary>Admits a connection against the session limits; a refusal is logged (rate-limited).</summary>
    public bool TryAdmit(IPAddress remote, string transport, out AddressState? address)
    {
        if (Connections.TryAdmit(remote, out address, out var refusal))
        {
            return true;
        }
        if (_refusals.TryAcquire(out var suppressed))
        {
            LogRefused(ConnectionLog, transport, remote, refusal!, suppressed);
        }
        return false;
    }

    /// <summary>Runs an admitted session to its end; never throws. The admission is released by whoever admitted it.</summary>
    public async Task RunSessionAsync(ISessionTransport transport, IPAddress remote, AddressState? address)
    {
        var session = new ElectrumSessionRunner(this, transport, remote, address);
        await session.RunAsync().ConfigureAwait(false);
    }

    /// <summary>Closes idle sessions and ends stuck closes; forgets refilled address budgets. Called by a timer.</summary>
    public void Sweep()
    {
        var now = Stopwatch.GetTimestamp();
        // A timer callback must never throw (an unhandled exception there ends the process).
        foreach (var (_, session) in Sessions)
        {
            try
            {
                session.Sweep(now);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogSweepFault(SessionLog, e, session.Id);
            }
        }
        Connections.Sweep(now);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "session {Id}: closing it from the sweeper failed")]
    private static partial void LogSweepFault(ILogger logger, Exception exception, long id);

    [LoggerMessage(Level = LogLevel.Information, Message = "refused {Transport} connection from {Remote}: {Reason} (similar lines suppressed before this one: {Suppressed})")]
    private static partial void LogRefused(ILogger logger, string transport, IPAddress remote, string reason, int suppressed);
}
