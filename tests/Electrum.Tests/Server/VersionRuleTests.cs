using System.Text.Json;

using Coinshard.Electrum.Protocol;
using Coinshard.Electrum.Tests.Support;

using Xunit;

namespace Coinshard.Electrum.Tests.Server;

/// <summary>The session's <c>server.version</c> rules (the negotiation arithmetic itself is in VersionNegotiationTests).</summary>
public class VersionRuleTests
{
    [Fact]
    public async Task As_the_first_message_it_agrees_on_1_6_and_the_handler_sees_version_and_client_name()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();

        var answer = await client.CallAsync("server.version", """["Electrum 4.5.8\u0007", ["1.4", "1.6"]]""");

        Assert.Equal(JsonValueKind.Array, answer.GetProperty("result").ValueKind);
        Assert.Equal(server.Options.ServerSoftware, answer.GetProperty("result")[0].GetString());
        Assert.Equal("1.6", answer.GetProperty("result")[1].GetString());
        var seen = await client.CallAsync("version", id: 2);
        Assert.Equal("1.6", seen.GetProperty("result")[0].GetString());
        Assert.Equal("Electrum 4.5.8?", seen.GetProperty("result")[1].GetString()); // control character made printable
    }

    [Fact]
    public async Task A_second_call_is_an_error_and_the_session_goes_on()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.CallAsync("server.version", """["w", "1.4"]""");

        var second = await client.CallAsync("server.version", """["w", "1.6"]""", id: 2);

        Assert.Equal(JsonRpcErrorCodes.BadRequest, second.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Contains("already", second.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        var seen = await client.CallAsync("version", id: 3);
        Assert.Equal("1.4", seen.GetProperty("result")[0].GetString());
    }

    [Fact]
    public async Task Before_negotiation_the_session_has_no_version()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();

        var seen = await client.CallAsync("version");

        Assert.Equal(JsonValueKind.Null, seen.GetProperty("result")[0].ValueKind);
    }

    [Fact]
    public async Task After_other_requests_it_agrees_on_at_most_1_5_because_1_6_requires_it_first()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.CallAsync("server.ping");

        var answer = await client.CallAsync("server.version", """["w", ["1.4", "1.6"]]""", id: 2);

        Assert.Equal("1.5", answer.GetProperty("result")[1].GetString());
    }

    [Fact]
    public async Task Asking_only_for_1_6_after_other_requests_fails_and_closes()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.CallAsync("server.ping");

        var answer = await client.CallAsync("server.version", """["w", "1.6"]""", id: 2);

        Assert.Equal(JsonRpcErrorCodes.BadRequest, answer.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Contains("first message", answer.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True(await client.WaitClosedAsync());
    }

    [Theory]
    [InlineData("""["w", "2.0"]""", "unsupported protocol version")]
    [InlineData("""["w", ["1.0", "1.3"]]""", "unsupported protocol version")]
    [InlineData("""["w", "one point four"]""", "invalid protocol version")]
    [InlineData("""["w", 1.4]""", "protocol_version must be")]
    public async Task Failed_negotiation_is_answered_then_the_session_closes(string parameters, string expected)
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();

        var answer = await client.CallAsync("server.version", parameters);

        Assert.Equal(1, answer.GetProperty("id").GetInt32());
        Assert.Contains(expected, answer.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True(await client.WaitClosedAsync());
        Assert.Equal(0, server.Handler.Calls);
    }

    [Fact]
    public async Task In_a_batch_the_version_applies_to_the_requests_after_it()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();

        await client.SendAsync("""[{"id":1,"method":"server.version","params":["w","1.5"]},{"id":2,"method":"version"}]""");
        var batch = await client.ReadJsonAsync();

        Assert.Equal("1.5", batch[0].GetProperty("result")[1].GetString());
        Assert.Equal("1.5", batch[1].GetProperty("result")[0].GetString());
    }
}
