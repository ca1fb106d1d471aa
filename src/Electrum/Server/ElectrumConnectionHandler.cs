using Coinshard.Electrum.Transport;

using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Coinshard.Electrum.Server;

/// <summary>Serves a raw TCP or TLS connection (already admitted) as an Electrum session.</summary>
internal sealed class ElectrumConnectionHandler(ElectrumServerContext context) : ConnectionHandler
{
    public override Task OnConnectedAsync(ConnectionContext connection)
    {
        var admission = connection.Features.Get<SessionAdmission>()
            ?? throw new InvalidOperationException("connection reached the Electrum handler without admission");
        var tls = connection.Features.Get<ITlsHandshakeFeature>() is not null;
        var transport = new PipeSessionTransport(connection, context.Limits.MaxLineBytes, tls ? "tls" : "tcp");
        return context.RunSessionAsync(transport, admission.Remote, admission.Address);
    }
}
