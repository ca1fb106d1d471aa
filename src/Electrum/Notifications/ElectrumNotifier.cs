using Coinshard.Chain.Blocks;
using Coinshard.Electrum.Headers;
using Coinshard.Electrum.Mempool;
using Coinshard.Electrum.Subscriptions;
using Coinshard.Storage;

using Microsoft.Extensions.Logging;

namespace Coinshard.Electrum.Notifications;

/// <summary>
/// Drives notifications for one currency: reads the store's change feed (so a gateway learns of
/// blocks and reorgs even when another process holds the follower lease), refreshes the mempool,
/// and hands every touched scripthash key to the <see cref="SubscriptionHub"/>; a new tip goes to
/// header subscribers, a disconnect invalidates cached header proofs.
/// </summary>
public sealed partial class ElectrumNotifier
{
    private const int PageSize = 500;

    private readonly ChainStore _store;
    private readonly MempoolTracker _mempool;
    private readonly SubscriptionHub _hub;
    private readonly HeaderCheckpointProver _proofs;
    private readonly ILogger _logger;
    private long _seq = -1;
    private ChainTip? _lastTip;

    // Keys touched by a round that failed before its notifications went out: the change feed and the mempool
    // report a change once, so they are carried into the next round instead of being lost.
    private readonly HashSet<ulong> _unsent = [];
    private bool _unsentEverything;

    /// <summary>Creates the notifier.</summary>
    public ElectrumNotifier(ChainStore store, MempoolTracker mempool, SubscriptionHub hub, HeaderCheckpointProver proofs, ILogger<ElectrumNotifier> logger)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _mempool = mempool ?? throw new ArgumentNullException(nameof(mempool));
        _hub = hub ?? throw new ArgumentNullException(nameof(hub));
        _proofs = proofs ?? throw new ArgumentNullException(nameof(proofs));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>Runs until cancelled: one <see cref="PollOnceAsync"/> per <paramref name="interval"/>; failures are logged and retried.</summary>
    public async Task RunAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        var failing = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await PollOnceAsync(cancellationToken).ConfigureAwait(false);
                if (failing)
                {
                    LogRecovered(_logger);
                    failing = false;
                }
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                if (!failing)
                {
                    LogPollFailed(_logger, e.Message);
                    failing = true;
                }
            }
            try
            {
                await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One round: chain changes, then the mempool; returns the number of notifications sent.</summary>
    public async Task<int> PollOnceAsync(CancellationToken cancellationToken)
    {
        var touched = _unsent;
        var everything = _unsentEverything;

        if (_seq < 0)
        {
            _seq = (await _store.GetChangesAsync(long.MaxValue - 1, 0, cancellationToken).ConfigureAwait(false)).LatestSeq;
        }
        while (true)
        {
            var page = await _store.GetChangesAsync(_seq, PageSize, cancellationToken).ConfigureAwait(false);
            if (page.MissedChanges)
            {
                everything = _unsentEverything = true; // fell behind the feed's retention: recompute every subscription
                _proofs.InvalidateFrom(0);
                _seq = page.LatestSeq;
                break;
            }
            foreach (var change in page.Changes)
            {
                touched.UnionWith(change.TouchedKeys);
                if (change.Kind == ChangeKind.Disconnect)
                {
                    _proofs.InvalidateFrom(change.Height);
                }
                _seq = change.Seq;
            }
            if (page.Changes.Count < PageSize)
            {
                break;
            }
        }

        var tip = await _store.GetTipAsync(cancellationToken).ConfigureAwait(false);

        // The mempool first: a wallet that hears of a block asks at once, and the mined transactions must by
        // then have left the mempool view (else they count twice, confirmed and unconfirmed).
        // With the index tip: a transaction mined in a block the index has not connected yet stays in the view.
        var refresh = await _mempool.RefreshAsync(tip?.Hash, cancellationToken).ConfigureAwait(false);
        touched.UnionWith(refresh.TouchedKeys);

        // Header subscribers get the new tip once per tip change (a same-height reorg is a change too).
        if (tip is not null && tip != _lastTip)
        {
            if (_lastTip is not null && await _store.GetHeaderAsync(tip.Height, cancellationToken).ConfigureAwait(false) is { } header)
            {
                _hub.NotifyTip(tip.Height, header);
            }
            _lastTip = tip;
        }

        var notified = everything
            ? await _hub.OnKeysTouchedAsync(null, cancellationToken).ConfigureAwait(false)
            : touched.Count == 0 ? 0 : await _hub.OnKeysTouchedAsync(touched, cancellationToken).ConfigureAwait(false);
        touched.Clear();
        _unsentEverything = false;
        return notified;
    }

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Electrum notifications paused: {Reason} (retrying)")]
    private static partial void LogPollFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 302, Level = LogLevel.Information, Message = "Electrum notifications resumed")]
    private static partial void LogRecovered(ILogger logger);
}
