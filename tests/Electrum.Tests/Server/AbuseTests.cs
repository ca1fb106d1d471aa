using System.Net.Sockets;
using System.Text;
using System.Text.Json;

using Coinshard.Electrum.Protocol;
using Coinshard.Electrum.Tests.Support;
using Coinshard.TestSupport;

using Xunit;

namespace Coinshard.Electrum.Tests.Server;

/// <summary>
/// The bad-input battery, part 2: slow, silent, flooding and greedy clients. Each test keeps a
/// well-behaved client (on another loopback address) and checks it is answered during the abuse;
/// timeouts are generous upper bounds, never expectations.
/// </summary>
public class AbuseTests
{
    private static async Task AssertAnsweredAsync(LineClient witness, int id)
    {
        var answer = await witness.CallAsync("echo", $"[{id}]", id);
        Assert.Equal(id, answer.GetProperty("id").GetInt32());
        Assert.Equal(id, answer.GetProperty("result")[0].GetInt32());
    }

    [Fact]
    public async Task A_slowloris_trickle_without_newline_is_closed_by_the_idle_timeout_while_others_are_served()
    {
        await using var server = await TestServer.StartAsync(o => o.Limits.IdleTimeout = TimeSpan.FromSeconds(1));
        await using var slow = await server.ConnectAsync(TestServer.OtherClient);

        var closed = Task.Run(slow.WaitClosedAsync);
        var text = Encoding.UTF8.GetBytes("""{"id":1,"method":"echo","params":["never ends""" + new string(' ', 10_000));
        var sent = 0;
        try
        {
            for (; sent < text.Length && !closed.IsCompleted; sent++)
            {
                await slow.SendRawAsync(text[sent..(sent + 1)]);
                if (sent % 5 == 0)
                {
                    // A fresh client each time: a witness kept open would be idle-closed too under this 1 s timeout.
                    await using var witness = await server.ConnectAsync();
                    await AssertAnsweredAsync(witness, sent);
                }
                await Task.Delay(50);
            }
        }
        catch (IOException)
        {
        }

        Assert.True(await closed, "the trickling client was not closed");
        Assert.True(sent < text.Length, "the whole trickle was sent before the close");
        await Eventually.TrueAsync(() => server.Server.SessionCount == 0, "the trickling session was released");
    }

    [Fact]
    public async Task An_idle_session_is_closed_and_released()
    {
        await using var server = await TestServer.StartAsync(o => o.Limits.IdleTimeout = TimeSpan.FromMilliseconds(500));
        await using var client = await server.ConnectAsync();
        await client.CallAsync("subscribe");

        Assert.True(await client.WaitClosedAsync());

        await Eventually.TrueAsync(() => server.Handler.ClosedSessions.Count == 1, "the handler was told");
        Assert.Equal(0, server.Server.Subscriptions.Total);
    }

    [Fact]
    public async Task A_client_that_never_reads_is_disconnected_by_the_outbound_bound()
    {
        await using var server = await TestServer.StartAsync(o => o.Limits.MaxOutboundBytes = 256 * 1024);
        await using var witness = await server.ConnectAsync();
        await using var deaf = await LineClient.ConnectAsync(server.TcpPort, TestServer.OtherClient, receiveBuffer: 4096);

        // 2,000 requests for 100 KB answers each (200 MB) that are never read.
        var request = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 100).Select(i => $"{{\"id\":{i},\"method\":\"big\",\"params\":[100000]}}\n")));
        var sender = Task.Run(async () =>
        {
            try
            {
                for (var i = 0; i < 20; i++)
                {
                    await deaf.SendRawAsync(request);
                }
            }
            catch (Exception e) when (e is IOException or SocketException or TimeoutException)
            {
            }
        });

        await Eventually.TrueAsync(() => server.Logs.Entries.Any(e => e.Message.Contains("does not read its responses", StringComparison.Ordinal)),
            "the server closed the session that does not read");
        await AssertAnsweredAsync(witness, 1);
        await Eventually.TrueAsync(() => server.Server.SessionCount == 1, "only the witness is left");
        Assert.All(server.Server.Context.Sessions.Values, s => Assert.True(s.OutboundBytes <= 256 * 1024));
        await sender.WaitAsync(LineClient.Timeout);
    }

    [Fact]
    public async Task Notifications_to_a_client_that_never_reads_close_it_instead_of_piling_up()
    {
        await using var server = await TestServer.StartAsync(o => o.Limits.MaxOutboundBytes = 64 * 1024);
        await using var deaf = await LineClient.ConnectAsync(server.TcpPort, TestServer.OtherClient, receiveBuffer: 4096);

        // The handler pushes 2,000,000 notifications in one call; the queue bound stops it early.
        await deaf.SendAsync("""{"id":1,"method":"notify","params":[2000000]}""");

        await Eventually.TrueAsync(() => server.Handler.ClosedSessions.Count == 1, "the session was closed");
        Assert.Contains(server.Logs.Entries, e => e.Message.Contains("does not read its responses", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_connection_flood_from_one_address_is_refused_beyond_the_limit_while_others_are_served()
    {
        await using var server = await TestServer.StartAsync(o => o.Limits.MaxSessionsPerIp = 4);
        await using var witness = await server.ConnectAsync();
        var admitted = new List<LineClient>();
        for (var i = 0; i < 4; i++)
        {
            var client = await server.ConnectAsync(TestServer.OtherClient);
            await client.CallAsync("server.ping");
            admitted.Add(client);
        }

        // 50 more from the same address: each is closed at once, over TCP and before the TLS handshake.
        for (var i = 0; i < 50; i++)
        {
            Assert.True(await IsRefusedAsync(server), $"connection {i} beyond the limit was served");
            if (i % 10 == 0)
            {
                await AssertAnsweredAsync(witness, i);
            }
        }
        await Assert.ThrowsAnyAsync<Exception>(() => server.ConnectAsync(TestServer.OtherClient, tls: true));
        Assert.Equal(5, server.Server.SessionCount);

        // The refusals are logged, rate-limited (10 lines per 10 s): fewer lines than the 51 refusals.
        var lines = server.Logs.Entries.Where(e => e.Message.StartsWith("refused", StringComparison.Ordinal)).ToList();
        Assert.InRange(lines.Count, 1, 50);
        Assert.All(lines, l => Assert.Contains("127.0.0.2", l.Message, StringComparison.Ordinal));

        // The admitted ones still work; when one leaves, the address may connect again.
        await admitted[0].CallAsync("server.ping", id: 2);
        await admitted[0].DisposeAsync();
        await Eventually.TrueAsync(() => server.Server.SessionCount == 4, "the session left");
        await using var again = await server.ConnectAsync(TestServer.OtherClient);
        Assert.Equal(JsonValueKind.Null, (await again.CallAsync("server.ping")).GetProperty("result").ValueKind);
        foreach (var client in admitted.Skip(1))
        {
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_total_session_limit_refuses_new_connections_and_loopback_exemption_only_lifts_per_address_limits()
    {
        await using var server = await TestServer.StartAsync(o =>
        {
            o.Limits.MaxSessionsTotal = 3;
            o.Limits.MaxSessionsPerIp = 1;
            o.Limits.ExemptLoopback = true;
        });
        var clients = new List<LineClient>();
        for (var i = 0; i < 3; i++)
        {
            var client = await server.ConnectAsync(TestServer.OtherClient); // exempt: 3 from one address
            await client.CallAsync("server.ping");
            clients.Add(client);
        }

        Assert.True(await IsRefusedAsync(server, System.Net.IPAddress.Loopback));
        Assert.Contains(server.Logs.Entries, e => e.Message.Contains("at its limit of 3 sessions", StringComparison.Ordinal));
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Subscribing_beyond_the_budget_gets_errors_per_session_and_per_address()
    {
        await using var server = await TestServer.StartAsync(o =>
        {
            o.Limits.MaxSubscriptionsPerSession = 10;
            o.Limits.MaxSubscriptionsPerIp = 15;
        });
        await using var first = await server.ConnectAsync(TestServer.OtherClient);
        await using var second = await server.ConnectAsync(TestServer.OtherClient);
        await using var elsewhere = await server.ConnectAsync();

        var firstResults = await SubscribeManyAsync(first, 12);
        var secondResults = await SubscribeManyAsync(second, 10);
        var elsewhereResults = await SubscribeManyAsync(elsewhere, 10);

        Assert.Equal(Enumerable.Repeat("ok", 10).Concat(Enumerable.Repeat("session", 2)), firstResults);
        Assert.Equal(Enumerable.Repeat("ok", 5).Concat(Enumerable.Repeat("address", 5)), secondResults);
        Assert.All(elsewhereResults, r => Assert.Equal("ok", r));
        Assert.Equal(15, server.Server.Subscriptions.CountOf(TestServer.OtherClient));

        // An unsubscribe frees one; a closed session frees all of its own.
        await second.CallAsync("unsubscribe", id: 100);
        Assert.Equal(["ok"], await SubscribeManyAsync(second, 1));
        await first.DisposeAsync();
        await Eventually.TrueAsync(() => server.Server.Subscriptions.CountOf(TestServer.OtherClient) == 5, "the first session's subscriptions were released");
    }

    [Fact]
    public async Task A_subscription_flood_far_beyond_the_limit_is_answered_with_errors_and_others_are_served()
    {
        await using var server = await TestServer.StartAsync(o => o.Limits.MaxSubscriptionsPerSession = 100);
        await using var greedy = await server.ConnectAsync(TestServer.OtherClient);
        await using var witness = await server.ConnectAsync();

        var lines = string.Concat(Enumerable.Range(0, 20_000).Select(i => $"{{\"id\":{i},\"method\":\"subscribe\"}}\n"));
        var send = greedy.SendRawAsync(Encoding.UTF8.GetBytes(lines));
        var ok = 0;
        var refused = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var answer = await greedy.ReadJsonAsync();
            Assert.Equal(i, answer.GetProperty("id").GetInt32());
            if (answer.TryGetProperty("result", out _))
            {
                ok++;
            }
            else
            {
                refused++;
            }
            if (i % 5000 == 0)
            {
                await AssertAnsweredAsync(witness, i);
            }
        }
        await send;

        Assert.Equal(100, ok);
        Assert.Equal(19_900, refused);
        Assert.Equal(100, server.Server.Subscriptions.Total);
    }

    [Fact]
    public async Task Past_the_pending_limit_the_session_stops_reading_and_answers_everything_in_order_later()
    {
        const int limit = 8;
        await using var server = await TestServer.StartAsync(o => o.Limits.MaxPendingPerSession = limit);
        await using var client = await server.ConnectAsync(TestServer.OtherClient);
        await using var witness = await server.ConnectAsync();

        var lines = string.Concat(Enumerable.Range(0, 200).Select(i => $"{{\"id\":{i},\"method\":\"slow\",\"params\":[{i}]}}\n"));
        await client.SendRawAsync(Encoding.UTF8.GetBytes(lines));
        var session = await Eventually.ValueAsync(
            () => Task.FromResult(server.Server.Context.Sessions.Values.FirstOrDefault(s => s.RemoteAddress.Equals(TestServer.OtherClient))),
            "the session exists");
        await Eventually.TrueAsync(() => session.PendingRequests == limit, "the session read up to its pending limit");
        await AssertAnsweredAsync(witness, 1);
        Assert.Equal(limit, session.PendingRequests);
        Assert.Equal(limit, session.PendingHighWater);

        server.Handler.Gate.SetResult();
        for (var i = 0; i < 200; i++)
        {
            var answer = await client.ReadJsonAsync();
            Assert.Equal(i, answer.GetProperty("id").GetInt32());
            Assert.Equal(i, answer.GetProperty("result")[0].GetInt32());
        }
        Assert.Equal(limit, session.PendingHighWater);
        Assert.Equal(1, server.Handler.MaxInFlight);
    }

    [Fact]
    public async Task Over_budget_requests_are_delayed_within_the_bound()
    {
        await using var server = await TestServer.StartAsync(o =>
        {
            o.Limits.CostBurst = 5;
            o.Limits.CostRefillPerSecond = 100;
            o.Limits.MaxThrottleDelay = TimeSpan.FromSeconds(5);
        });
        await using var client = await server.ConnectAsync();

        await client.SendRawAsync(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 30).Select(i => $"{{\"id\":{i},\"method\":\"echo\",\"params\":[{i}]}}\n"))));

        for (var i = 0; i < 30; i++)
        {
            var answer = await client.ReadJsonAsync();
            Assert.Equal(i, answer.GetProperty("result")[0].GetInt32());
        }
    }

    [Fact]
    public async Task Requests_that_would_wait_too_long_are_refused_and_repeated_refusals_close_the_session()
    {
        await using var server = await TestServer.StartAsync(o =>
        {
            o.Limits.CostBurst = 10;
            o.Limits.CostRefillPerSecond = 0.01;
            o.Limits.MaxThrottleDelay = TimeSpan.FromMilliseconds(100);
            o.Limits.StrikesBeforeClose = 3;
        });
        await using var greedy = await server.ConnectAsync(TestServer.OtherClient);
        await using var witness = await server.ConnectAsync();

        // "expensive" costs 100, capped at the burst of 10: the first passes, the next would wait ~1,000 s.
        Assert.True((await greedy.CallAsync("expensive", id: 1)).TryGetProperty("result", out _));
        for (var i = 2; i <= 4; i++)
        {
            var refused = await greedy.CallAsync("expensive", id: i);
            Assert.Equal(JsonRpcErrorCodes.ExcessiveResourceUsage, refused.GetProperty("error").GetProperty("code").GetInt32());
            await AssertAnsweredAsync(witness, i);
        }

        Assert.True(await greedy.WaitClosedAsync());
        Assert.Contains(server.Logs.Entries, e => e.Message.Contains("requests beyond the cost budget", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_sessions_of_one_address_share_its_budget()
    {
        await using var server = await TestServer.StartAsync(o =>
        {
            o.Limits.IpCostBurst = 10;
            o.Limits.IpCostRefillPerSecond = 0.1;
            o.Limits.MaxThrottleDelay = TimeSpan.FromMilliseconds(100);
        });
        await using var first = await server.ConnectAsync(TestServer.OtherClient);
        await using var second = await server.ConnectAsync(TestServer.OtherClient);
        await using var elsewhere = await server.ConnectAsync();

        Assert.True((await first.CallAsync("expensive")).TryGetProperty("result", out _));
        var refused = await second.CallAsync("expensive");
        Assert.Equal(JsonRpcErrorCodes.ExcessiveResourceUsage, refused.GetProperty("error").GetProperty("code").GetInt32());
        Assert.True((await elsewhere.CallAsync("expensive")).TryGetProperty("result", out _));
    }

    [Fact]
    public async Task Invalid_requests_and_repeated_server_version_are_paid_for_too()
    {
        await using var server = await TestServer.StartAsync(o =>
        {
            o.Limits.CostBurst = 5;
            o.Limits.CostRefillPerSecond = 0.01;
            o.Limits.MaxThrottleDelay = TimeSpan.FromMilliseconds(100);
            o.Limits.StrikesBeforeClose = 3;
        });
        await using var spammer = await server.ConnectAsync();

        await spammer.SendRawAsync(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("42\n", 2).Concat(Enumerable.Repeat("{\"id\":7,\"method\":\"server.version\"}\n", 100)))));
        var codes = new List<int>();
        while (await spammer.ReadLineAsync() is { } line)
        {
            using var answer = JsonDocument.Parse(line);
            codes.Add(answer.RootElement.TryGetProperty("error", out var error) ? error.GetProperty("code").GetInt32() : 0);
        }

        // 5 units: two invalid requests, the first server.version (answered), two repeats (errors); then refusals until 3 strikes close it.
        Assert.Equal([JsonRpcErrorCodes.InvalidRequest, JsonRpcErrorCodes.InvalidRequest, 0, JsonRpcErrorCodes.BadRequest, JsonRpcErrorCodes.BadRequest,
            JsonRpcErrorCodes.ExcessiveResourceUsage, JsonRpcErrorCodes.ExcessiveResourceUsage, JsonRpcErrorCodes.ExcessiveResourceUsage], codes);
    }

    [Fact]
    public async Task WebSocket_sessions_share_the_budget_of_their_address()
    {
        await using var server = await TestServer.StartAsync(o =>
        {
            o.Limits.IpCostBurst = 10;
            o.Limits.IpCostRefillPerSecond = 0.01;
            o.Limits.MaxThrottleDelay = TimeSpan.FromMilliseconds(100);
        });
        await using var tcp = await server.ConnectAsync();
        Assert.True((await tcp.CallAsync("expensive")).TryGetProperty("result", out _));
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{server.WsPort}/"), CancellationToken.None).WaitAsync(LineClient.Timeout);

        await socket.SendAsync("""{"id":1,"method":"expensive"}"""u8.ToArray(), System.Net.WebSockets.WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[4096];
        var received = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(LineClient.Timeout);

        using var answer = JsonDocument.Parse(buffer.AsMemory(0, received.Count));
        Assert.Equal(JsonRpcErrorCodes.ExcessiveResourceUsage, answer.RootElement.GetProperty("error").GetProperty("code").GetInt32());
    }

    /// <summary>True when the server closes a new connection without answering (the reset may even beat the connect).</summary>
    private static async Task<bool> IsRefusedAsync(TestServer server, System.Net.IPAddress? from = null)
    {
        try
        {
            await using var client = await server.ConnectAsync(from ?? TestServer.OtherClient);
            await client.SendAsync("""{"id":1,"method":"server.ping"}""");
            return await client.ReadLineAsync() is null;
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            return true;
        }
    }

    private static async Task<List<string>> SubscribeManyAsync(LineClient client, int count)
    {
        var results = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var answer = await client.CallAsync("subscribe", id: i);
            results.Add(answer.TryGetProperty("result", out _) ? "ok"
                : answer.GetProperty("error").GetProperty("message").GetString()!.Contains("one address", StringComparison.Ordinal) ? "address" : "session");
        }
        return results;
    }
}
