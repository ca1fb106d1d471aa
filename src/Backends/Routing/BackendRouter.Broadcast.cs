using System.Runtime.ExceptionServices;

using Coinshard.Chain.Hashing;

namespace Coinshard.Backends.Routing;

/// <summary>Broadcast to the first accepting adapter or to all of them, with a per-adapter report.</summary>
public sealed partial class BackendRouter
{
    /// <inheritdoc />
    /// <remarks>
    /// Sent as <see cref="BackendRouterOptions.BroadcastMode"/> says. A refusal is final in either mode:
    /// consensus and policy rules are the same on every node. In <see cref="BroadcastMode.All"/> the
    /// transaction id is returned when any node accepted it; else the most preferred refusal is thrown.
    /// </remarks>
    /// <exception cref="TransactionRejectedException">The node refused it (only the first refusal; other nodes are not asked in <see cref="BroadcastMode.FirstSuccess"/>).</exception>
    /// <exception cref="AllBackendsFailedException">No node could be reached.</exception>
    public async Task<Hash256> BroadcastAsync(ReadOnlyMemory<byte> transaction, CancellationToken cancellationToken = default)
    {
        if (_options.BroadcastMode == BroadcastMode.FirstSuccess)
        {
            RequireTransaction(transaction);
            return await ExecuteAsync<IBroadcaster, Hash256>(BroadcastRoute, (b, ct) => b.BroadcastAsync(transaction, ct), null, cancellationToken).ConfigureAwait(false);
        }
        var report = await BroadcastWithReportAsync(transaction, BroadcastMode.All, cancellationToken).ConfigureAwait(false);
        if (report.Txid is { } txid)
        {
            return txid;
        }
        if (report.Rejection is { } rejection)
        {
            ExceptionDispatchInfo.Throw(rejection);
        }
        throw new AllBackendsFailedException(
            BroadcastRoute.Operation,
            Network,
            [.. report.Attempts.Where(a => a.Error is not null).Select(a => new BackendFailure(a.Backend, a.Error!))]);
    }

    /// <summary>
    /// Broadcasts in <paramref name="mode"/> and reports what each adapter did, without throwing for
    /// refusals or failures. <see cref="BroadcastMode.All"/> sends to every able adapter in service at
    /// once (to all of them when none is in service) and lists the others as skipped.
    /// </summary>
    /// <exception cref="BackendCapabilityException">No adapter can broadcast.</exception>
    public async Task<BroadcastReport> BroadcastWithReportAsync(ReadOnlyMemory<byte> transaction, BroadcastMode mode, CancellationToken cancellationToken = default)
    {
        RequireTransaction(transaction);
        if (mode == BroadcastMode.FirstSuccess)
        {
            var outcome = await RunAsync<IBroadcaster, Hash256>(BroadcastRoute, (b, ct) => b.BroadcastAsync(transaction, ct), null, cancellationToken).ConfigureAwait(false);
            var attempts = outcome.Failures.Select(f => new BroadcastAttempt(f.Backend, BroadcastOutcome.Failed, null, f.Error)).ToList();
            if (outcome.HasValue)
            {
                attempts.Add(new BroadcastAttempt(outcome.AnsweredBy!.Name, BroadcastOutcome.Accepted, outcome.Value, null));
            }
            else if (outcome.Refusal is { } refusal)
            {
                attempts.Add(new BroadcastAttempt(outcome.AnsweredBy!.Name, BroadcastOutcome.Rejected, null, refusal.SourceException));
            }
            return new BroadcastReport(mode, attempts);
        }
        if (mode != BroadcastMode.All)
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown broadcast mode");
        }
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var (inService, coolingDown) = Order(Able<IBroadcaster>(BroadcastRoute), BroadcastRoute);
        var targets = inService.Count > 0 ? inService : coolingDown;
        var sent = await Task.WhenAll(targets.Select(t => SendOneAsync(t.Adapter, t.Api, transaction, cancellationToken))).ConfigureAwait(false);
        var report = new BroadcastReport(
            mode,
            [.. sent, .. (inService.Count > 0 ? coolingDown : []).Select(c => new BroadcastAttempt(c.Adapter.Name, BroadcastOutcome.Skipped, null, null))]);
        if (report.AcceptedBy is { } acceptedBy && report.Attempts.FirstOrDefault(a => a.Outcome == BroadcastOutcome.Rejected) is { } refused)
        {
            _logger.BroadcastDisagreement(report.Txid!.Value.ToString(), acceptedBy, refused.Backend, refused.Message ?? "");
        }
        return report;
    }

    private async Task<BroadcastAttempt> SendOneAsync(RoutedAdapter adapter, IBroadcaster broadcaster, ReadOnlyMemory<byte> transaction, CancellationToken cancellationToken)
    {
        adapter.CountCall();
        try
        {
            var txid = await broadcaster.BroadcastAsync(transaction, cancellationToken).ConfigureAwait(false);
            Answered(BroadcastRoute, adapter, _time.GetUtcNow());
            return new BroadcastAttempt(adapter.Name, BroadcastOutcome.Accepted, txid, null);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var now = _time.GetUtcNow();
            switch (FailureClassifier.Classify(e))
            {
                case FailureKind.Refusal:
                    Answered(BroadcastRoute, adapter, now);
                    return new BroadcastAttempt(adapter.Name, BroadcastOutcome.Rejected, null, e);
                case FailureKind.NotHere:
                    NotFoundAt(BroadcastRoute, adapter, now, ErrorText.Describe(e));
                    return new BroadcastAttempt(adapter.Name, BroadcastOutcome.Failed, null, e);
                case FailureKind.BackendFailure:
                    Failed(BroadcastRoute, adapter, now, e);
                    return new BroadcastAttempt(adapter.Name, BroadcastOutcome.Failed, null, e);
                default:
                    throw;
            }
        }
    }

    private static void RequireTransaction(ReadOnlyMemory<byte> transaction)
    {
        if (transaction.IsEmpty)
        {
            throw new ArgumentException("empty transaction", nameof(transaction));
        }
    }
}
