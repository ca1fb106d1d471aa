using System.Text.Json;

using Coinshard.Backends;
using Coinshard.Chain.Blocks;
using Coinshard.Chain.Encoding;
using Coinshard.Chain.Hashing;
using Coinshard.Electrum.Mempool;
using Coinshard.Electrum.Protocol;
using Coinshard.Electrum.Scripthashes;
using Coinshard.Electrum.Sessions;
using Coinshard.Indexing.Shards;
using Coinshard.Storage;

using Microsoft.Extensions.Logging;

namespace Coinshard.Electrum.Methods;

/// <summary>
/// The Electrum protocol methods of one currency (protocol-methods of the specification, 1.4 to 1.6).
/// <c>server.version</c> and <c>server.ping</c> are answered by the session layer.
/// </summary>
public sealed partial class ElectrumMethodHandler : IElectrumMethodHandler
{
    private const long SatoshisPerCoin = 100_000_000;

    private readonly ElectrumCoinServices _s;
    private readonly ILogger _logger;

    /// <summary>Creates the handler over <paramref name="services"/>.</summary>
    public ElectrumMethodHandler(ElectrumCoinServices services, ILogger<ElectrumMethodHandler> logger)
    {
        _s = services ?? throw new ArgumentNullException(nameof(services));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <inheritdoc />
    public int CostOf(JsonRpcRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Method switch
        {
            "blockchain.scripthash.get_history" or "blockchain.scripthash.listunspent" => 10,
            "blockchain.transaction.get_merkle" or "blockchain.transaction.id_from_pos" => 10,
            "blockchain.transaction.broadcast" or "blockchain.transaction.broadcast_package" => 20,
            "blockchain.block.headers" => 5,
            "blockchain.scripthash.subscribe" or "blockchain.scripthash.get_balance" or "blockchain.scripthash.get_mempool" => 3,
            "blockchain.transaction.get" or "blockchain.estimatefee" => 3,
            _ => 1,
        };
    }

    /// <inheritdoc />
    public void SessionClosed(IElectrumSession session) => _s.Subscriptions.SessionClosed(session);

    /// <inheritdoc />
    public async ValueTask<JsonRpcResponse> HandleAsync(IElectrumSession session, JsonRpcRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(request);
        var id = request.RawId ?? JsonRpcParser.NullId;
        try
        {
            var version = session.Version ?? ProtocolVersion.Parse(_s.Server.ProtocolMin);
            var p = new ParamReader(request.Method, request.Params);
            var result = await DispatchAsync(session, version, request.Method, p, cancellationToken).ConfigureAwait(false);
            return result is null
                ? JsonRpcResponse.Failure(id, JsonRpcErrorCodes.MethodNotFound, $"unknown method '{Shorten(request.Method)}' (protocol {version})")
                : JsonRpcResponse.Success(id, result);
        }
        catch (ElectrumRequestException e)
        {
            return JsonRpcResponse.Failure(id, e.Code, e.Message);
        }
        catch (TransactionRejectedException e)
        {
            return JsonRpcResponse.Failure(id, JsonRpcErrorCodes.DaemonError, e.Message);
        }
        catch (BackendException e) when (!cancellationToken.IsCancellationRequested)
        {
            LogBackendFailure(_logger, request.Method, e.Message);
            return JsonRpcResponse.Failure(id, JsonRpcErrorCodes.DaemonError, "the backend node is unavailable; try again later");
        }
    }

    private async Task<byte[]?> DispatchAsync(IElectrumSession session, ProtocolVersion version, string method, ParamReader p, CancellationToken ct)
    {
        var v16 = version >= ProtocolVersion.Version16;
        return method switch
        {
            "server.banner" => Json(w => w.WriteStringValue(_s.Info.Banner)),
            "server.donation_address" => Json(w => w.WriteStringValue(_s.Info.DonationAddress)),
            "server.features" => Features(),
            "server.peers.subscribe" => Json(w =>
            {
                w.WriteStartArray();
                w.WriteEndArray();
            }),
            "blockchain.headers.subscribe" => await HeadersSubscribeAsync(session, ct).ConfigureAwait(false),
            "blockchain.block.header" => await BlockHeaderAsync(p, ct).ConfigureAwait(false),
            "blockchain.block.headers" => await BlockHeadersAsync(p, v16, ct).ConfigureAwait(false),
            "blockchain.estimatefee" => await EstimateFeeAsync(p, v16, ct).ConfigureAwait(false),
            "blockchain.relayfee" when !v16 => await RelayFeeAsync(ct).ConfigureAwait(false),
            "mempool.get_fee_histogram" => FeeHistogram(),
            "mempool.get_info" when v16 => await MempoolInfoAsync(ct).ConfigureAwait(false),
            "blockchain.scripthash.get_balance" => await GetBalanceAsync(p, ct).ConfigureAwait(false),
            "blockchain.scripthash.get_history" => await GetHistoryAsync(p, ct).ConfigureAwait(false),
            "blockchain.scripthash.get_mempool" => await GetMempoolAsync(p, ct).ConfigureAwait(false),
            "blockchain.scripthash.listunspent" => await ListUnspentAsync(p, ct).ConfigureAwait(false),
            "blockchain.scripthash.subscribe" => await SubscribeAsync(session, p, ct).ConfigureAwait(false),
            "blockchain.scripthash.unsubscribe" => Unsubscribe(session, p),
            "blockchain.transaction.get" => await TransactionGetAsync(p, ct).ConfigureAwait(false),
            "blockchain.transaction.get_merkle" => await GetMerkleAsync(p, ct).ConfigureAwait(false),
            "blockchain.transaction.id_from_pos" => await IdFromPosAsync(p, ct).ConfigureAwait(false),
            "blockchain.transaction.broadcast" => await BroadcastAsync(p, ct).ConfigureAwait(false),
            "blockchain.transaction.broadcast_package" when v16 => throw ElectrumRequestException.BadRequest(
                "blockchain.transaction.broadcast_package is not supported: the backend node cannot relay packages; broadcast the transactions one by one, parents first"),
            _ => null,
        };
    }

    private byte[] Features() => Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("genesis_hash", _s.Network.GenesisHash.ToString());
        w.WriteStartObject("hosts");
        foreach (var (host, (tcp, ssl)) in _s.Info.Hosts)
        {
            w.WriteStartObject(host);
            WriteOptionalInt(w, "tcp_port", tcp);
            WriteOptionalInt(w, "ssl_port", ssl);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteString("protocol_max", _s.Server.ProtocolMax);
        w.WriteString("protocol_min", _s.Server.ProtocolMin);
        w.WriteNull("pruning");
        w.WriteString("server_version", _s.Server.ServerSoftware);
        w.WriteString("hash_function", "sha256");
        w.WriteStartArray("services");
        w.WriteEndArray();
        // Not part of the protocol: says that in utxo mode history holds only transactions with unspent outputs.
        w.WriteString("coinshard_index_mode", _s.Mode == IndexMode.Full ? "full" : "utxo");
        w.WriteEndObject();
    });

    private async Task<byte[]> HeadersSubscribeAsync(IElectrumSession session, CancellationToken ct)
    {
        _s.Subscriptions.SubscribeHeaders(session);
        var tip = await _s.Store.GetTipAsync(ct).ConfigureAwait(false) ?? throw ElectrumRequestException.BadRequest("the index has no blocks yet");
        var header = await RequireHeaderAsync(tip.Height, ct).ConfigureAwait(false);
        return Json(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("height", tip.Height);
            w.WriteString("hex", Hex.Encode(header));
            w.WriteEndObject();
        });
    }

    private async Task<byte[]> BlockHeaderAsync(ParamReader p, CancellationToken ct)
    {
        p.ExpectAtMost(2);
        var height = p.RequiredInt(0, "height");
        var cpHeight = p.OptionalInt(1, "cp_height") ?? 0;
        var header = await RequireHeaderAsync(height, ct).ConfigureAwait(false);
        if (cpHeight == 0)
        {
            return Json(w => w.WriteStringValue(Hex.Encode(header)));
        }
        var proof = await ProveAsync(height, cpHeight, ct).ConfigureAwait(false);
        return Json(w =>
        {
            w.WriteStartObject();
            WriteBranch(w, proof.Branch);
            w.WriteString("header", Hex.Encode(header));
            w.WriteString("root", proof.Root.ToString());
            w.WriteEndObject();
        });
    }

    private async Task<byte[]> BlockHeadersAsync(ParamReader p, bool v16, CancellationToken ct)
    {
        p.ExpectAtMost(3);
        var start = p.RequiredInt(0, "start_height");
        var count = Math.Min(p.RequiredInt(1, "count"), _s.Info.MaxHeaders);
        var cpHeight = p.OptionalInt(2, "cp_height") ?? 0;
        var headers = count == 0 ? [] : await _s.Store.GetHeadersAsync(start, count, ct).ConfigureAwait(false);
        Headers.HeaderProof? proof = null;
        if (cpHeight != 0 && headers.Count > 0)
        {
            proof = await ProveAsync(start + headers.Count - 1, cpHeight, ct).ConfigureAwait(false);
        }
        return Json(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("count", headers.Count);
            if (v16)
            {
                w.WriteStartArray("headers");
                foreach (var header in headers)
                {
                    w.WriteStringValue(Hex.Encode(header));
                }
                w.WriteEndArray();
            }
            else
            {
                w.WriteString("hex", Hex.Encode(headers.SelectMany(h => h).ToArray()));
            }
            w.WriteNumber("max", _s.Info.MaxHeaders);
            if (proof is not null)
            {
                WriteBranch(w, proof.Branch);
                w.WriteString("root", proof.Root.ToString());
            }
            w.WriteEndObject();
        });
    }

    private async Task<Headers.HeaderProof> ProveAsync(int height, int cpHeight, CancellationToken ct)
    {
        var tip = await _s.Store.GetTipAsync(ct).ConfigureAwait(false);
        if (cpHeight < height)
        {
            throw ElectrumRequestException.BadRequest($"cp_height {cpHeight} is below height {height}");
        }
        if (tip is null || cpHeight > tip.Height)
        {
            throw ElectrumRequestException.BadRequest($"cp_height {cpHeight} is above the chain tip {tip?.Height ?? -1}");
        }
        try
        {
            return await _s.HeaderProofs.ProveAsync(height, cpHeight, ct).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            throw ElectrumRequestException.BadRequest("the chain changed while the proof was built; try again");
        }
    }

    private async Task<byte[]> RequireHeaderAsync(int height, CancellationToken ct) =>
        await _s.Store.GetHeaderAsync(height, ct).ConfigureAwait(false)
        ?? throw ElectrumRequestException.BadRequest($"height {height} is out of range (no such block in the index)");

    private async Task<byte[]> EstimateFeeAsync(ParamReader p, bool v16, CancellationToken ct)
    {
        p.ExpectAtMost(v16 ? 2 : 1);
        var target = p.RequiredInt(0, "number");
        var mode = (v16 ? p.OptionalString(1, "mode") : null) switch
        {
            null => FeeEstimateMode.Default,
            var m when m.Equals("ECONOMICAL", StringComparison.OrdinalIgnoreCase) => FeeEstimateMode.Economical,
            var m when m.Equals("CONSERVATIVE", StringComparison.OrdinalIgnoreCase) => FeeEstimateMode.Conservative,
            var m => throw ElectrumRequestException.InvalidParams($"blockchain.estimatefee: mode must be ECONOMICAL or CONSERVATIVE, got '{Shorten(m)}'"),
        };
        if (target < 1 || target > 1008)
        {
            throw ElectrumRequestException.InvalidParams("blockchain.estimatefee: number must be between 1 and 1008 blocks");
        }
        var estimate = await _s.Fees.EstimateFeeAsync(target, mode, ct).ConfigureAwait(false);
        // The protocol's unit is coins per kilobyte (a JSON number); -1 when the node has no estimate.
        return estimate is null ? Json(w => w.WriteNumberValue(-1)) : Json(w => w.WriteNumberValue(CoinsPerKvB(estimate.Rate)));
    }

    private async Task<byte[]> RelayFeeAsync(CancellationToken ct)
    {
        var rate = await _s.Fees.GetRelayFeeAsync(ct).ConfigureAwait(false);
        return Json(w => w.WriteNumberValue(CoinsPerKvB(rate)));
    }

    private async Task<byte[]> MempoolInfoAsync(CancellationToken ct)
    {
        var info = await _s.MempoolInfo.GetMempoolInfoAsync(ct).ConfigureAwait(false);
        return Json(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("mempoolminfee", CoinsPerKvB(info.MempoolMinFee));
            w.WriteNumber("minrelaytxfee", CoinsPerKvB(info.MinRelayTxFee));
            w.WriteNumber("incrementalrelayfee", CoinsPerKvB(info.IncrementalRelayFee));
            w.WriteEndObject();
        });
    }

    private byte[] FeeHistogram() => Json(w =>
    {
        w.WriteStartArray();
        foreach (var bin in _s.Mempool.Current.FeeHistogram)
        {
            w.WriteStartArray();
            w.WriteNumberValue(Math.Round(bin.SatoshisPerVByte, 2));
            w.WriteNumberValue(bin.VSize);
            w.WriteEndArray();
        }
        w.WriteEndArray();
    });

    private async Task<byte[]> GetBalanceAsync(ParamReader p, CancellationToken ct)
    {
        p.ExpectAtMost(1);
        var scripthash = p.RequiredHash(0, "scripthash");
        var confirmed = await _s.Store.GetBalanceAsync(scripthash, ct).ConfigureAwait(false);
        var unconfirmed = (await MempoolOfAsync(scripthash, ct).ConfigureAwait(false))?.BalanceDelta ?? 0;
        return Json(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("confirmed", confirmed);
            w.WriteNumber("unconfirmed", unconfirmed);
            w.WriteEndObject();
        });
    }

    private async Task<byte[]> GetHistoryAsync(ParamReader p, CancellationToken ct)
    {
        p.ExpectAtMost(1);
        var history = await HistoryAsync(p.RequiredHash(0, "scripthash"), ct).ConfigureAwait(false);
        return Json(w => WriteHistory(w, history));
    }

    private async Task<byte[]> GetMempoolAsync(ParamReader p, CancellationToken ct)
    {
        p.ExpectAtMost(1);
        var scripthash = p.RequiredHash(0, "scripthash");
        var history = ScripthashHistory.Combine([], await MempoolOfAsync(scripthash, ct).ConfigureAwait(false));
        return Json(w => WriteHistory(w, history));
    }

    /// <summary>
    /// A scripthash's mempool activity without the transactions the store already has as confirmed. The mempool view
    /// is refreshed after the store learns of a block, so for a moment it may still list a mined transaction: its
    /// outputs are then in the store, or the coins it spent are gone from it, and it must not count twice.
    /// Costs one store read, only for scripthashes with mempool activity.
    /// </summary>
    private async Task<ScripthashMempool?> MempoolOfAsync(Hash256 scripthash, CancellationToken ct)
    {
        var mempool = _s.Mempool.Current.Get(ScripthashKeys.Of(scripthash));
        if (mempool is null)
        {
            return null;
        }
        var outPoints = mempool.Funded.Select(c => c.OutPoint).Concat(mempool.Spent.Select(c => c.OutPoint)).ToHashSet();
        var stored = (await _s.Store.GetCoinsAsync(outPoints, ct).ConfigureAwait(false)).Select(c => c.OutPoint).ToHashSet();
        var mined = mempool.Funded.Where(c => stored.Contains(c.OutPoint)).Select(c => c.OutPoint.TxId).ToHashSet();
        var live = mempool.Funded.Where(c => !mined.Contains(c.OutPoint.TxId)).Select(c => c.OutPoint).ToHashSet();
        mined.UnionWith(mempool.Spent.Where(c => !stored.Contains(c.OutPoint) && !live.Contains(c.OutPoint)).Select(c => c.SpentBy));
        return mined.Count == 0
            ? mempool
            : new ScripthashMempool(
                [.. mempool.Transactions.Where(t => !mined.Contains(t.TxId))],
                [.. mempool.Funded.Where(c => !mined.Contains(c.OutPoint.TxId))],
                [.. mempool.Spent.Where(c => !mined.Contains(c.SpentBy))]);
    }

    private async Task<byte[]> ListUnspentAsync(ParamReader p, CancellationToken ct)
    {
        p.ExpectAtMost(1);
        var scripthash = p.RequiredHash(0, "scripthash");
        var limit = _s.Info.MaxHistory;
        var coins = await _s.Store.GetCoinsByScripthashAsync(scripthash, limit + 1, ct).ConfigureAwait(false);
        var mempool = _s.Mempool.Current;
        var funded = (await MempoolOfAsync(scripthash, ct).ConfigureAwait(false))?.Funded ?? [];
        if (coins.Count + funded.Count > limit)
        {
            throw TooLarge(scripthash, limit);
        }
        return Json(w =>
        {
            w.WriteStartArray();
            foreach (var coin in coins)
            {
                if (!mempool.IsSpent(coin.OutPoint))
                {
                    WriteUnspent(w, coin.OutPoint.TxId, coin.OutPoint.Index, coin.Value, coin.Height);
                }
            }
            foreach (var coin in funded)
            {
                if (!mempool.IsSpent(coin.OutPoint))
                {
                    WriteUnspent(w, coin.OutPoint.TxId, coin.OutPoint.Index, coin.Value, 0);
                }
            }
            w.WriteEndArray();
        });
    }

    private async Task<byte[]> SubscribeAsync(IElectrumSession session, ParamReader p, CancellationToken ct)
    {
        p.ExpectAtMost(1);
        var status = await _s.Subscriptions.SubscribeAsync(session, p.RequiredHash(0, "scripthash"), ct).ConfigureAwait(false);
        return Json(w =>
        {
            if (status is null)
            {
                w.WriteNullValue();
            }
            else
            {
                w.WriteStringValue(status);
            }
        });
    }

    private byte[] Unsubscribe(IElectrumSession session, ParamReader p)
    {
        p.ExpectAtMost(1);
        var removed = _s.Subscriptions.Unsubscribe(session, p.RequiredHash(0, "scripthash"));
        return Json(w => w.WriteBooleanValue(removed));
    }

    /// <summary>The status of a scripthash now (confirmed history plus mempool); the subscription hub's source.</summary>
    public async Task<string?> StatusAsync(Hash256 scripthash, CancellationToken ct) =>
        ScripthashHistory.Status(await HistoryAsync(scripthash, ct).ConfigureAwait(false));

    private async Task<List<HistoryEntry>> HistoryAsync(Hash256 scripthash, CancellationToken ct)
    {
        var limit = _s.Info.MaxHistory;
        var confirmed = await ConfirmedHistory.ReadAsync(_s.Store, _s.Mode, scripthash, limit, ct).ConfigureAwait(false);
        var history = confirmed.TooLarge ? null : ScripthashHistory.Combine(confirmed.Entries, await MempoolOfAsync(scripthash, ct).ConfigureAwait(false));
        return history is null || history.Count > limit ? throw TooLarge(scripthash, limit) : history;
    }

    private async Task<byte[]> TransactionGetAsync(ParamReader p, CancellationToken ct)
    {
        p.ExpectAtMost(2);
        var txid = p.RequiredHash(0, "tx_hash");
        var verbose = p.OptionalBool(1, "verbose") ?? false;
        // In full mode the index knows the block, so the node needs no -txindex to find the transaction.
        Hash256? blockHash = null;
        if (_s.Mode == IndexMode.Full && await _s.Store.GetTxPositionAsync(txid, ct).ConfigureAwait(false) is { } position)
        {
            blockHash = await _s.Store.GetBlockHashAsync(position.Height, ct).ConfigureAwait(false);
        }
        if (verbose)
        {
            var source = _s.VerboseTransactions ?? throw ElectrumRequestException.BadRequest("verbose transactions are not available from this server's backend; request the raw transaction");
            var json = await source.GetTransactionJsonAsync(txid, blockHash, ct).ConfigureAwait(false)
                ?? throw ElectrumRequestException.BadRequest($"transaction {txid} not found");
            // The node's own verbose object, as ElectrumX and Fulcrum pass it through; rewritten compactly
            // because a newline inside a response would break the line framing.
            using var document = JsonDocument.Parse(json);
            return Json(w => document.RootElement.WriteTo(w));
        }
        var raw = await _s.Transactions.GetTransactionAsync(txid, blockHash, ct).ConfigureAwait(false)
            ?? throw ElectrumRequestException.BadRequest($"transaction {txid} not found");
        return Json(w => w.WriteStringValue(Hex.Encode(raw)));
    }

    private async Task<byte[]> GetMerkleAsync(ParamReader p, CancellationToken ct)
    {
        p.ExpectAtMost(2);
        var txid = p.RequiredHash(0, "tx_hash");
        var height = p.RequiredInt(1, "height");
        var txIds = await BlockTxIdsAsync(height, ct).ConfigureAwait(false);
        var position = Array.IndexOf(txIds, txid);
        if (position < 0)
        {
            throw ElectrumRequestException.BadRequest($"transaction {txid} is not in the block at height {height}");
        }
        var branch = new MerkleTree(txIds).GetBranch(position);
        return Json(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("block_height", height);
            w.WritePropertyName("merkle");
            WriteHashes(w, branch);
            w.WriteNumber("pos", position);
            w.WriteEndObject();
        });
    }

    private async Task<byte[]> IdFromPosAsync(ParamReader p, CancellationToken ct)
    {
        p.ExpectAtMost(3);
        var height = p.RequiredInt(0, "height");
        var position = p.RequiredInt(1, "tx_pos");
        var merkle = p.OptionalBool(2, "merkle") ?? false;
        var txIds = await BlockTxIdsAsync(height, ct).ConfigureAwait(false);
        if (position >= txIds.Length)
        {
            throw ElectrumRequestException.BadRequest($"no transaction at position {position} of the block at height {height} ({txIds.Length} transactions)");
        }
        if (!merkle)
        {
            return Json(w => w.WriteStringValue(txIds[position].ToString()));
        }
        var branch = new MerkleTree(txIds).GetBranch(position);
        return Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("tx_hash", txIds[position].ToString());
            w.WritePropertyName("merkle");
            WriteHashes(w, branch);
            w.WriteEndObject();
        });
    }

    private async Task<Hash256[]> BlockTxIdsAsync(int height, CancellationToken ct)
    {
        var blockHash = await _s.Store.GetBlockHashAsync(height, ct).ConfigureAwait(false)
            ?? throw ElectrumRequestException.BadRequest($"height {height} is out of range (no such block in the index)");
        return await _s.BlockTxids.GetAsync(blockHash, ct).ConfigureAwait(false);
    }

    private async Task<byte[]> BroadcastAsync(ParamReader p, CancellationToken ct)
    {
        p.ExpectAtMost(1);
        var hex = p.RequiredString(0, "raw_tx");
        if (!Hex.TryDecode(hex, out var raw) || raw.Length == 0)
        {
            throw ElectrumRequestException.BadRequest("raw_tx must be a transaction in hex");
        }
        var txid = await _s.Broadcaster.BroadcastAsync(raw, ct).ConfigureAwait(false);
        return Json(w => w.WriteStringValue(txid.ToString()));
    }

    private static ElectrumRequestException TooLarge(Hash256 scripthash, int limit) =>
        new(JsonRpcErrorCodes.HistoryTooLarge, $"history too large: scripthash {scripthash} has more than {limit} entries (the server's limit)");

    private static void WriteHistory(Utf8JsonWriter w, List<HistoryEntry> history)
    {
        w.WriteStartArray();
        foreach (var entry in history)
        {
            w.WriteStartObject();
            w.WriteString("tx_hash", entry.TxId.ToString());
            w.WriteNumber("height", entry.Height);
            if (entry.Fee is { } fee)
            {
                w.WriteNumber("fee", fee);
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteUnspent(Utf8JsonWriter w, Hash256 txid, uint vout, long value, int height)
    {
        w.WriteStartObject();
        w.WriteNumber("tx_pos", vout);
        w.WriteNumber("value", value);
        w.WriteString("tx_hash", txid.ToString());
        w.WriteNumber("height", height);
        w.WriteEndObject();
    }

    private static void WriteBranch(Utf8JsonWriter w, IReadOnlyList<Hash256> branch)
    {
        w.WritePropertyName("branch");
        WriteHashes(w, branch);
    }

    private static void WriteHashes(Utf8JsonWriter w, IReadOnlyList<Hash256> hashes)
    {
        w.WriteStartArray();
        foreach (var hash in hashes)
        {
            w.WriteStringValue(hash.ToString());
        }
        w.WriteEndArray();
    }

    private static void WriteOptionalInt(Utf8JsonWriter w, string name, int? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static decimal CoinsPerKvB(FeeRate rate) => (decimal)rate.SatoshisPerKvB / SatoshisPerCoin;

    private static byte[] Json(Action<Utf8JsonWriter> write) => JsonRpcWriter.Result(write);

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "…";

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "{Method} failed at the backend: {Reason}")]
    private static partial void LogBackendFailure(ILogger logger, string method, string reason);
}
