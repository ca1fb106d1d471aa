using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

using Coinshard.Electrum.Server;
using Coinshard.Electrum.Tests.Support;
using Coinshard.TestSupport;

using Microsoft.Extensions.Logging;

using Xunit;

namespace Coinshard.Electrum.Tests.Server;

public class TransportTests
{
    [Fact]
    public async Task Tcp_answers_a_single_request_and_a_batch_in_order()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();

        var single = await client.CallAsync("echo", """["a",1]""", id: 7);
        Assert.Equal("2.0", single.GetProperty("jsonrpc").GetString());
        Assert.Equal(7, single.GetProperty("id").GetInt32());
        Assert.Equal("""["a",1]""", single.GetProperty("result").GetRawText());

        // A batch: answers in request order, one array; the notification (no id) gets no answer; the
        // invalid element gets its error in place.
        await client.SendAsync("""[{"id":"x","method":"echo","params":["first"]},{"method":"echo","params":["no answer"]},{"id":2,"method":7},{"id":3,"method":"server.ping"},{"id":4,"method":"echo","params":{"k":"last"}}]""");
        var batch = await client.ReadJsonAsync();
        Assert.Equal(JsonValueKind.Array, batch.ValueKind);
        Assert.Equal(4, batch.GetArrayLength());
        Assert.Equal("x", batch[0].GetProperty("id").GetString());
        Assert.Equal("""["first"]""", batch[0].GetProperty("result").GetRawText());
        Assert.Equal(2, batch[1].GetProperty("id").GetInt32());
        Assert.Equal(-32600, batch[1].GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(3, batch[2].GetProperty("id").GetInt32());
        Assert.Equal(JsonValueKind.Null, batch[2].GetProperty("result").ValueKind);
        Assert.Equal("""{"k":"last"}""", batch[3].GetProperty("result").GetRawText());
    }

    [Fact]
    public async Task Tcp_answers_pipelined_requests_in_order()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();

        var lines = string.Concat(Enumerable.Range(0, 500).Select(i => $"{{\"id\":{i},\"method\":\"echo\",\"params\":[{i}]}}\r\n"));
        await client.SendRawAsync(Encoding.UTF8.GetBytes(lines));
        for (var i = 0; i < 500; i++)
        {
            var answer = await client.ReadJsonAsync();
            Assert.Equal(i, answer.GetProperty("id").GetInt32());
            Assert.Equal(i, answer.GetProperty("result")[0].GetInt32());
        }
        Assert.Equal(1, server.Handler.MaxInFlight);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Tcp_and_tls_serve_with_or_without_receive_buffers_kept_between_messages(bool keep)
    {
        // Without kept buffers Kestrel waits for data with a zero-byte receive before renting one: a request
        // split across writes, and one after an idle pause, must be read whole either way.
        await using var server = await TestServer.StartAsync(o => o.KeepReceiveBuffers = keep);
        foreach (var tls in new[] { false, true })
        {
            await using var client = await server.ConnectAsync(tls: tls);
            await client.SendRawAsync("{\"id\":1,\"method\":\"ec"u8.ToArray());
            await Task.Delay(50);
            await client.SendRawAsync("ho\",\"params\":[\"split\"]}\n"u8.ToArray());
            Assert.Equal("split", (await client.ReadJsonAsync()).GetProperty("result")[0].GetString());
            await Task.Delay(200);
            Assert.Equal(2, (await client.CallAsync("echo", "[2]", id: 2)).GetProperty("result")[0].GetInt32());
        }
    }

    [Fact]
    public async Task Pipelined_answers_are_not_held_back_by_a_slow_message_after_them()
    {
        // The writer holds answers while more pipelined requests are queued; a message that is slow and has
        // no id produces nothing to write for a long time, and the answers before it must go out at once.
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();

        var lines = string.Concat(Enumerable.Range(0, 7).Select(i => $"{{\"id\":{i},\"method\":\"delay\",\"params\":[20]}}\n")) +
            """{"method":"slow","params":["no answer, and not soon"]}""" + "\n" + """{"id":99,"method":"echo","params":[]}""" + "\n";
        await client.SendRawAsync(Encoding.UTF8.GetBytes(lines));
        for (var i = 0; i < 7; i++)
        {
            var answer = await client.ReadJsonAsync().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(i, answer.GetProperty("id").GetInt32());
        }
    }

    [Fact]
    public async Task Tls_serves_the_pem_certificate()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync(tls: true);

        var answer = await client.CallAsync("echo", """["over tls"]""");

        Assert.Equal("""["over tls"]""", answer.GetProperty("result").GetRawText());
        Assert.Equal(server.Certificate.Thumbprint, client.ServerCertificate!.GetCertHashString());
    }

    [Fact]
    public async Task Tls_serves_a_pfx_certificate()
    {
        await using var server = await TestServer.StartAsync(o =>
        {
            o.Certificate.PfxPath = o.Certificate.CertPath![..^"cert.pem".Length] + "cert.pfx";
            o.Certificate.PfxPassword = "test-password";
            o.Certificate.CertPath = null;
            o.Certificate.KeyPath = null;
        });
        await using var client = await server.ConnectAsync(tls: true);

        var answer = await client.CallAsync("server.ping");

        Assert.Equal(JsonValueKind.Null, answer.GetProperty("result").ValueKind);
        Assert.Equal(server.Certificate.Thumbprint, client.ServerCertificate!.GetCertHashString());
    }

    [Fact]
    public async Task Tls_stays_off_with_a_log_line_when_a_certificate_file_is_missing()
    {
        await using var server = await TestServer.StartAsync(o => o.Certificate.KeyPath = "/nonexistent/key.pem");

        Assert.DoesNotContain(server.Server.Endpoints, e => e.Transport is ElectrumTransport.Tls or ElectrumTransport.SecureWebSocket);
        var line = Assert.Single(server.Logs.Entries, e => e.Message.Contains("TLS and secure WebSocket listeners are off", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Contains("/nonexistent/key.pem does not exist", line.Message, StringComparison.Ordinal);
        Assert.True(FreePorts.IsFree(server.TlsPort));
        await using var client = await server.ConnectAsync();
        Assert.Equal(JsonValueKind.Null, (await client.CallAsync("server.ping")).GetProperty("result").ValueKind);
    }

    [Fact]
    public async Task Tls_stays_off_with_a_log_line_when_no_certificate_is_configured()
    {
        await using var server = await TestServer.StartAsync(o => o.Certificate = new ElectrumCertificateOptions());

        Assert.Equal([ElectrumTransport.Tcp, ElectrumTransport.WebSocket], server.Server.Endpoints.Select(e => e.Transport));
        Assert.Contains(server.Logs.Entries, e => e.Message.Contains("no certificate is configured", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WebSocket_carries_one_message_per_frame_without_a_newline(bool secure)
    {
        await using var server = await TestServer.StartAsync();
        using var socket = new ClientWebSocket();
        if (secure)
        {
            socket.Options.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                certificate?.GetCertHashString() == server.Certificate.Thumbprint;
        }
        var uri = new Uri($"{(secure ? "wss" : "ws")}://localhost:{(secure ? server.WssPort : server.WsPort)}/");
        await socket.ConnectAsync(uri, CancellationToken.None).WaitAsync(LineClient.Timeout);

        await SendAsync(socket, """{"id":1,"method":"echo","params":["frame"]}""");
        var single = await ReceiveAsync(socket);
        Assert.DoesNotContain('\n', single);
        Assert.Equal("""{"jsonrpc":"2.0","result":["frame"],"id":1}""", single);

        await SendAsync(socket, """[{"id":2,"method":"echo","params":[2]},{"id":3,"method":"server.ping"}]""");
        var batch = await ReceiveAsync(socket);
        Assert.Equal("""[{"jsonrpc":"2.0","result":[2],"id":2},{"jsonrpc":"2.0","result":null,"id":3}]""", batch);

        // A message split over several frames is one message.
        var bytes = Encoding.UTF8.GetBytes("""{"id":4,"method":"echo","params":["in pieces"]}""");
        await socket.SendAsync(bytes.AsMemory(0, 10), WebSocketMessageType.Text, false, CancellationToken.None);
        await socket.SendAsync(bytes.AsMemory(10), WebSocketMessageType.Text, true, CancellationToken.None);
        Assert.Equal("""{"jsonrpc":"2.0","result":["in pieces"],"id":4}""", await ReceiveAsync(socket));

        // Notifications arrive as frames of their own.
        await SendAsync(socket, """{"id":5,"method":"notify","params":[2]}""");
        var frames = new[] { await ReceiveAsync(socket), await ReceiveAsync(socket), await ReceiveAsync(socket) };
        Assert.Contains("""{"jsonrpc":"2.0","method":"test.notify","params":[0]}""", frames);
        Assert.Contains("""{"jsonrpc":"2.0","method":"test.notify","params":[1]}""", frames);
        Assert.Contains("""{"jsonrpc":"2.0","result":2,"id":5}""", frames);

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).WaitAsync(LineClient.Timeout);
        await Eventually.TrueAsync(() => server.Server.SessionCount == 0, "the WebSocket session ended");
    }

    [Fact]
    public async Task A_plain_http_request_to_the_websocket_port_gets_400()
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient();

        var response = await http.GetAsync(new Uri($"http://127.0.0.1:{server.WsPort}/")).WaitAsync(LineClient.Timeout);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Notifications_reach_a_tcp_client_and_the_handler_sees_the_session()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();

        await client.SendAsync("""{"id":1,"method":"notify","params":[3]}""");
        var lines = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            lines.Add((await client.ReadLineAsync())!);
        }

        Assert.Equal(3, lines.Count(l => l.Contains("\"method\":\"test.notify\"", StringComparison.Ordinal)));
        Assert.Contains("""{"jsonrpc":"2.0","result":3,"id":1}""", lines);
        var session = Assert.Single(server.Handler.Sessions.Values);
        Assert.Equal(System.Net.IPAddress.Loopback, session.RemoteAddress);
    }

    [Fact]
    public async Task Closing_a_session_tells_the_handler_and_releases_subscriptions()
    {
        await using var server = await TestServer.StartAsync();
        var client = await server.ConnectAsync();
        await client.CallAsync("subscribe");
        await client.CallAsync("subscribe", id: 2);
        Assert.Equal(2, server.Server.Subscriptions.Total);
        var id = Assert.Single(server.Handler.Sessions.Keys);

        await client.DisposeAsync();

        await Eventually.TrueAsync(() => server.Handler.ClosedSessions.Contains(id), "the handler was told the session closed");
        Assert.Equal(0, server.Server.Subscriptions.Total);
        Assert.Equal(0, server.Server.SessionCount);
    }

    [Fact]
    public async Task Stopping_the_server_closes_every_session()
    {
        var server = await TestServer.StartAsync();
        await using var tcp = await server.ConnectAsync();
        await using var tls = await server.ConnectAsync(tls: true);
        await tcp.CallAsync("server.ping");
        await tls.CallAsync("server.ping");

        await server.DisposeAsync();

        Assert.True(await tcp.WaitClosedAsync());
        Assert.True(await tls.WaitClosedAsync());
        Assert.Equal(2, server.Handler.ClosedSessions.Count);
    }

    [Fact]
    public async Task A_port_in_use_fails_the_start_clearly_and_releases_the_other_ports()
    {
        using var directory = new TempDirectory("electrum");
        var options = TestServer.DefaultOptions(TestCertificate.Create(directory.Path));
        using var blocker = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, options.WebSocket.Port);
        blocker.Start();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ElectrumServer.StartAsync(options, new FakeHandler(), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, CancellationToken.None));

        Assert.Contains($"ws 127.0.0.1:{options.WebSocket.Port}", error.Message, StringComparison.Ordinal);
        Assert.True(FreePorts.IsFree(options.Tcp.Port));
        Assert.True(FreePorts.IsFree(options.Tls.Port));
    }

    private static Task SendAsync(ClientWebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None).WaitAsync(LineClient.Timeout);

    private static async Task<string> ReceiveAsync(ClientWebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        var length = 0;
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None).AsTask().WaitAsync(LineClient.Timeout);
            Assert.Equal(WebSocketMessageType.Text, result.MessageType);
            length += result.Count;
            if (result.EndOfMessage)
            {
                return Encoding.UTF8.GetString(buffer, 0, length);
            }
        }
    }
}
