using Coinshard.Storage;

using Microsoft.Extensions.Logging;

namespace Coinshard.Indexing.Following;

/// <summary>
/// Renews the follower lease every ttl/3 on its own task, so a long write never lets it lapse. When the
/// store says the lease is gone, or renewals keep failing until it must have expired, it reports the loss
/// once; every write is fenced by the store anyway, so a late report can never let two writers write.
/// </summary>
internal sealed class LeaseKeeper : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LeaseKeeper(long id, ChainStore store, LeaseToken lease, TimeSpan ttl, TimeProvider time, ILogger logger, string network,
        Action<LeaseToken> renewed, Action<long, string, bool> lost)
    {
        Id = id;
        _loop = Task.Run(() => RunAsync(store, lease, ttl, time, logger, network, renewed, lost, _stop.Token));
    }

    public long Id { get; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    private async Task RunAsync(ChainStore store, LeaseToken lease, TimeSpan ttl, TimeProvider time, ILogger logger, string network,
        Action<LeaseToken> renewed, Action<long, string, bool> lost, CancellationToken ct)
    {
        var period = ttl / 3;
        var warned = false;
        while (true)
        {
            await Task.Delay(period, time, ct).ConfigureAwait(false);
            try
            {
                lease = await store.RenewLeaseAsync(lease, ttl, ct).ConfigureAwait(false);
                renewed(lease);
                period = ttl / 3;
                warned = false;
            }
            catch (LeaseLostException e)
            {
                lost(Id, e.Message, false);
                return;
            }
            catch (StoreException e) when (!ct.IsCancellationRequested)
            {
                if (time.GetUtcNow() >= lease.ExpiresAt)
                {
                    lost(Id, $"could not renew it before it expired: {e.Message}", true);
                    return;
                }
                if (!warned)
                {
                    // Once per outage: the retries every ttl/10 would otherwise log a line each.
                    FollowerLog.RenewFailed(logger, network, e.Message);
                    warned = true;
                }
                period = ttl / 10;
            }
        }
    }
}
