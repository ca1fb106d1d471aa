using System.Net;

using Coinshard.Electrum.Protocol;
using Coinshard.Electrum.Server;
using Coinshard.Electrum.Sessions;

using Xunit;

namespace Coinshard.Electrum.Tests.Limits;

public class SubscriptionBudgetTests
{
    private sealed class Session(long id, string address) : IElectrumSession
    {
        public long Id { get; } = id;

        public IPAddress RemoteAddress { get; } = IPAddress.Parse(address);

        public ProtocolVersion? Version => null;

        public string? ClientName => null;

        public bool TryNotify(string method, byte[] paramsJson) => true;
    }

    private static SubscriptionBudget Budget(int perSession, int perAddress) =>
        new(new ElectrumLimits { MaxSubscriptionsPerSession = perSession, MaxSubscriptionsPerIp = perAddress });

    [Fact]
    public void A_session_is_refused_at_its_own_limit()
    {
        var budget = Budget(perSession: 3, perAddress: 100);
        var session = new Session(1, "203.0.113.1");

        Assert.True(budget.TryAdd(session));
        Assert.True(budget.TryAdd(session));
        Assert.True(budget.TryAdd(session));
        Assert.False(budget.TryAdd(session, out var refusal));

        Assert.Equal("too many subscriptions: a session may hold at most 3", refusal);
        Assert.Equal(3, budget.CountOf(session));
        Assert.Equal(3, budget.Total);
    }

    [Fact]
    public void The_sessions_of_one_address_share_its_limit_and_ipv6_counts_per_slash_64()
    {
        var budget = Budget(perSession: 10, perAddress: 4);
        var a = new Session(1, "2001:db8:0:1::a");
        var b = new Session(2, "2001:db8:0:1::b");
        var other = new Session(3, "2001:db8:0:2::a");

        for (var i = 0; i < 3; i++)
        {
            Assert.True(budget.TryAdd(a));
        }
        Assert.True(budget.TryAdd(b));
        Assert.False(budget.TryAdd(b, out var refusal));
        Assert.True(budget.TryAdd(other));

        Assert.Contains("one address may hold at most 4", refusal, StringComparison.Ordinal);
        Assert.Equal(4, budget.CountOf(IPAddress.Parse("2001:db8:0:1::ffff")));
    }

    [Fact]
    public void Removing_frees_room_and_closing_releases_everything()
    {
        var budget = Budget(perSession: 2, perAddress: 3);
        var a = new Session(1, "203.0.113.1");
        var b = new Session(2, "203.0.113.1");
        budget.TryAdd(a);
        budget.TryAdd(a);
        budget.TryAdd(b);

        budget.Remove(a);
        Assert.True(budget.TryAdd(a));
        budget.RemoveAll(a);

        Assert.Equal(0, budget.CountOf(a));
        Assert.Equal(1, budget.CountOf(IPAddress.Parse("203.0.113.1")));
        Assert.Equal(1, budget.Total);
        budget.Remove(a); // nothing left: no effect
        Assert.Equal(1, budget.Total);
    }

    [Fact]
    public void Exempt_addresses_have_no_address_limit_but_keep_the_session_limit()
    {
        var budget = Budget(perSession: 3, perAddress: 1);
        var a = new Session(1, "127.0.0.1");
        var b = new Session(2, "127.0.0.1");

        Assert.True(budget.TryAdd(a));
        Assert.True(budget.TryAdd(a));
        Assert.True(budget.TryAdd(b));
        Assert.True(budget.TryAdd(a));
        Assert.False(budget.TryAdd(a));
        Assert.Equal(0, budget.CountOf(IPAddress.Loopback));
    }
}
