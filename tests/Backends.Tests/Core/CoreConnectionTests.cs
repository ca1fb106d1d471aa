using Coinshard.Backends.Core;
using Coinshard.Chain.Networks;
using Coinshard.TestSupport;
using Coinshard.TestSupport.Litecoind;
using Coinshard.TestSupport.Logging;

using Xunit;

namespace Coinshard.Backends.Tests.Core;

/// <summary>Authentication and availability failures, with logs checked for secrets.</summary>
public class CoreConnectionFailureTests
{
    [Fact]
    public async Task Wrong_password_is_an_authentication_error_and_the_password_appears_nowhere()
    {
        await using var node = await LitecoindNode.StartAsync(new LitecoindNodeOptions { Name = "auth", Wallet = false });
        const string WrongPassword = "Wr0ng-S3cret-Pa55word-4711";
        var logs = new CapturingLoggerFactory();
        using var backend = CoreRpcBackend.Create(
            Network.LitecoinRegtest,
            new CoreRpcOptions { Url = node.RpcUrl, Credentials = RpcCredentials.FromUserPassword(node.RpcUser, WrongPassword) },
            loggerFactory: logs);

        var e = await Assert.ThrowsAsync<BackendAuthenticationException>(() => backend.GetChainStateAsync());

        Assert.Contains("wrong RPC user/password or cookie", e.Message, StringComparison.Ordinal);
        Assert.Contains(node.RpcUrl.ToString(), e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongPassword, e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(node.RpcPassword, e.ToString(), StringComparison.Ordinal);
        Assert.NotEmpty(logs.Entries);
        Assert.Contains(logs.Entries, l => l.EventId.Id == 4);
        Assert.DoesNotContain(WrongPassword, logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(node.RpcPassword, logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Entries, l => l.EventId.Id == 1); // 401 is not retried
        Assert.Equal(BackendHealthStatus.Unhealthy, backend.Health.Status);
        Assert.Contains("wrong RPC user/password", backend.Health.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongPassword, backend.Health.ToString(), StringComparison.Ordinal);

        // Credentials in the URL are used too, and never shown.
        using var fromUrl = new CoreRpcClient(new CoreRpcOptions { Url = new Uri($"http://{node.RpcUser}:{WrongPassword}@127.0.0.1:{node.RpcPort}/") });
        var urlError = await Assert.ThrowsAsync<BackendAuthenticationException>(() => fromUrl.CallAsync(new RpcRequest("getblockcount")));
        Assert.DoesNotContain(WrongPassword, urlError.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(WrongPassword, fromUrl.Endpoint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_that_is_not_running_is_unavailable_after_a_bounded_number_of_retries()
    {
        var port = FreePorts.Next(); // nothing listens here
        var logs = new CapturingLoggerFactory();
        using var backend = CoreRpcBackend.Create(
            Network.LitecoinRegtest,
            new CoreRpcOptions
            {
                Url = new Uri($"http://127.0.0.1:{port}/"),
                Credentials = RpcCredentials.FromUserPassword("user", "Secret-Never-Logged"),
                MaxRetries = 3,
                RetryBaseDelay = TimeSpan.FromMilliseconds(10),
                RetryMaxDelay = TimeSpan.FromMilliseconds(50),
            },
            loggerFactory: logs);

        var e = await Assert.ThrowsAsync<BackendUnavailableException>(() => backend.GetChainStateAsync());

        Assert.Equal(4, e.Attempts);
        Assert.False(e.TimedOut);
        Assert.Equal($"http://127.0.0.1:{port}/", e.Endpoint);
        Assert.Contains("connection failed", e.Reason, StringComparison.Ordinal);
        Assert.Equal(3, logs.Entries.Count(l => l.EventId.Id == 1));
        // Each retry is a debug line; only giving up is a warning (an outage must not log a warning per attempt).
        Assert.All(logs.Entries.Where(l => l.EventId.Id == 1), l => Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Debug, l.Level));
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, Assert.Single(logs.Entries, l => l.EventId.Id == 2).Level);
        Assert.DoesNotContain("Secret-Never-Logged", logs.AllText, StringComparison.Ordinal);
        Assert.Equal(BackendHealthStatus.Unhealthy, backend.Health.Status);
        Assert.Equal(1, backend.Health.ConsecutiveFailures);
        Assert.Null(backend.Health.LastSuccessAt);
    }

    [Fact]
    public async Task A_cookie_file_that_does_not_exist_means_unavailable_not_unauthorized()
    {
        using var dir = new TempDirectory("nocookie");
        using var client = new CoreRpcClient(new CoreRpcOptions
        {
            Url = new Uri($"http://127.0.0.1:{FreePorts.Next()}/"),
            Credentials = RpcCredentials.FromCookieFile(dir.Combine(".cookie")),
            MaxRetries = 1,
            RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        });
        var e = await Assert.ThrowsAsync<BackendUnavailableException>(() => client.CallAsync(new RpcRequest("getblockcount")));
        Assert.Contains("does not exist", e.Reason, StringComparison.Ordinal);
        Assert.Equal(2, e.Attempts);
    }
}

/// <summary>Cookie authentication across a node restart, and a fresh node's fee estimates.</summary>
public class CoreCookieTests
{
    [Fact]
    public async Task Cookie_auth_survives_a_restart_that_rotates_the_cookie_and_fee_estimates_start_empty()
    {
        await using var node = await LitecoindNode.StartAsync(new LitecoindNodeOptions { Name = "cookie", CookieAuth = true, Wallet = false });
        var logs = new CapturingLoggerFactory();
        using var backend = CoreRpcBackend.Create(
            Network.LitecoinRegtest,
            new CoreRpcOptions
            {
                Url = node.RpcUrl,
                Credentials = RpcCredentials.FromCookieFile(node.CookiePath),
                RetryBaseDelay = TimeSpan.FromMilliseconds(50),
                MaxRetries = 20,
            },
            loggerFactory: logs);

        var before = await backend.GetChainStateAsync();
        Assert.Same(Network.LitecoinRegtest, before.Network);
        // A fresh regtest node has no fee data: "insufficient data" is null, not an error.
        Assert.Null(await backend.EstimateFeeAsync(2));
        Assert.Null(await backend.EstimateFeeAsync(6, FeeEstimateMode.Conservative));
        Assert.Null(await backend.EstimateFeeAsync(1008, FeeEstimateMode.Economical));

        var oldCookie = (await File.ReadAllTextAsync(node.CookiePath)).Trim();
        await node.RestartAsync();
        var newCookie = (await File.ReadAllTextAsync(node.CookiePath)).Trim();
        Assert.NotEqual(oldCookie, newCookie);

        await node.MineAsync(1);
        var after = await backend.GetChainStateAsync();
        Assert.Equal(before.Tip.Height + 1, after.Tip.Height);
        Assert.Contains(logs.Entries, l => l.EventId.Id == 3); // re-read the cookie after the node said 401
        foreach (var cookie in new[] { oldCookie, newCookie })
        {
            var secret = cookie[(cookie.IndexOf(':', StringComparison.Ordinal) + 1)..];
            Assert.DoesNotContain(secret, logs.AllText, StringComparison.Ordinal);
        }
        Assert.True(backend.Health.IsHealthy);
    }
}

/// <summary>Retries across node restarts and crashes.</summary>
public class CoreRestartTests
{
    private static CoreRpcOptions PatientOptions(LitecoindNode node) => RegtestChainFixture.RpcOptions(node) with
    {
        MaxRetries = 100,
        RetryBaseDelay = TimeSpan.FromMilliseconds(100),
        RetryMaxDelay = TimeSpan.FromMilliseconds(500),
    };

    [Fact]
    public async Task A_call_made_while_the_node_restarts_is_retried_until_it_succeeds()
    {
        await using var node = await LitecoindNode.StartAsync(new LitecoindNodeOptions { Name = "restart", Wallet = false });
        await node.MineAsync(5);
        var logs = new CapturingLoggerFactory();
        using var backend = CoreRpcBackend.Create(Network.LitecoinRegtest, PatientOptions(node), loggerFactory: logs);
        await backend.ConnectAsync();

        await node.StopAsync();
        var call = backend.GetChainStateAsync();
        await Eventually.TrueAsync(() => logs.Entries.Any(l => l.EventId.Id == 1), "the call has failed at least once and is retrying");
        Assert.False(call.IsCompleted);
        await node.StartAgainAsync();

        var state = await call;
        Assert.Equal(5, state.Tip.Height);
        Assert.True(backend.Health.IsHealthy);
    }

    [Fact]
    public async Task A_wait_for_a_new_tip_survives_the_node_being_killed_and_restarted()
    {
        await using var node = await LitecoindNode.StartAsync(new LitecoindNodeOptions { Name = "crash", Wallet = false });
        await node.MineAsync(3);
        await node.FlushAsync(); // the crash below must not lose these blocks
        var logs = new CapturingLoggerFactory();
        using var backend = CoreRpcBackend.Create(Network.LitecoinRegtest, PatientOptions(node), loggerFactory: logs);
        var tip = (await backend.GetChainStateAsync()).Tip;

        var waiting = backend.WaitForNewTipAsync(tip.Hash, TimeSpan.FromMinutes(5));
        await node.WaitForActiveCommandAsync("waitfornewblock");
        await node.KillAsync();
        await Eventually.TrueAsync(() => logs.Entries.Any(l => l.EventId.Id == 1), "the wait has noticed the crash and is retrying");
        await node.StartAgainAsync();
        await node.WaitForActiveCommandAsync("waitfornewblock"); // the retried wait is back on the node
        var mined = (await node.MineAsync(1))[0];

        var newTip = await waiting;
        Assert.Equal(mined, newTip.Hash.ToString());
        Assert.Equal(tip.Height + 1, newTip.Height);
    }
}
