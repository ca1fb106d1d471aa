using Coinshard.Actors.Tests.Support;

using Xunit;
using Xunit.Abstractions;

namespace Coinshard.Actors.Tests.Memory;

/// <summary>Runs alone: other tests allocating in parallel would distort the heap measurement.</summary>
[CollectionDefinition(nameof(MemoryMeasurement), DisableParallelization = true)]
public sealed class MemoryMeasurement;

[Collection(nameof(MemoryMeasurement))]
public sealed class IdleActorMemoryTests(ITestOutputHelper output)
{
    private sealed class IdleSession(CountdownEvent started) : Actor<string>
    {
        protected override ValueTask PreStartAsync()
        {
            started.Signal();
            return ValueTask.CompletedTask;
        }

        protected override ValueTask ReceiveAsync(string message) => ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Ten_thousand_idle_actors_cost_well_under_4_KB_each()
    {
        const int count = 10_000;
        await using var system = new ActorSystem("memory");
        using var started = new CountdownEvent(count);
        var actors = new ActorRef<string>[count];

        var before = GC.GetTotalMemory(forceFullCollection: true);
        for (var i = 0; i < count; i++)
        {
            actors[i] = system.Spawn($"session-{i}", () => new IdleSession(started));
        }

        Assert.True(started.Wait(Wait.Long));
        var after = GC.GetTotalMemory(forceFullCollection: true);

        var perActor = (after - before) / (double)count;
        output.WriteLine($"{perActor:F0} bytes per idle actor ({count} actors, {after - before} bytes)");
        Assert.InRange(perActor, 0, 4096);
        Assert.All(actors, a => Assert.Equal(0, a.MailboxDepth));
        GC.KeepAlive(actors);
    }
}
