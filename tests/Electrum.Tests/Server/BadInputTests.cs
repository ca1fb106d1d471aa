using System.Text;
using System.Text.Json;

using Coinshard.Electrum.Protocol;
using Coinshard.Electrum.Tests.Support;
using Coinshard.TestSupport;

using Xunit;

namespace Coinshard.Electrum.Tests.Server;

/// <summary>
/// The bad-input battery, part 1: malformed and wrong requests get errors and the session goes on;
/// garbage and oversized lines are strikes that end in a close; a well-behaved client on another
/// address is answered throughout.
/// </summary>
public class BadInputTests
{
    [Theory]
    [InlineData("""{"id":1,"method":""")]
    [InlineData("not json at all")]
    [InlineData("""{"id":1 "method":"echo"}""")]
    [InlineData("[1,2")]
    [InlineData("""{"id":1,"method":"echo"}}""")]
    [InlineData("\u0000\u0001\u0002")]
    public async Task Malformed_json_gets_a_parse_error_with_a_null_id_and_the_session_goes_on(string line)
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();

        await client.SendAsync(line);
        var error = await client.ReadJsonAsync();

        Assert.Equal(JsonValueKind.Null, error.GetProperty("id").ValueKind);
        Assert.Equal(JsonRpcErrorCodes.ParseError, error.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal("""["still here"]""", (await client.CallAsync("echo", """["still here"]""")).GetProperty("result").GetRawText());
    }

    [Fact]
    public async Task Nesting_deeper_than_the_parser_allows_is_a_parse_error()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();

        await client.SendAsync($"{{\"id\":1,\"method\":\"echo\",\"params\":{new string('[', 5000)}{new string(']', 5000)}}}");

        Assert.Equal(JsonRpcErrorCodes.ParseError, (await client.ReadJsonAsync()).GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(JsonValueKind.Null, (await client.CallAsync("server.ping")).GetProperty("result").ValueKind);
    }

    [Theory]
    [InlineData("""{"id":1,"method":5}""", "1")]
    [InlineData("""{"id":2,"method":"echo","params":"a string"}""", "2")]
    [InlineData("""{"id":3,"jsonrpc":"1.0","method":"echo"}""", "3")]
    [InlineData("""{"id":{"a":1},"method":"echo"}""", "null")]
    [InlineData("""{"id":[1],"method":"echo"}""", "null")]
    [InlineData("42", "null")]
    [InlineData("\"server.ping\"", "null")]
    [InlineData("[]", "null")]
    public async Task Wrong_types_get_an_invalid_request_error_and_the_session_goes_on(string line, string expectedId)
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();

        await client.SendAsync(line);
        var error = await client.ReadJsonAsync();

        Assert.Equal(expectedId, error.GetProperty("id").GetRawText());
        Assert.Equal(JsonRpcErrorCodes.InvalidRequest, error.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(JsonValueKind.Null, (await client.CallAsync("server.ping")).GetProperty("result").ValueKind);
    }

    [Fact]
    public async Task Invalid_utf8_inside_a_request_is_answered_with_an_error()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();

        var bytes = Encoding.UTF8.GetBytes("""{"id":1,"method":"echo","params":["AB"]}""" + "\n");
        var at = Array.IndexOf(bytes, (byte)'A');
        bytes[at] = 0xff;
        bytes[at + 1] = 0xfe;
        await client.SendRawAsync(bytes);
        var method = Encoding.UTF8.GetBytes("""{"id":2,"method":"ABC"}""" + "\n");
        method[Array.IndexOf(method, (byte)'A')] = 0xc3;
        await client.SendRawAsync(method);

        for (var i = 0; i < 2; i++)
        {
            var answer = await client.ReadJsonAsync();
            Assert.True(answer.TryGetProperty("error", out var error), answer.GetRawText());
            Assert.True(error.GetProperty("code").GetInt32() is JsonRpcErrorCodes.ParseError or JsonRpcErrorCodes.InvalidRequest);
        }
        Assert.Equal(JsonValueKind.Null, (await client.CallAsync("server.ping", id: 3)).GetProperty("result").ValueKind);
    }

    [Fact]
    public async Task An_unknown_method_gets_the_handlers_error_unchanged()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();

        var answer = await client.CallAsync("blockchain.nothing.here", id: 9);

        Assert.Equal(9, answer.GetProperty("id").GetInt32());
        Assert.Equal(JsonRpcErrorCodes.MethodNotFound, answer.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal("unknown method 'blockchain.nothing.here'", answer.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task An_oversized_line_gets_an_error_and_the_session_goes_on()
    {
        await using var server = await TestServer.StartAsync(o => o.Limits.MaxLineBytes = 1000);
        await using var client = await server.ConnectAsync();

        // 5,000 bytes in several writes, then the newline; then a normal request.
        var big = $"{{\"id\":1,\"method\":\"echo\",\"params\":[\"{new string('x', 5000)}\"]}}";
        for (var i = 0; i < big.Length; i += 700)
        {
            await client.SendRawAsync(Encoding.UTF8.GetBytes(big[i..Math.Min(big.Length, i + 700)]));
        }
        await client.SendAsync("");
        var error = await client.ReadJsonAsync();

        Assert.Equal(JsonValueKind.Null, error.GetProperty("id").ValueKind);
        Assert.Equal(JsonRpcErrorCodes.InvalidRequest, error.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Contains("longer than 1000 bytes", error.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("""["fits"]""", (await client.CallAsync("echo", """["fits"]""", id: 2)).GetProperty("result").GetRawText());
    }

    [Fact]
    public async Task An_oversized_websocket_message_gets_an_error_and_the_session_goes_on()
    {
        await using var server = await TestServer.StartAsync(o => o.Limits.MaxLineBytes = 1000);
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{server.WsPort}/"), CancellationToken.None).WaitAsync(LineClient.Timeout);

        var big = Encoding.UTF8.GetBytes($"{{\"id\":1,\"method\":\"echo\",\"params\":[\"{new string('x', 20_000)}\"]}}");
        await socket.SendAsync(big, System.Net.WebSockets.WebSocketMessageType.Text, true, CancellationToken.None);
        await socket.SendAsync("""{"id":2,"method":"server.ping"}"""u8.ToArray(), System.Net.WebSockets.WebSocketMessageType.Text, true, CancellationToken.None);

        var buffer = new byte[4096];
        var first = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(LineClient.Timeout);
        Assert.Contains("longer than 1000 bytes", Encoding.UTF8.GetString(buffer, 0, first.Count), StringComparison.Ordinal);
        var second = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(LineClient.Timeout);
        Assert.Equal("""{"jsonrpc":"2.0","result":null,"id":2}""", Encoding.UTF8.GetString(buffer, 0, second.Count));
    }

    [Fact]
    public async Task Repeated_oversized_lines_close_the_session_while_others_are_served()
    {
        await using var server = await TestServer.StartAsync(o =>
        {
            o.Limits.MaxLineBytes = 1000;
            o.Limits.StrikesBeforeClose = 3;
        });
        await using var abuser = await server.ConnectAsync(TestServer.OtherClient);
        await using var witness = await server.ConnectAsync();

        for (var i = 0; i < 3; i++)
        {
            await abuser.SendAsync(new string('x', 3000));
            Assert.Equal(JsonRpcErrorCodes.InvalidRequest, (await abuser.ReadJsonAsync()).GetProperty("error").GetProperty("code").GetInt32());
            Assert.Equal(JsonValueKind.Null, (await witness.CallAsync("server.ping", id: i)).GetProperty("result").ValueKind);
        }

        Assert.True(await abuser.WaitClosedAsync());
        Assert.Contains(server.Logs.Entries, e => e.Message.Contains("closed for abuse: 3 strikes", StringComparison.Ordinal) && e.Message.Contains("127.0.0.2", StringComparison.Ordinal));
        Assert.Equal(JsonValueKind.Null, (await witness.CallAsync("server.ping", id: 99)).GetProperty("result").ValueKind);
    }

    [Fact]
    public async Task Binary_garbage_is_answered_with_errors_until_the_session_is_closed_and_the_server_stays_up()
    {
        const int seed = 20240611;
        await using var server = await TestServer.StartAsync(o => o.Limits.MaxLineBytes = 2000);
        await using var witness = await server.ConnectAsync();
        await using var abuser = await server.ConnectAsync(TestServer.OtherClient);

        var random = new Random(seed);
        var garbage = new byte[256 * 1024];
        random.NextBytes(garbage);
        var reader = Task.Run(abuser.WaitClosedAsync);
        try
        {
            for (var offset = 0; offset < garbage.Length && !reader.IsCompleted; offset += 4096)
            {
                await abuser.SendRawAsync(garbage[offset..(offset + 4096)]);
            }
        }
        catch (IOException)
        {
            // The server closed the connection while we were still sending: that is the point.
        }

        Assert.True(await reader, $"the server did not close a session sending garbage (seed {seed})");
        Assert.Equal(JsonValueKind.Null, (await witness.CallAsync("server.ping")).GetProperty("result").ValueKind);
        await using var fresh = await server.ConnectAsync(TestServer.OtherClient);
        Assert.Equal(JsonValueKind.Null, (await fresh.CallAsync("server.ping")).GetProperty("result").ValueKind);
        await Eventually.TrueAsync(() => server.Server.SessionCount == 2, "the garbage session was released");
    }

    [Fact]
    public async Task A_handler_exception_is_an_internal_error_logged_once_without_the_request()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();

        var answer = await client.CallAsync("fail", """["secret-param-8675309"]""", id: 5);

        Assert.Equal(5, answer.GetProperty("id").GetInt32());
        Assert.Equal(JsonRpcErrorCodes.InternalError, answer.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal("internal error", answer.GetProperty("error").GetProperty("message").GetString());
        var sessionId = Assert.Single(server.Handler.Sessions.Keys);
        var logged = Assert.Single(server.Logs.Entries, e => e.Exception is not null);
        Assert.Contains($"session {sessionId}", logged.Message, StringComparison.Ordinal);
        Assert.Contains("handler exploded", logged.Exception, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-param-8675309", server.Logs.AllText, StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, (await client.CallAsync("server.ping", id: 6)).GetProperty("result").ValueKind);
    }
}
