using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;

using Coinshard.Electrum.Limits;
using Coinshard.Electrum.Protocol;
using Coinshard.Electrum.Server;

using Microsoft.Extensions.Logging;

namespace Coinshard.Electrum.Sessions;

/// <summary>
/// One client connection, on any transport. Three small loops share the session's state:
/// the transport's reader frames and parses messages into the inbox (and stops reading while
/// <see cref="ElectrumLimits.MaxPendingPerSession"/> requests wait: back-pressure, not refusal);
/// the processor answers them strictly in order, one at a time (<c>server.version</c> and
/// <c>server.ping</c> here, everything else through the <see cref="IElectrumMethodHandler"/>,
/// with cost throttling); the writer sends responses and notifications from a queue bounded by
/// <see cref="ElectrumLimits.MaxOutboundBytes"/>. An idle session has no thread and holds no
/// buffer: each loop is parked on an <see cref="AsyncSignal"/> or a zero-byte read.
/// Idle and stuck-close timeouts are checked by the server's sweeper (<see cref="Sweep"/>), not by
/// a timer per session.
/// </summary>
internal sealed partial class ElectrumSessionRunner : IElectrumSession, IDisposable
{
    private const int FlushThreshold = 32 * 1024;
    private const int MaxClientNameLength = 64;
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(5);
    private static long s_lastId;

    private readonly ElectrumServerContext _server;
    private readonly ISessionTransport _transport;
    private readonly AddressState? _address;
    private readonly TokenBucket? _bucket;
    private readonly CancellationTokenSource _closing = new();

    // Inbox: parsed messages waiting for the processor (guarded by _inboxGate).
    private readonly Lock _inboxGate = new();
    private readonly Queue<InboxItem> _inbox = new();
    private readonly AsyncSignal _inboxReady = new();
    private readonly AsyncSignal _inboxSpace = new();
    private int _pendingRequests;
    private long _pendingBytes;
    private bool _inboxComplete;
    private bool _inboxGrew;

    // Outbox: messages waiting for the writer (guarded by _outboxGate).
    private readonly Lock _outboxGate = new();
    private readonly Queue<OutboundMessage> _outbox = new();
    private readonly AsyncSignal _outboxReady = new();
    private long _outboxBytes;
    private bool _outboxComplete;
    private bool _outboxGrew;

    // Processor state (only the processor touches it).
    private bool _sawOtherRequest;
    private bool _versionAnswered;
    private int _strikes;
    private string? _closeAfterReply;

    private long _lastReceived;
    private long _closeDeadline = long.MaxValue;
    private int _closeState; // 0 open, 1 closing after flush, 2 aborted
    private string? _closeReason;
    private StrongBox<ProtocolVersion>? _version;
    private string? _clientName;

    public ElectrumSessionRunner(ElectrumServerContext server, ISessionTransport transport, IPAddress remote, AddressState? address)
    {
        _server = server;
        _transport = transport;
        _address = address;
        RemoteAddress = remote;
        Id = Interlocked.Increment(ref s_lastId);
        _lastReceived = Stopwatch.GetTimestamp();
        var limits = server.Limits;
        if (limits.CostRefillPerSecond > 0)
        {
            _bucket = new TokenBucket(limits.CostBurst, limits.CostRefillPerSecond, _lastReceived);
        }
    }

    /// <inheritdoc />
    public long Id { get; }

    /// <inheritdoc />
    public IPAddress RemoteAddress { get; }

    /// <inheritdoc />
    public ProtocolVersion? Version => Volatile.Read(ref _version)?.Value;

    /// <inheritdoc />
    public string? ClientName => Volatile.Read(ref _clientName);

    /// <summary>Cancelled when the session closes (handler calls and throttling waits end).</summary>
    public CancellationToken Closing => _closing.Token;

    /// <summary>True once the session is closing or closed.</summary>
    public bool IsClosing => Volatile.Read(ref _closeState) != 0;

    /// <summary>Requests read but not answered yet.</summary>
    public int PendingRequests
    {
        get
        {
            lock (_inboxGate)
            {
                return _pendingRequests;
            }
        }
    }

    /// <summary>The most requests that were ever pending at once (tests check the bound).</summary>
    public int PendingHighWater { get; private set; }

    /// <summary>Bytes of responses and notifications queued for the client.</summary>
    public long OutboundBytes
    {
        get
        {
            lock (_outboxGate)
            {
                return _outboxBytes;
            }
        }
    }

    /// <summary>Why the session closed (or is closing); null while open.</summary>
    public string? CloseReason => Volatile.Read(ref _closeReason);

    /// <inheritdoc />
    public bool TryNotify(string method, byte[] paramsJson)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(paramsJson);
        return !IsClosing && Enqueue(OutboundMessage.Notification(method, paramsJson));
    }

    /// <summary>Releases the close token (done by <see cref="RunAsync"/> when it ends).</summary>
    public void Dispose() => _closing.Dispose();

    /// <summary>Runs the session until the client leaves or it is closed; never throws.</summary>
    public async Task RunAsync()
    {
        _server.Sessions[Id] = this;
        LogOpened(_server.SessionLog, Id, _transport.Name, RemoteAddress);
        try
        {
            var reading = ReadAsync();
            var processing = ProcessLoopAsync();
            var writing = WriteLoopAsync();
            await processing.ConfigureAwait(false);
            CompleteOutbox();
            await writing.ConfigureAwait(false);
            if (Volatile.Read(ref _closeState) != 2)
            {
                await _transport.CompleteOutputAsync(abuse: _closeReason is not null).ConfigureAwait(false);
            }
            _transport.StopReading();
            await reading.ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Every loop catches its own faults; this is a last resort so that nothing escapes to Kestrel.
            LogSessionFault(_server.SessionLog, e, Id);
            Abort("session fault");
        }
        finally
        {
            Volatile.Write(ref _closeState, 2);
            CancelClosingToken();
            try
            {
                _server.Handler.SessionClosed(this);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogHandlerFault(_server.SessionLog, e, Id, "SessionClosed", 0);
            }
            _server.Subscriptions.RemoveAll(this);
            _server.Sessions.TryRemove(Id, out _);
            LogClosed(_server.SessionLog, Id, _closeReason ?? "client left");
            Dispose();
        }
    }

    private async Task ReadAsync()
    {
        try
        {
            await _transport.ReadLoopAsync(this).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogReadFault(_server.SessionLog, e, Id);
        }
        finally
        {
            // The client left (or we stopped reading): answer what is queued, then end.
            lock (_inboxGate)
            {
                _inboxComplete = true;
            }
            _inboxReady.Set();
        }
    }

    /// <summary>
    /// Called by the transport's reader for each complete message. Waits while the pending limit
    /// is reached. Returns false when the session is closing: the reader stops.
    /// </summary>
    public async ValueTask<bool> ReceiveAsync(ReadOnlySequence<byte> message)
    {
        if (IsClosing)
        {
            return false;
        }
        Volatile.Write(ref _lastReceived, Stopwatch.GetTimestamp());
        var parsed = JsonRpcParser.Parse(message, _server.Limits.MaxBatch);
        return await AdmitAsync(new InboxItem(parsed, message.Length)).ConfigureAwait(false);
    }

    /// <summary>Called by the reader for a message longer than <see cref="ElectrumLimits.MaxLineBytes"/> (already skipped).</summary>
    public ValueTask<bool> ReceiveOversizedAsync() =>
        IsClosing ? ValueTask.FromResult(false) : AdmitAsync(new InboxItem(null, 0));

    private async ValueTask<bool> AdmitAsync(InboxItem item)
    {
        var limits = _server.Limits;
        while (true)
        {
            lock (_inboxGate)
            {
                if (IsClosing || _inboxComplete)
                {
                    return false;
                }
                // Take a message when it fits, or when nothing is pending (a batch larger than the limit).
                if (_pendingRequests == 0 ||
                    (_pendingRequests + item.Count <= limits.MaxPendingPerSession && _pendingBytes + item.Bytes <= limits.MaxLineBytes))
                {
                    _inbox.Enqueue(item);
                    _inboxGrew |= _inbox.Count > 16;
                    _pendingRequests += item.Count;
                    _pendingBytes += item.Bytes;
                    PendingHighWater = Math.Max(PendingHighWater, _pendingRequests);
                    break;
                }
            }
            await _inboxSpace.WaitAsync().ConfigureAwait(false);
        }
        _inboxReady.Set();
        return true;
    }

    private async Task ProcessLoopAsync()
    {
        try
        {
            while (true)
            {
                InboxItem? item = null;
                lock (_inboxGate)
                {
                    if (IsClosing || (_inbox.Count == 0 && _inboxComplete))
                    {
                        return;
                    }
                    if (_inbox.Count > 0)
                    {
                        item = _inbox.Dequeue();
                    }
                }
                if (item is null)
                {
                    await _inboxReady.WaitAsync().ConfigureAwait(false);
                    continue;
                }

                await ProcessAsync(item).ConfigureAwait(false);

                lock (_inboxGate)
                {
                    _pendingRequests -= item.Count;
                    _pendingBytes -= item.Bytes;
                    if (_inbox.Count == 0 && _inboxGrew)
                    {
                        _inbox.TrimExcess();
                        _inboxGrew = false;
                    }
                }
                _inboxSpace.Set();

                if (_closeAfterReply is { } reason)
                {
                    CloseAfterFlush(reason);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (IsClosing)
        {
        }
    }

    private async ValueTask ProcessAsync(InboxItem item)
    {
        if (item.Message is not { } message)
        {
            Strike("a request longer than the limit");
            Enqueue(OutboundMessage.Of(JsonRpcResponse.Failure(null, JsonRpcErrorCodes.InvalidRequest,
                $"request too large: longer than {_server.Limits.MaxLineBytes} bytes")));
            return;
        }

        if (!message.IsBatch)
        {
            var response = await AnswerAsync(message.Items[0]).ConfigureAwait(false);
            if (response is not null)
            {
                Enqueue(OutboundMessage.Of(response));
            }
            return;
        }

        var responses = new List<JsonRpcResponse>(message.Items.Count);
        foreach (var incoming in message.Items)
        {
            if (IsClosing)
            {
                return;
            }
            if (await AnswerAsync(incoming).ConfigureAwait(false) is { } response)
            {
                responses.Add(response);
            }
        }
        if (responses.Count > 0)
        {
            Enqueue(OutboundMessage.Of(responses));
        }
    }

    /// <summary>Answers one element; null when no answer is due (a notification).</summary>
    private async ValueTask<JsonRpcResponse?> AnswerAsync(JsonRpcIncoming incoming)
    {
        // Everything is paid for, errors and server.version included (1 unit), so that no kind of
        // message can be repeated for free.
        var request = incoming as JsonRpcRequest;
        var cost = request is null || request.Method is "server.version" or "server.ping" ? 1 : CostOf(request);
        if (!await ThrottleAsync(cost).ConfigureAwait(false))
        {
            Strike("requests beyond the cost budget");
            return request is { IsNotification: true } ? null : JsonRpcResponse.Failure(incoming.RawId, JsonRpcErrorCodes.ExcessiveResourceUsage,
                "excessive resource usage: too many or too expensive requests; slow down");
        }

        if (incoming is JsonRpcInvalid invalid)
        {
            if (invalid.Code == JsonRpcErrorCodes.ParseError)
            {
                Strike("text that is not JSON");
            }
            return JsonRpcResponse.Failure(invalid.RawId, invalid.Code, invalid.Message);
        }

        if (request!.Method == "server.version")
        {
            var answer = Negotiate(request);
            return request.IsNotification ? null : answer;
        }
        _sawOtherRequest = true;

        JsonRpcResponse response;
        if (request.Method == "server.ping")
        {
            response = JsonRpcResponse.Success(request.RawId ?? JsonRpcParser.NullId, "null"u8.ToArray());
        }
        else
        {
            try
            {
                response = await _server.Handler.HandleAsync(this, request, _closing.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (IsClosing)
            {
                throw;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                if (_server.FaultLog.TryAcquire(out var suppressed))
                {
                    LogHandlerFault(_server.SessionLog, e, Id, Printable(request.Method), suppressed);
                }
                response = JsonRpcResponse.Failure(request.RawId, JsonRpcErrorCodes.InternalError, "internal error");
            }
        }
        return request.IsNotification ? null : response;
    }

    private int CostOf(JsonRpcRequest request)
    {
        try
        {
            return Math.Max(1, _server.Handler.CostOf(request));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (_server.FaultLog.TryAcquire(out var suppressed))
            {
                LogHandlerFault(_server.SessionLog, e, Id, "CostOf", suppressed);
            }
            return 1;
        }
    }

    /// <summary>
    /// Takes the request's cost from the session's and the address's budgets, waiting (at most
    /// <see cref="ElectrumLimits.MaxThrottleDelay"/>) until they cover it. False: refused, nothing taken.
    /// </summary>
    private async ValueTask<bool> ThrottleAsync(int cost)
    {
        var maxWait = _server.Limits.MaxThrottleDelay;
        var now = Stopwatch.GetTimestamp();
        var wait = TimeSpan.Zero;
        if (_bucket is not null)
        {
            if (_bucket.TryReserve(cost, maxWait, now) is not { } sessionWait)
            {
                return false;
            }
            wait = sessionWait;
        }
        if (_address?.Bucket is { } shared)
        {
            if (shared.TryReserve(cost, maxWait, now) is not { } addressWait)
            {
                _bucket?.Refund(cost, now);
                return false;
            }
            wait = wait > addressWait ? wait : addressWait;
        }
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _closing.Token).ConfigureAwait(false);
        }
        return true;
    }

    /// <summary>
    /// <c>server.version</c>: once per session. As the first message it may agree on any version up to
    /// the server's newest; after other requests it agrees on at most 1.5, because protocol 1.6
    /// requires it to be the first message. A failed negotiation is answered, then the session closes.
    /// </summary>
    private JsonRpcResponse Negotiate(JsonRpcRequest request)
    {
        if (_versionAnswered)
        {
            return JsonRpcResponse.Failure(request.RawId, JsonRpcErrorCodes.BadRequest, "server.version already sent");
        }
        _versionAnswered = true;

        var max = _server.ProtocolMax;
        if (_sawOtherRequest && max >= ProtocolVersion.Version16)
        {
            max = ProtocolVersion.Version15 < _server.ProtocolMin ? _server.ProtocolMin : ProtocolVersion.Version15;
        }
        var result = VersionNegotiation.Negotiate(request.Params, _server.ProtocolMin, max);
        if (result.Version is not { } version)
        {
            var message = result.Error!;
            if (max != _server.ProtocolMax && VersionNegotiation.Negotiate(request.Params, _server.ProtocolMin, _server.ProtocolMax).Version is not null)
            {
                message = $"unsupported protocol version: server.version must be the first message to use protocol {_server.ProtocolMax}";
            }
            _closeAfterReply = "failed version negotiation";
            return JsonRpcResponse.Failure(request.RawId, JsonRpcErrorCodes.BadRequest, message);
        }

        Volatile.Write(ref _clientName, ClientNameOf(request.Params));
        Volatile.Write(ref _version, new StrongBox<ProtocolVersion>(version));
        var software = _server.Options.ServerSoftware;
        return JsonRpcResponse.Success(request.RawId ?? JsonRpcParser.NullId, JsonRpcWriter.Result(w =>
        {
            w.WriteStartArray();
            w.WriteStringValue(software);
            w.WriteStringValue(version.ToString());
            w.WriteEndArray();
        }));
    }

    private static string? ClientNameOf(JsonElement parameters)
    {
        var name = parameters.ValueKind switch
        {
            JsonValueKind.Array when parameters.GetArrayLength() > 0 => parameters[0],
            JsonValueKind.Object when parameters.TryGetProperty("client_name", out var byName) => byName,
            _ => default,
        };
        return name.ValueKind == JsonValueKind.String ? Printable(name.GetString()!) : null;
    }

    /// <summary>Client text made safe for logs: printable ASCII only, truncated.</summary>
    private static string Printable(string text)
    {
        var length = Math.Min(text.Length, MaxClientNameLength);
        return string.Create(length, text, static (span, source) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                var c = source[i];
                span[i] = c is >= ' ' and <= '~' ? c : '?';
            }
        });
    }

    private void Strike(string what)
    {
        if (++_strikes >= _server.Limits.StrikesBeforeClose && _closeAfterReply is null)
        {
            _closeAfterReply = $"abuse: {_strikes} strikes, the last for {what}";
        }
    }

    /// <summary>Queues a message for the writer; closes the session when the client is not reading.</summary>
    private bool Enqueue(OutboundMessage message)
    {
        var overflow = false;
        lock (_outboxGate)
        {
            if (_outboxComplete)
            {
                return false;
            }
            if (_outboxBytes > 0 && _outboxBytes + message.Size > _server.Limits.MaxOutboundBytes)
            {
                overflow = true;
            }
            else
            {
                _outbox.Enqueue(message);
                _outboxGrew |= _outbox.Count > 16;
                _outboxBytes += message.Size;
            }
        }
        if (overflow)
        {
            Abort($"abuse: the client does not read its responses ({_server.Limits.MaxOutboundBytes} bytes queued)");
            return false;
        }
        _outboxReady.Set();
        return true;
    }

    private void CompleteOutbox()
    {
        lock (_outboxGate)
        {
            _outboxComplete = true;
        }
        _outboxReady.Set();
    }

    private async Task WriteLoopAsync()
    {
        var unflushed = 0;
        try
        {
            while (true)
            {
                OutboundMessage? message = null;
                bool complete;
                lock (_outboxGate)
                {
                    if (_outbox.Count > 0)
                    {
                        message = _outbox.Dequeue();
                    }
                    else if (_outboxGrew)
                    {
                        _outbox.TrimExcess();
                        _outboxGrew = false;
                    }
                    complete = _outboxComplete;
                }
                if (Volatile.Read(ref _closeState) == 2)
                {
                    return;
                }
                if (message is null)
                {
                    if (unflushed > 0)
                    {
                        unflushed = 0;
                        if (!await _transport.FlushAsync().ConfigureAwait(false))
                        {
                            Abort("connection lost");
                            return;
                        }
                        continue;
                    }
                    if (complete)
                    {
                        return;
                    }
                    await _outboxReady.WaitAsync().ConfigureAwait(false);
                    continue;
                }

                if (!await _transport.WriteAsync(message).ConfigureAwait(false))
                {
                    Abort("connection lost");
                    return;
                }
                lock (_outboxGate)
                {
                    _outboxBytes -= message.Size;
                }
                unflushed += message.Size;
                if (unflushed >= FlushThreshold)
                {
                    unflushed = 0;
                    if (!await _transport.FlushAsync().ConfigureAwait(false))
                    {
                        Abort("connection lost");
                        return;
                    }
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogWriteFault(_server.SessionLog, e, Id);
            Abort("connection lost");
        }
    }

    /// <summary>Stops reading and processing, sends what is queued, then closes (the sweeper aborts it if that takes too long).</summary>
    public void CloseAfterFlush(string reason)
    {
        if (Interlocked.CompareExchange(ref _closeState, 1, 0) != 0)
        {
            return;
        }
        _closeReason = reason;
        Volatile.Write(ref _closeDeadline, Stopwatch.GetTimestamp() + (long)(CloseGrace.TotalSeconds * Stopwatch.Frequency));
        LogClosing(reason);
        CancelClosingToken();
        CompleteOutbox();
        _inboxReady.Set();
        _inboxSpace.Set();
    }

    /// <summary>Drops the connection at once.</summary>
    public void Abort(string reason)
    {
        var previous = Interlocked.Exchange(ref _closeState, 2);
        if (previous == 2)
        {
            return;
        }
        if (previous == 0)
        {
            _closeReason = reason;
            LogClosing(reason);
        }
        CancelClosingToken();
        _transport.Abort(_closeReason ?? reason);
        CompleteOutbox();
        _inboxReady.Set();
        _inboxSpace.Set();
    }

    /// <summary>Cancels handler calls and waits; a callback registered by the handler that throws must not break the close.</summary>
    private void CancelClosingToken()
    {
        try
        {
            _closing.Cancel();
        }
        catch (Exception e) when (e is ObjectDisposedException or AggregateException)
        {
        }
    }

    /// <summary>Closes the session when it has been idle too long or its close is stuck (called by the server's sweeper).</summary>
    public void Sweep(long now)
    {
        if (now > Volatile.Read(ref _closeDeadline))
        {
            Abort("close timed out");
            return;
        }
        var idleTicks = (long)(_server.Limits.IdleTimeout.TotalSeconds * Stopwatch.Frequency);
        if (!IsClosing && now - Volatile.Read(ref _lastReceived) > idleTicks && PendingRequests == 0)
        {
            Abort($"idle for {_server.Limits.IdleTimeout.TotalSeconds:0.#} s");
        }
    }

    private void LogClosing(string reason)
    {
        if (reason.StartsWith("abuse", StringComparison.Ordinal))
        {
            if (_server.AbuseLog.TryAcquire(out var suppressed))
            {
                LogAbuse(_server.SessionLog, Id, RemoteAddress, reason, suppressed);
            }
        }
    }

    /// <summary>A message in the inbox: parsed requests, or null for an oversized one.</summary>
    private sealed class InboxItem(JsonRpcMessage? message, long bytes)
    {
        public JsonRpcMessage? Message { get; } = message;

        public long Bytes { get; } = bytes;

        public int Count => Message?.Items.Count ?? 1;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "session {Id}: {Transport} connection from {Remote}")]
    private static partial void LogOpened(ILogger logger, long id, string transport, IPAddress remote);

    [LoggerMessage(Level = LogLevel.Debug, Message = "session {Id} closed: {Reason}")]
    private static partial void LogClosed(ILogger logger, long id, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "session {Id} from {Remote} closed for {Reason} (similar lines suppressed before this one: {Suppressed})")]
    private static partial void LogAbuse(ILogger logger, long id, IPAddress remote, string reason, int suppressed);

    [LoggerMessage(Level = LogLevel.Error, Message = "session {Id}: the method handler failed in {Method}; the client got an internal error (similar lines suppressed before this one: {Suppressed})")]
    private static partial void LogHandlerFault(ILogger logger, Exception exception, long id, string method, int suppressed);

    [LoggerMessage(Level = LogLevel.Error, Message = "session {Id}: unexpected fault; session aborted")]
    private static partial void LogSessionFault(ILogger logger, Exception exception, long id);

    [LoggerMessage(Level = LogLevel.Debug, Message = "session {Id}: reading ended with an error")]
    private static partial void LogReadFault(ILogger logger, Exception exception, long id);

    [LoggerMessage(Level = LogLevel.Debug, Message = "session {Id}: writing ended with an error")]
    private static partial void LogWriteFault(ILogger logger, Exception exception, long id);
}
