using System.Net;
using System.Text;

using Coinshard.Backends.Core;
using Coinshard.Chain.Networks;
using Coinshard.Electrum.Headers;
using Coinshard.Electrum.Mempool;
using Coinshard.Electrum.Notifications;
using Coinshard.Electrum.Protocol;
using Coinshard.Electrum.Server;
using Coinshard.Electrum.Sessions;
using Coinshard.Electrum.Subscriptions;
using Coinshard.Storage;
using Coinshard.TestSupport.Litecoind;

using Microsoft.Extensions.Logging.Abstractions;

using Xunit;

namespace Coinshard.Electrum.Tests.EndToEnd;

/// <summary>The notifier over the live index and mempool, with a status source that fails once (a database hiccup).</summary>
[Collection(LiveGatewayTests.Name)]
public sealed class NotifierRecoveryTests(LiveGatewayFixture fixture)
{
    [Fact]
    public async Task A_failed_notification_round_is_retried_by_the_next_one()
    {
        await fixture.WaitForSyncAsync();
        using var backend = CoreRpcBackend.Create(Network.LitecoinRegtest, new CoreRpcOptions
        {
            Url = fixture.Node.RpcUrl,
            Credentials = RpcCredentials.FromUserPassword(fixture.Node.RpcUser, fixture.Node.RpcPassword),
        });
        var store = fixture.Full.Index.Store;
        string? status = null;
        var failNext = false;
        var hub = new SubscriptionHub(
            (_, _) => failNext ? throw new StoreException("the database went away for a moment") : Task.FromResult(status),
            new SubscriptionBudget(new ElectrumLimits()));
        var tracker = new MempoolTracker(Network.LitecoinRegtest, backend, backend, store.GetCoinsAsync, NullLogger.Instance);
        var notifier = new ElectrumNotifier(store, tracker, hub, new HeaderCheckpointProver(store.GetHeadersAsync), NullLogger<ElectrumNotifier>.Instance);
        await notifier.PollOnceAsync(CancellationToken.None);

        var address = await fixture.Node.NewAddressAsync();
        var scripthash = Chain.Hashing.Hash256.Parse(NodeView.ScripthashOf(await NodeUtxos.ScriptOfAsync(fixture.Node, address)));
        var session = new RecordingSession();
        Assert.Null(await hub.SubscribeAsync(session, scripthash, CancellationToken.None));

        var (hex, _) = await fixture.PaymentFromConfirmedCoinAsync(address, LiveGatewayFixture.Coin);
        await fixture.Node.Rpc.CallAsync("sendrawtransaction", hex);
        status = "paid";
        failNext = true;
        await Assert.ThrowsAsync<StoreException>(() => notifier.PollOnceAsync(CancellationToken.None));
        Assert.Empty(session.Notifications);

        failNext = false;
        await notifier.PollOnceAsync(CancellationToken.None);
        Assert.Equal([$"[\"{scripthash}\",\"paid\"]"], session.Notifications);
    }

    private sealed class RecordingSession : IElectrumSession
    {
        public long Id => 1;

        public IPAddress RemoteAddress => IPAddress.Loopback;

        public ProtocolVersion? Version => ProtocolVersion.Version14;

        public string? ClientName => "test";

        public List<string> Notifications { get; } = [];

        public bool TryNotify(string method, byte[] paramsJson)
        {
            Notifications.Add(Encoding.UTF8.GetString(paramsJson));
            return true;
        }
    }
}
