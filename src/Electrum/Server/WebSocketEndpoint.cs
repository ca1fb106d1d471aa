using System.Net;

using Coinshard.Electrum.Transport;

using Microsoft.AspNetCore.Http;

namespace Coinshard.Electrum.Server;

/// <summary>The HTTP side of the WebSocket listeners: upgrades and serves the socket as an Electrum session.</summary>
internal sealed class WebSocketEndpoint(ElectrumServerContext context)
{
    public async Task HandleAsync(HttpContext http)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            http.Response.ContentType = "text/plain";
            await http.Response.WriteAsync("Electrum server: connect with a WebSocket client\n", http.RequestAborted).ConfigureAwait(false);
            return;
        }
        var admission = http.Features.Get<SessionAdmission>();
        var remote = admission?.Remote ?? http.Connection.RemoteIpAddress ?? IPAddress.None;
        using var socket = await http.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { DangerousEnableCompression = false }).ConfigureAwait(false);
        using var transport = new WebSocketSessionTransport(socket, http.Abort, context.Limits.MaxLineBytes, http.Request.IsHttps ? "wss" : "ws");
        await context.RunSessionAsync(transport, remote, admission?.Address).ConfigureAwait(false);
    }
}
