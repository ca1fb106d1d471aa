using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;

using Coinshard.Electrum.Protocol;
using Coinshard.Electrum.Sessions;

namespace Coinshard.Electrum.Tests.Support;

/// <summary>
/// A method handler for transport tests (our own interface, so a fake is honest here):
/// <c>echo</c> returns its params, <c>slow</c> waits for <see cref="Gate"/>, <c>delay</c> waits its first parameter in ms, <c>big</c> returns a
/// string of params[0] characters, <c>subscribe</c>/<c>unsubscribe</c> use the subscription budget,
/// <c>notify</c> pushes params[0] notifications, <c>fail</c> throws, <c>version</c> returns the
/// negotiated version, <c>expensive</c> costs 100; anything else is "method not found".
/// </summary>
internal sealed class FakeHandler : IElectrumMethodHandler
{
    private readonly ConcurrentDictionary<long, int> _inFlight = new();

    public SubscriptionBudget? Budget { get; set; }

    /// <summary>Completed by a test to let <c>slow</c> requests finish.</summary>
    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Requests that reached the handler.</summary>
    public int Calls => _calls;

    private int _calls;

    /// <summary>The most handler calls that ran at once for one session (order means one).</summary>
    public int MaxInFlight { get; private set; }

    public ConcurrentBag<long> ClosedSessions { get; } = [];

    public ConcurrentDictionary<long, IElectrumSession> Sessions { get; } = new();

    public int CostOf(JsonRpcRequest request) => request.Method == "expensive" ? 100 : 1;

    public async ValueTask<JsonRpcResponse> HandleAsync(IElectrumSession session, JsonRpcRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        Sessions[session.Id] = session;
        var id = request.RawId ?? JsonRpcParser.NullId;
        var now = _inFlight.AddOrUpdate(session.Id, 1, (_, n) => n + 1);
        MaxInFlight = Math.Max(MaxInFlight, now);
        try
        {
            switch (request.Method)
            {
                case "echo":
                case "expensive":
                    return JsonRpcResponse.Success(id, request.Params.ValueKind == JsonValueKind.Undefined
                        ? "null"u8.ToArray()
                        : Encoding.UTF8.GetBytes(request.Params.GetRawText()));
                case "slow":
                    await Gate.Task.WaitAsync(cancellationToken);
                    return JsonRpcResponse.Success(id, Encoding.UTF8.GetBytes(request.Params.GetRawText()));
                case "delay":
                    await Task.Delay(request.Params[0].GetInt32(), cancellationToken);
                    return JsonRpcResponse.Success(id, Encoding.UTF8.GetBytes(request.Params.GetRawText()));
                case "big":
                    var size = request.Params[0].GetInt32();
                    return JsonRpcResponse.Success(id, Encoding.UTF8.GetBytes("\"" + new string('x', size) + "\""));
                case "subscribe":
                    return Budget!.TryAdd(session, out var refusal)
                        ? JsonRpcResponse.Success(id, "true"u8.ToArray())
                        : JsonRpcResponse.Failure(id, JsonRpcErrorCodes.BadRequest, refusal!);
                case "unsubscribe":
                    Budget!.Remove(session);
                    return JsonRpcResponse.Success(id, "true"u8.ToArray());
                case "notify":
                    var count = request.Params[0].GetInt32();
                    var sent = 0;
                    for (var i = 0; i < count; i++)
                    {
                        sent += session.TryNotify("test.notify", Encoding.UTF8.GetBytes($"[{i}]")) ? 1 : 0;
                    }
                    return JsonRpcResponse.Success(id, Encoding.UTF8.GetBytes(sent.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                case "version":
                    return JsonRpcResponse.Success(id, Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new[] { session.Version?.ToString(), session.ClientName })));
                case "fail":
                    throw new InvalidOperationException("handler exploded");
                default:
                    return JsonRpcResponse.Failure(id, JsonRpcErrorCodes.MethodNotFound, $"unknown method '{request.Method}'");
            }
        }
        finally
        {
            _inFlight.AddOrUpdate(session.Id, 0, (_, n) => n - 1);
        }
    }

    public void SessionClosed(IElectrumSession session) => ClosedSessions.Add(session.Id);
}
