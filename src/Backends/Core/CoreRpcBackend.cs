using System.Net;
using System.Text;
using System.Text.Json;

using Coinshard.Chain.Addresses;
using Coinshard.Chain.Blocks;
using Coinshard.Chain.Encoding;
using Coinshard.Chain.Hashing;
using Coinshard.Chain.Networks;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coinshard.Backends.Core;

/// <summary>
/// The backend adapter for a Bitcoin or Litecoin Core node over JSON-RPC, with raw blocks and headers
/// over REST when the node runs with <c>-rest</c>. On first use it checks that the node is on the
/// configured network (chain name and genesis block) and detects REST, the transaction index and the
/// block filter index; every call fails with <see cref="BackendNetworkMismatchException"/> while the
/// node is on another network.
/// </summary>
public sealed class CoreRpcBackend :
    IBlockSource, IUtxoSource, IDescriptorScanner, IUtxoSetStatistics, ITransactionSource, IVerboseTransactionSource, IBroadcaster, IFeeEstimator, IMempoolSource, IDisposable
{
    private static readonly BackendCapabilities BaseCapabilities = new()
    {
        CanEstimateFee = true,
        HasMempoolAccess = true,
        ProvidesRawBlocks = true,
        SupportsUtxoSetScan = true,
        CanBroadcast = true,
    };

    private readonly CoreRpcClient _rpc;
    private readonly bool _ownsClient;
    private readonly CoreRpcBackendOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private volatile NodeFeatures? _features;
    private volatile bool _noWaitForNewBlock;

    /// <summary>Creates the adapter over an existing client (which the adapter does not dispose).</summary>
    public CoreRpcBackend(Network network, CoreRpcClient client, CoreRpcBackendOptions? options = null, ILogger<CoreRpcBackend>? logger = null, TimeProvider? timeProvider = null)
        : this(network, client, ownsClient: false, options, logger, timeProvider)
    {
    }

    private CoreRpcBackend(Network network, CoreRpcClient client, bool ownsClient, CoreRpcBackendOptions? options, ILogger? logger, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(client);
        Network = network;
        _rpc = client;
        _ownsClient = ownsClient;
        _options = options ?? new CoreRpcBackendOptions();
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Creates the adapter with its own RPC client, disposed with the adapter.</summary>
    public static CoreRpcBackend Create(Network network, CoreRpcOptions rpcOptions, CoreRpcBackendOptions? options = null, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        var client = new CoreRpcClient(rpcOptions, loggerFactory?.CreateLogger<CoreRpcClient>(), timeProvider: timeProvider);
        return new CoreRpcBackend(network, client, ownsClient: true, options, loggerFactory?.CreateLogger<CoreRpcBackend>(), timeProvider);
    }

    /// <inheritdoc />
    public string Name => $"core {_rpc.Endpoint}";

    /// <inheritdoc />
    public Network Network { get; }

    /// <inheritdoc />
    public BackendCapabilities Capabilities => _features?.Capabilities ?? BaseCapabilities;

    /// <inheritdoc />
    public BackendHealth Health => _rpc.Health;

    /// <summary>The underlying client, for RPCs this adapter does not wrap.</summary>
    public CoreRpcClient Rpc => _rpc;

    /// <summary>Whether blocks come over REST; null until the adapter has connected.</summary>
    public bool? UsesRest => _features?.Rest;

    /// <summary>
    /// Connects now instead of on first use: verifies the network and detects the node's features.
    /// Calling it is optional; a failed attempt is repeated by the next call.
    /// </summary>
    /// <exception cref="BackendNetworkMismatchException">The node is on another network.</exception>
    public async Task ConnectAsync(CancellationToken cancellationToken = default) =>
        await EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);

    // ---- IChainInfo / IBlockSource ----

    /// <inheritdoc />
    public async Task<ChainState> GetChainStateAsync(CancellationToken cancellationToken = default)
    {
        await EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
        var info = await CallAsync(new RpcRequest("getblockchaininfo"), cancellationToken).ConfigureAwait(false);
        const string Context = "getblockchaininfo";
        VerifyChainName(info.String("chain", Context), genesis: null);
        return new ChainState(
            Network,
            new ChainTip(info.Int32("blocks", Context), info.Hash("bestblockhash", Context)),
            info.Int32("headers", Context),
            info.Boolean("initialblockdownload", Context),
            info.UnixTime("mediantime", Context),
            info.Double("verificationprogress", Context),
            info.Boolean("pruned", Context));
    }

    /// <inheritdoc />
    public async Task<Hash256?> GetBlockHashAsync(int height, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        await EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var result = await CallAsync(new RpcRequest("getblockhash", [height]), cancellationToken).ConfigureAwait(false);
            return result.AsHash("getblockhash");
        }
        catch (RpcException e) when (e.Code == CoreRpcErrorCodes.InvalidParameter)
        {
            return null; // "Block height out of range"
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Hash256>> GetBlockHashesAsync(int fromHeight, int count, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fromHeight);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        await EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
        var requests = Enumerable.Range(0, count).Select(i => new RpcRequest("getblockhash", [fromHeight + i])).ToList();
        var responses = await _rpc.BatchAsync(requests, cancellationToken: cancellationToken).ConfigureAwait(false);
        var hashes = new List<Hash256>(count);
        foreach (var response in responses)
        {
            if (response.Error is { Code: CoreRpcErrorCodes.InvalidParameter })
            {
                break; // past the tip
            }
            hashes.Add(response.GetResultOrThrow().AsHash("getblockhash"));
        }
        return hashes;
    }

    /// <inheritdoc />
    public async Task<byte[]> GetBlockHeaderAsync(Hash256 blockHash, CancellationToken cancellationToken = default)
    {
        var features = await EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
        if (features.Rest)
        {
            var rest = await _rpc.GetRestAsync($"rest/headers/1/{blockHash}.bin", cancellationToken).ConfigureAwait(false);
            if (rest.IsSuccess)
            {
                return rest.Body.Length switch
                {
                    80 => rest.Body,
                    0 => throw new BlockNotFoundException(blockHash.ToString(), "unknown to the node"),
                    _ => throw new BackendProtocolException($"REST headers on {_rpc.Endpoint}: expected 80 bytes, got {rest.Body.Length}"),
                };
            }
            // Any other status: the REST form may differ on this version; RPC is authoritative.
        }
        try
        {
            var hex = await CallAsync(new RpcRequest("getblockheader", [blockHash, false]), cancellationToken).ConfigureAwait(false);
            var header = hex.AsHexBytes("getblockheader");
            return header.Length == 80 ? header : throw new BackendProtocolException($"getblockheader on {_rpc.Endpoint}: expected 80 bytes, got {header.Length}");
        }
        catch (RpcException e) when (e.Code == CoreRpcErrorCodes.InvalidAddressOrKey)
        {
            throw new BlockNotFoundException(blockHash.ToString(), e.RpcMessage);
        }
    }

    /// <summary>Most headers one REST call returns (Core's limit).</summary>
    public const int MaxRestHeaders = 2000;

    /// <inheritdoc />
    /// <remarks>
    /// REST <c>headers/N/HASH.bin</c> in chunks of <see cref="MaxRestHeaders"/> when enabled (a chunk whose headers do not
    /// hash to the asked blocks, e.g. after a reorg, falls back to RPC), else one batched <c>getblockheader</c> call per chunk.
    /// </remarks>
    public async Task<IReadOnlyList<byte[]>> GetBlockHeadersAsync(IReadOnlyList<Hash256> blockHashes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blockHashes);
        var features = await EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
        var headers = new List<byte[]>(blockHashes.Count);
        for (var start = 0; start < blockHashes.Count; start += MaxRestHeaders)
        {
            var chunk = blockHashes.Skip(start).Take(MaxRestHeaders).ToList();
            if (features.Rest && await TryRestHeadersAsync(chunk, cancellationToken).ConfigureAwait(false) is { } fromRest)
            {
                headers.AddRange(fromRest);
                continue;
            }
            var responses = await _rpc.BatchAsync(chunk.Select(h => new RpcRequest("getblockheader", [h, false])).ToList(), cancellationToken: cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < responses.Count; i++)
            {
                if (responses[i].Error is { Code: CoreRpcErrorCodes.InvalidAddressOrKey } missing)
                {
                    throw new BlockNotFoundException(chunk[i].ToString(), missing.Message);
                }
                var header = responses[i].GetResultOrThrow().AsHexBytes("getblockheader");
                headers.Add(header.Length == 80 ? header : throw new BackendProtocolException($"getblockheader on {_rpc.Endpoint}: expected 80 bytes, got {header.Length}"));
            }
        }
        return headers;
    }

    private async Task<List<byte[]>?> TryRestHeadersAsync(List<Hash256> chunk, CancellationToken cancellationToken)
    {
        var rest = await _rpc.GetRestAsync($"rest/headers/{chunk.Count}/{chunk[0]}.bin", cancellationToken).ConfigureAwait(false);
        if (!rest.IsSuccess || rest.Body.Length != chunk.Count * 80)
        {
            return null;
        }
        var headers = new List<byte[]>(chunk.Count);
        for (var i = 0; i < chunk.Count; i++)
        {
            var header = rest.Body.AsSpan(i * 80, 80).ToArray();
            if (Hashes.DoubleSha256(header) != chunk[i])
            {
                return null;
            }
            headers.Add(header);
        }
        return headers;
    }

    /// <inheritdoc />
    public async Task<byte[]> GetBlockAsync(Hash256 blockHash, CancellationToken cancellationToken = default)
    {
        var features = await EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
        if (features.Rest)
        {
            var rest = await _rpc.GetRestAsync($"rest/block/{blockHash}.bin", cancellationToken).ConfigureAwait(false);
            if (rest.IsSuccess)
            {
                return rest.Body;
            }
            if (rest.Status == HttpStatusCode.NotFound)
            {
                throw new BlockNotFoundException(blockHash.ToString(), RestReason(rest.Body));
            }
        }
        try
        {
            var hex = await CallAsync(new RpcRequest("getblock", [blockHash, 0]), cancellationToken).ConfigureAwait(false);
            return hex.AsHexBytes("getblock");
        }
        catch (RpcException e) when (e.Code is CoreRpcErrorCodes.InvalidAddressOrKey or CoreRpcErrorCodes.MiscError)
        {
            throw new BlockNotFoundException(blockHash.ToString(), e.RpcMessage); // unknown, or "Block not available (pruned data)"
        }
    }

    /// <inheritdoc />
    public async Task<ChainTip> WaitForNewTipAsync(Hash256 knownTip, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        await EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
        var deadline = _time.GetUtcNow() + timeout;
        while (true)
        {
            // Check first: waitfornewblock only notices blocks that arrive after it starts.
            var tip = await GetTipAsync(cancellationToken).ConfigureAwait(false);
            var remaining = deadline - _time.GetUtcNow();
            if (tip.Hash != knownTip || remaining <= TimeSpan.Zero)
            {
                return tip;
            }
            if (!_noWaitForNewBlock)
            {
                var slice = remaining < _options.TipWaitSlice ? remaining : _options.TipWaitSlice;
                var sliceMs = Math.Max(1, (long)slice.TotalMilliseconds);
                try
                {
                    var waited = await _rpc.CallAsync(
                        new RpcRequest("waitfornewblock", [sliceMs]),
                        new RpcCallOptions { Timeout = slice + _rpc.Options.Timeout },
                        cancellationToken).ConfigureAwait(false);
                    var hash = waited.Hash("hash", "waitfornewblock");
                    if (hash != knownTip)
                    {
                        return new ChainTip(waited.Int32("height", "waitfornewblock"), hash);
                    }
                    continue;
                }
                catch (RpcException e) when (e.Code == CoreRpcErrorCodes.MethodNotFound)
                {
                    _noWaitForNewBlock = true;
                    _logger.PollingForTips(_rpc.Endpoint, (long)_options.TipPollInterval.TotalMilliseconds);
                }
            }
            var pause = remaining < _options.TipPollInterval ? remaining : _options.TipPollInterval;
            await Task.Delay(pause, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    // ---- IUtxoSource ----

    /// <inheritdoc />
    public async Task<UtxoInfo?> GetUtxoAsync(Hash256 txid, int vout, bool includeMempool = true, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(vout);
        await EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
        var result = await CallAsync(new RpcRequest("gettxout", [txid, vout, includeMempool]), cancellationToken).ConfigureAwait(false);
        if (result.ValueKind == JsonValueKind.Null)
        {
            return null; // spent, or never existed
        }
        const string Context = "gettxout";
        var bestBlock = result.Hash("bestblock", Context);
        var confirmations = result.Int32("confirmations", Context);
        int? height = null;
        if (confirmations > 0)
        {
            // The answer refers to bestblock; its height turns confirmations into the creating height exactly.
            var header = await CallAsync(new RpcRequest("getblockheader", [bestBlock, true]), cancellationToken).ConfigureAwait(false);
            height = header.Int32("height", "getblockheader") - confirmations + 1;
        }
        return new UtxoInfo(
            txid,
            vout,
            result.Amount("value", Context),
            result.Required("scriptPubKey", Context).HexBytes("hex", Context + ".scriptPubKey"),
            height,
            confirmations,
            result.Boolean("coinbase", Context),
            bestBlock);
    }

    /// <inheritdoc />
    public async Task<UtxoVerification> VerifyUtxoAsync(Hash256 txid, int vout, ReadOnlyMemory<byte> expectedScript, int? heightHint = null, CancellationToken cancellationToken = default)
    {
        // Mempool-aware, so that a coin already spent by an unconfirmed transaction does not verify.
        var utxo = await GetUtxoAsync(txid, vout, includeMempool: true, cancellationToken).ConfigureAwait(false);
        var status = utxo switch
        {
            null => UtxoVerificationStatus.NotFound,
            _ when !utxo.ScriptPubKey.AsSpan().SequenceEqual(expectedScript.Span) => UtxoVerificationStatus.ScriptMismatch,
            { Height: null } => UtxoVerificationStatus.Unconfirmed,
            _ when heightHint is { } hint && utxo.Height != hint => UtxoVerificationStatus.HeightMismatch,
            _ => UtxoVerificationStatus.Verified,
        };
        return new UtxoVerification(status, utxo);
    }

    /// <inheritdoc />
    public async Task<AddressUtxos> GetAddressUtxosAsync(IReadOnlyCollection<string> addresses, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        // Scan by script (raw descriptors): no address text reaches the node, and an address given in
        // two forms (Litecoin's M… and legacy 3… P2SH) is one script.
        var addressesByScript = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var address in addresses.Distinct(StringComparer.Ordinal))
        {
            var script = Hex.Encode(AddressCodec.Decode(address, Network).Script);
            if (!addressesByScript.TryGetValue(script, out var list))
            {
                addressesByScript[script] = list = [];
            }
            list.Add(address);
        }
        if (addressesByScript.Count == 0)
        {
            var tip = await GetTipAsync(cancellationToken).ConfigureAwait(false);
            return new AddressUtxos(tip.Height, tip.Hash, []);
        }
        var scan = await ScanAsync(addressesByScript.Keys.Select(s => new ScanObject($"raw({s})")).ToList(), cancellationToken).ConfigureAwait(false);
        var utxos = new List<AddressUtxo>(scan.Unspents.Count);
        foreach (var unspent in scan.Unspents)
        {
            if (addressesByScript.TryGetValue(Hex.Encode(unspent.ScriptPubKey), out var owners))
            {
                utxos.AddRange(owners.Select(owner => new AddressUtxo(owner, unspent)));
            }
        }
        return new AddressUtxos(scan.Height, scan.BestBlock, utxos);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, long>> GetAddressBalancesAsync(IReadOnlyCollection<string> addresses, CancellationToken cancellationToken = default)
    {
        var utxos = await GetAddressUtxosAsync(addresses, cancellationToken).ConfigureAwait(false);
        return utxos.Balances(addresses);
    }

    // ---- IDescriptorScanner ----

    /// <inheritdoc />
    /// <remarks>
    /// Core runs one scan at a time. When another client's scan is running, this waits for it
    /// (polling <c>scantxoutset status</c>) and starts again with jittered backoff, up to
    /// <see cref="CoreRpcBackendOptions.ScanTimeout"/>. Cancelling, or timing out while our scan
    /// runs, sends <c>scantxoutset abort</c>, so the node does not scan for nobody.
    /// </remarks>
    public async Task<ScanResult> ScanAsync(IReadOnlyList<ScanObject> objects, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objects);
        await EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
        var scanObjects = objects.Select(ToScanParameter).ToList();
        var deadline = _time.GetUtcNow() + _options.ScanTimeout;
        var transportFailures = 0;
        for (var attempt = 1; ; attempt++)
        {
            var remaining = deadline - _time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                throw new ScanFailedException($"{_rpc.Endpoint} stayed busy with another UTXO-set scan for more than {_options.ScanTimeout}");
            }
            JsonElement result;
            try
            {
                // No client-level retries: a retried attempt would get the whole timeout again.
                result = await _rpc.CallAsync(
                    new RpcRequest("scantxoutset", ["start", scanObjects]),
                    new RpcCallOptions
                    {
                        Timeout = remaining < _rpc.Options.LongTimeout ? remaining : _rpc.Options.LongTimeout,
                        RetryTransientFailures = false,
                    },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (IsScanInProgress(e))
            {
                _logger.ScanBusy(_rpc.Endpoint, attempt);
                await WaitForOtherScanAsync(deadline, cancellationToken).ConfigureAwait(false);
                // Several waiters wake together; spread their restarts.
#pragma warning disable CA5394 // jitter needs no cryptographic randomness
                var jitter = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * _options.ScanStatusPollInterval.TotalMilliseconds * Math.Min(attempt, 8));
#pragma warning restore CA5394
                await Task.Delay(jitter, _time, cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await AbortScanAsync().ConfigureAwait(false);
                throw;
            }
            catch (BackendUnavailableException e) when (e.TimedOut)
            {
                await AbortScanAsync().ConfigureAwait(false);
                throw;
            }
            catch (BackendUnavailableException) when (transportFailures < _rpc.Options.MaxRetries)
            {
                // Node unreachable or restarting: back off like the client would, then start again.
                transportFailures++;
                var backoff = _rpc.Options.RetryBaseDelay * Math.Pow(2, transportFailures - 1);
                await Task.Delay(backoff < _rpc.Options.RetryMaxDelay ? backoff : _rpc.Options.RetryMaxDelay, _time, cancellationToken).ConfigureAwait(false);
                continue;
            }
            return ParseScan(result);
        }
    }

    // ---- IUtxoSetStatistics ----

    /// <inheritdoc />
    public async Task<UtxoSetInfo> GetUtxoSetInfoAsync(CancellationToken cancellationToken = default)
    {
        await EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
        var info = await _rpc.CallAsync(
            new RpcRequest("gettxoutsetinfo", ["none"]),
            new RpcCallOptions { Timeout = _rpc.Options.LongTimeout },
            cancellationToken).ConfigureAwait(false);
        const string Context = "gettxoutsetinfo";
        return new UtxoSetInfo(
            info.Int32("height", Context),
            info.Hash("bestblock", Context),
            info.Optional("transactions") is { } transactions ? transactions.GetInt64() : null,
            info.Int64("txouts", Context),
            info.Int64("bogosize", Context),
            info.Amount("total_amount", Context));
    }

    // ---- ITransactionSource ----

    /// <inheritdoc />
    public async Task<byte[]?> GetTransactionAsync(Hash256 txid, Hash256? blockHash = null, CancellationToken cancellationToken = default)
    {
        await EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
        object?[] parameters = blockHash is { } block ? [txid, false, block] : [txid, false];
        try
        {
            var hex = await CallAsync(new RpcRequest("getrawtransaction", parameters), cancellationToken).ConfigureAwait(false);
            return hex.AsHexBytes("getrawtransaction");
        }
        catch (RpcException e) when (e.Code == CoreRpcErrorCodes.InvalidAddressOrKey)
        {
            return null; // "No such mempool or blockchain transaction"
        }
    }

    /// <inheritdoc />
    public async Task<byte[]?> GetTransactionJsonAsync(Hash256 txid, Hash256? blockHash = null, CancellationToken cancellationToken = default)
    {
        await EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
        object?[] parameters = blockHash is { } block ? [txid, true, block] : [txid, true];
        try
        {
            var json = await CallAsync(new RpcRequest("getrawtransaction", parameters), cancellationToken).ConfigureAwait(false);
            return System.Text.Encoding.UTF8.GetBytes(json.GetRawText());
        }
        catch (RpcException e) when (e.Code == CoreRpcErrorCodes.InvalidAddressOrKey)
        {
            return null;
        }
    }

    // ---- IBroadcaster ----

    /// <inheritdoc />
    public async Task<Hash256> BroadcastAsync(ReadOnlyMemory<byte> transaction, CancellationToken cancellationToken = default)
    {
        if (transaction.IsEmpty)
        {
            throw new ArgumentException("empty transaction", nameof(transaction));
        }
        await EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var txid = await CallAsync(new RpcRequest("sendrawtransaction", [transaction]), cancellationToken).ConfigureAwait(false);
            return txid.AsHash("sendrawtransaction");
        }
        catch (RpcException e) when (e is not TransactionRejectedException)
        {
            throw CoreBroadcastErrors.Map(e);
        }
    }

    // ---- IFeeEstimator ----

    /// <inheritdoc />
    public async Task<FeeEstimate?> EstimateFeeAsync(int confirmationTarget, FeeEstimateMode mode = FeeEstimateMode.Default, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(confirmationTarget, 1);
        await EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
        object?[] parameters = mode switch
        {
            FeeEstimateMode.Economical => [confirmationTarget, "ECONOMICAL"],
            FeeEstimateMode.Conservative => [confirmationTarget, "CONSERVATIVE"],
            _ => [confirmationTarget],
        };
        var result = await CallAsync(new RpcRequest("estimatesmartfee", parameters), cancellationToken).ConfigureAwait(false);
        // Without enough data Core omits "feerate" and says so in "errors" (older versions sent -1).
        if (result.Optional("feerate") is not { } feeRate || feeRate.ValueKind != JsonValueKind.Number || feeRate.GetRawText().StartsWith('-'))
        {
            return null;
        }
        return new FeeEstimate(new FeeRate(feeRate.AsAmount("estimatesmartfee.feerate")), result.Int32("blocks", "estimatesmartfee"));
    }

    /// <inheritdoc />
    public async Task<FeeRate> GetMempoolMinFeeAsync(CancellationToken cancellationToken = default) =>
        (await GetMempoolInfoAsync(cancellationToken).ConfigureAwait(false)).MempoolMinFee;

    /// <inheritdoc />
    public async Task<FeeRate> GetRelayFeeAsync(CancellationToken cancellationToken = default)
    {
        await EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
        var info = await CallAsync(new RpcRequest("getnetworkinfo"), cancellationToken).ConfigureAwait(false);
        return info.FeeRate("relayfee", "getnetworkinfo");
    }

    // ---- IMempoolSource ----

    /// <inheritdoc />
    public async Task<IReadOnlyList<Hash256>> GetMempoolTxidsAsync(CancellationToken cancellationToken = default)
    {
        await EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
        var result = await CallAsync(new RpcRequest("getrawmempool", [false]), cancellationToken).ConfigureAwait(false);
        if (result.ValueKind != JsonValueKind.Array)
        {
            throw new BackendProtocolException("getrawmempool: expected an array");
        }
        return result.EnumerateArray().Select(e => e.AsHash("getrawmempool")).ToList();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<MempoolEntry>> GetMempoolEntriesAsync(CancellationToken cancellationToken = default)
    {
        await EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
        var result = await CallAsync(new RpcRequest("getrawmempool", [true]), cancellationToken).ConfigureAwait(false);
        if (result.ValueKind != JsonValueKind.Object)
        {
            throw new BackendProtocolException("getrawmempool: expected an object");
        }
        var entries = new List<MempoolEntry>();
        foreach (var property in result.EnumerateObject())
        {
            var context = "getrawmempool." + property.Name;
            var entry = property.Value;
            // Core 0.19+ reports fees in "fees.base"; the flat "fee" field is deprecated.
            var fee = entry.Optional("fees") is { } fees ? fees.Amount("base", context + ".fees") : entry.Amount("fee", context);
            entries.Add(new MempoolEntry(
                Hash256.TryParse(property.Name, out var txid) ? txid : throw new BackendProtocolException($"{context}: key is not a txid"),
                fee,
                entry.Int32("vsize", context),
                entry.Optional("weight")?.AsInt32(context + ".weight"),
                entry.UnixTime("time", context),
                entry.Int32("height", context),
                entry.Optional("depends") is { } depends ? depends.EnumerateArray().Select(d => d.AsHash(context + ".depends")).ToList() : []));
        }
        return entries;
    }

    /// <inheritdoc />
    public async Task<MempoolInfo> GetMempoolInfoAsync(CancellationToken cancellationToken = default)
    {
        await EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
        var info = await CallAsync(new RpcRequest("getmempoolinfo"), cancellationToken).ConfigureAwait(false);
        // The increment a replacement must add lives in getnetworkinfo on Core 0.21 (getmempoolinfo has it from 24.0).
        var network = await CallAsync(new RpcRequest("getnetworkinfo"), cancellationToken).ConfigureAwait(false);
        const string Context = "getmempoolinfo";
        return new MempoolInfo(
            info.Optional("loaded") is not { ValueKind: JsonValueKind.False },
            info.Int32("size", Context),
            info.Int64("bytes", Context),
            info.Int64("usage", Context),
            info.Int64("maxmempool", Context),
            info.FeeRate("mempoolminfee", Context),
            info.FeeRate("minrelaytxfee", Context))
        {
            IncrementalRelayFee = info.Optional("incrementalrelayfee") is not null
                ? info.FeeRate("incrementalrelayfee", Context)
                : network.FeeRate("incrementalfee", "getnetworkinfo"),
        };
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsClient)
        {
            _rpc.Dispose();
        }
        _connectLock.Dispose();
    }

    // ---- helpers ----

    private Task<JsonElement> CallAsync(RpcRequest request, CancellationToken cancellationToken) =>
        _rpc.CallAsync(request, cancellationToken: cancellationToken);

    private async Task<ChainTip> GetTipAsync(CancellationToken cancellationToken)
    {
        // One call, so that height and hash are of the same block.
        var info = await CallAsync(new RpcRequest("getblockchaininfo"), cancellationToken).ConfigureAwait(false);
        return new ChainTip(info.Int32("blocks", "getblockchaininfo"), info.Hash("bestblockhash", "getblockchaininfo"));
    }

    private async Task<NodeFeatures> EnsureConnectedAsync(CancellationToken cancellationToken)
    {
        if (_features is { } known)
        {
            return known;
        }
        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_features is { } raced)
            {
                return raced;
            }
            var responses = await _rpc.BatchAsync(
                [new RpcRequest("getblockchaininfo"), new RpcRequest("getblockhash", [0]), new RpcRequest("getnetworkinfo"), new RpcRequest("getindexinfo")],
                cancellationToken: cancellationToken).ConfigureAwait(false);
            var chain = responses[0].GetResultOrThrow().String("chain", "getblockchaininfo");
            var genesis = responses[1].GetResultOrThrow().AsHash("getblockhash 0");
            VerifyChainName(chain, genesis);
            var version = responses[2].GetResultOrThrow().Int32("version", "getnetworkinfo");
            // getindexinfo exists since Core 0.21; older nodes answer "method not found".
            var indexes = responses[3].Error is null ? responses[3].Result : default;
            var txIndex = indexes.Optional("txindex") is not null;
            var filterIndex = indexes.Optional("basic block filter index") is not null;
            var rest = false;
            if (_options.UseRest)
            {
                rest = (await _rpc.GetRestAsync("rest/chaininfo.json", cancellationToken).ConfigureAwait(false)).IsSuccess;
                _logger.RestDetected(_rpc.Endpoint, rest ? "enabled" : "disabled", rest ? "REST" : "RPC");
            }
            _logger.Connected(_rpc.Endpoint, Network.Name, version, txIndex, filterIndex);
            var features = new NodeFeatures(
                rest,
                BaseCapabilities with { ProvidesConfirmedTransactions = txIndex, ProvidesNeutrinoMetadata = filterIndex });
            _features = features;
            return features;
        }
        finally
        {
            _connectLock.Release();
        }
    }

    private void VerifyChainName(string chain, Hash256? genesis)
    {
        var byChain = Network.FromCoreChainName(Network.Currency, chain);
        var byGenesis = genesis is { } g ? Network.All.FirstOrDefault(n => n.GenesisHash == g) : Network;
        if (byChain == Network && byGenesis == Network)
        {
            return;
        }
        var actual = genesis is { } ? byGenesis : byChain;
        var description = actual is not null
            ? $"{actual.Name} (chain '{chain}')"
            : $"an unknown chain '{chain}'{(genesis is { } h ? $" with genesis {h}" : "")}";
        throw new BackendNetworkMismatchException(_rpc.Endpoint, Network, actual, description);
    }

    private static object ToScanParameter(ScanObject scanObject)
    {
        ArgumentNullException.ThrowIfNull(scanObject);
        if (scanObject.RangeStart is null && scanObject.RangeEnd is null)
        {
            return scanObject.Descriptor;
        }
        var end = scanObject.RangeEnd ?? throw new ArgumentException("a scan range needs an end", nameof(scanObject));
        return new Dictionary<string, object?>
        {
            ["desc"] = scanObject.Descriptor,
            ["range"] = new[] { scanObject.RangeStart ?? 0, end },
        };
    }

    private static bool IsScanInProgress(RpcException e) =>
        e.Code == CoreRpcErrorCodes.InvalidParameter && e.RpcMessage.Contains("already in progress", StringComparison.OrdinalIgnoreCase);

    private async Task WaitForOtherScanAsync(DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        while (true)
        {
            var status = await CallAsync(new RpcRequest("scantxoutset", ["status"]), cancellationToken).ConfigureAwait(false);
            if (status.ValueKind == JsonValueKind.Null)
            {
                return; // no scan running
            }
            if (_time.GetUtcNow() >= deadline)
            {
                throw new ScanFailedException($"{_rpc.Endpoint} stayed busy with another UTXO-set scan for more than {_options.ScanTimeout}");
            }
            await Task.Delay(_options.ScanStatusPollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task AbortScanAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(_rpc.Options.Timeout);
            var aborted = await _rpc.CallAsync(
                new RpcRequest("scantxoutset", ["abort"]),
                new RpcCallOptions { RetryTransientFailures = false },
                timeout.Token).ConfigureAwait(false);
            _logger.ScanAborted(_rpc.Endpoint, aborted.ValueKind == JsonValueKind.True);
        }
        catch (Exception e) when (e is BackendException or OperationCanceledException)
        {
            // Best effort: the node may be gone, or the scan already over.
        }
    }

    private ScanResult ParseScan(JsonElement result)
    {
        const string Context = "scantxoutset";
        if (!result.Boolean("success", Context))
        {
            throw new ScanFailedException($"{_rpc.Endpoint} aborted the UTXO-set scan (another client sent 'scantxoutset abort')");
        }
        var unspents = new List<ScannedUtxo>();
        var total = 0L;
        foreach (var item in result.Required("unspents", Context).EnumerateArray())
        {
            const string ItemContext = "scantxoutset.unspents[]";
            var utxo = new ScannedUtxo(
                item.Hash("txid", ItemContext),
                item.Int32("vout", ItemContext),
                item.HexBytes("scriptPubKey", ItemContext),
                item.Amount("amount", ItemContext),
                item.Int32("height", ItemContext),
                item.Optional("desc")?.AsString(ItemContext + ".desc"));
            unspents.Add(utxo);
            total = checked(total + utxo.Amount);
        }
        var reportedTotal = result.Amount("total_amount", Context);
        if (reportedTotal != total)
        {
            throw new BackendProtocolException($"{Context}: total_amount {reportedTotal} differs from the sum of unspents {total}");
        }
        return new ScanResult(result.Int32("height", Context), result.Hash("bestblock", Context), unspents, total);
    }

    private static string RestReason(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 200)).Trim();
        return text.Length == 0 ? "unknown to the node" : text;
    }

    /// <summary>What the adapter learned about the node when it connected.</summary>
    private sealed record NodeFeatures(bool Rest, BackendCapabilities Capabilities);
}
