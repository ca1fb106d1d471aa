using System.Net;
using System.Text;

using Coinshard.Chain.Hashing;
using Coinshard.Electrum.Methods;
using Coinshard.Electrum.Protocol;
using Coinshard.Electrum.Server;
using Coinshard.Electrum.Sessions;
using Coinshard.Electrum.Subscriptions;
using Coinshard.Storage;

using Xunit;

namespace Coinshard.Electrum.Tests.Subscriptions;

public class SubscriptionHubTests
{
    private sealed class RecordingSession(long id) : IElectrumSession
    {
        public long Id { get; } = id;

        public IPAddress RemoteAddress => IPAddress.Loopback;

        public ProtocolVersion? Version => ProtocolVersion.Version14;

        public string? ClientName => "test";

        public List<(string Method, string Params)> Notifications { get; } = [];

        public bool TryNotify(string method, byte[] paramsJson)
        {
            Notifications.Add((method, Encoding.UTF8.GetString(paramsJson)));
            return true;
        }
    }

    private static Hash256 Sh(byte b)
    {
        var bytes = new byte[32];
        bytes[0] = b;
        bytes[31] = 0xAB;
        return new Hash256(bytes);
    }

    private readonly Dictionary<Hash256, string?> _statuses = [];

    private SubscriptionBudget _budget = new(new ElectrumLimits());

    private SubscriptionHub Hub(int maxPerSession = 10)
    {
        _budget = new SubscriptionBudget(new ElectrumLimits { MaxSubscriptionsPerSession = maxPerSession });
        return new((sh, _) => Task.FromResult(_statuses.GetValueOrDefault(sh)), _budget);
    }

    [Fact]
    public async Task Sessions_are_notified_once_per_real_status_change()
    {
        var hub = Hub();
        var a = new RecordingSession(1);
        var b = new RecordingSession(2);
        var sh = Sh(1);
        _statuses[sh] = "s1";

        Assert.Equal("s1", await hub.SubscribeAsync(a, sh, default));
        Assert.Equal("s1", await hub.SubscribeAsync(b, sh, default));

        Assert.Equal(0, await hub.OnKeysTouchedAsync([ScripthashKeys.Of(sh)], default)); // touched, unchanged
        _statuses[sh] = "s2";
        Assert.Equal(2, await hub.OnKeysTouchedAsync([ScripthashKeys.Of(sh)], default));
        Assert.Equal(0, await hub.OnKeysTouchedAsync([ScripthashKeys.Of(sh)], default));

        var expected = ("blockchain.scripthash.subscribe", $"[\"{sh}\",\"s2\"]");
        Assert.Equal([expected], a.Notifications);
        Assert.Equal([expected], b.Notifications);
    }

    [Fact]
    public async Task A_status_that_becomes_empty_is_sent_as_null_and_untouched_keys_are_ignored()
    {
        var hub = Hub();
        var a = new RecordingSession(1);
        var sh = Sh(2);
        _statuses[sh] = "s1";
        await hub.SubscribeAsync(a, sh, default);

        _statuses[sh] = null;
        Assert.Equal(0, await hub.OnKeysTouchedAsync([12345UL], default));
        Assert.Equal(1, await hub.OnKeysTouchedAsync(null, default));

        Assert.Equal([("blockchain.scripthash.subscribe", $"[\"{sh}\",null]")], a.Notifications);
    }

    [Fact]
    public async Task Unsubscribe_and_session_close_stop_notifications_and_free_the_entry()
    {
        var hub = Hub();
        var a = new RecordingSession(1);
        var b = new RecordingSession(2);
        await hub.SubscribeAsync(a, Sh(3), default);
        await hub.SubscribeAsync(b, Sh(4), default);

        Assert.True(hub.Unsubscribe(a, Sh(3)));
        Assert.False(hub.Unsubscribe(a, Sh(3)));
        Assert.Equal(0, _budget.CountOf(a));
        hub.SessionClosed(b);
        _statuses[Sh(3)] = "x";
        _statuses[Sh(4)] = "y";

        Assert.Equal(0, await hub.OnKeysTouchedAsync(null, default));
        Assert.Equal(0, hub.ScripthashCount);
    }

    [Fact]
    public async Task The_per_session_limit_is_a_clear_error_and_resubscribing_is_free()
    {
        var hub = Hub(maxPerSession: 2);
        var a = new RecordingSession(1);
        await hub.SubscribeAsync(a, Sh(5), default);
        await hub.SubscribeAsync(a, Sh(6), default);
        await hub.SubscribeAsync(a, Sh(6), default);

        var error = await Assert.ThrowsAsync<ElectrumRequestException>(() => hub.SubscribeAsync(a, Sh(7), default));
        Assert.Contains("at most 2", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, hub.ScripthashCount);
        Assert.Equal(2, _budget.CountOf(a)); // the repeated subscribe was not charged twice
    }

    [Fact]
    public void Header_subscribers_get_the_tip_as_height_and_hex()
    {
        var hub = Hub();
        var a = new RecordingSession(1);
        hub.SubscribeHeaders(a);

        hub.NotifyTip(7, [0x01, 0xff]);

        Assert.Equal([("blockchain.headers.subscribe", """[{"height":7,"hex":"01ff"}]""")], a.Notifications);
    }

    [Fact]
    public async Task A_change_notified_while_a_subscription_computes_its_status_is_not_lost()
    {
        var sh = Sh(9);
        var slowFirst = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var current = "before";
        var calls = 0;
        var hub = new SubscriptionHub(
            (_, _) => Interlocked.Increment(ref calls) == 1 ? slowFirst.Task : Task.FromResult<string?>(current),
            new SubscriptionBudget(new ElectrumLimits()));
        var session = new RecordingSession(1);

        // The subscription's status is computed from the state before a payment ...
        var subscribing = hub.SubscribeAsync(session, sh, CancellationToken.None);
        // ... the payment lands and its round runs before the subscription is registered ...
        current = "after";
        await hub.OnKeysTouchedAsync([ScripthashKeys.Of(sh)], CancellationToken.None);
        slowFirst.SetResult("before");
        var answer = await subscribing;

        // ... so the client must get "after" as its answer, not be left with "before" and no notification to come.
        Assert.Equal("after", answer);
        Assert.Empty(session.Notifications);
    }
}
