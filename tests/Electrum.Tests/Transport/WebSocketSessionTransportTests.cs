using System.Net.WebSockets;

using Coinshard.Electrum.Transport;

using Xunit;

namespace Coinshard.Electrum.Tests.Transport;

public sealed class WebSocketSessionTransportTests
{
    [Fact]
    public void Aborting_a_session_whose_request_already_ended_does_not_throw()
    {
        // At server shutdown a WebSocket session can be aborted just after its request finished, when Kestrel
        // has already disposed the HttpContext whose Abort the transport calls (AbuseTests failed so under load).
        using var socket = WebSocket.CreateFromStream(new MemoryStream(), new WebSocketCreationOptions { IsServer = true });
        using var transport = new WebSocketSessionTransport(socket, () => throw new ObjectDisposedException("Collection", "IFeatureCollection has been disposed."), 1000, "test");

        transport.Abort("server stopping");
    }
}
