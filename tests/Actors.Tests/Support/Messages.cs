namespace Coinshard.Actors.Tests.Support;

/// <summary>Commands of the counter actor used across the supervision and lifecycle tests.</summary>
public abstract record CounterCommand;

/// <summary>Adds to the total.</summary>
public sealed record Add(int Amount) : CounterCommand;

/// <summary>Replies with the total.</summary>
public sealed record GetTotal(IActorRef<int> ReplyTo) : CounterCommand;

/// <summary>Throws <see cref="InvalidOperationException"/>("boom") from the handler.</summary>
public sealed record Fail(string Reason = "boom") : CounterCommand;

/// <summary>Reports "busy" and waits for the gate before returning.</summary>
public sealed record Block(TaskCompletionSource Gate) : CounterCommand;

/// <summary>
/// State: a running total. Reports its lifecycle as "start"/"stop" to an event probe, so tests see restarts and
/// the order of PostStop calls.
/// </summary>
internal sealed class CounterActor(IActorRef<string>? events = null, string label = "") : Actor<CounterCommand>
{
    private int _total;

    protected override async ValueTask PreStartAsync()
    {
        if (events is not null)
        {
            await events.TellAsync(label + "start");
        }
    }

    protected override async ValueTask PostStopAsync()
    {
        if (events is not null)
        {
            await events.TellAsync(label + "stop");
        }
    }

    protected override async ValueTask ReceiveAsync(CounterCommand message)
    {
        switch (message)
        {
            case Add add:
                _total += add.Amount;
                break;
            case GetTotal get:
                await get.ReplyTo.TellAsync(_total);
                break;
            case Fail fail:
                throw new InvalidOperationException(fail.Reason);
            case Block block:
                if (events is not null)
                {
                    await events.TellAsync(label + "busy");
                }

                await block.Gate.Task;
                break;
        }
    }
}
