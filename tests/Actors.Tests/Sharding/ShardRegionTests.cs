using Coinshard.Actors.Sharding;
using Coinshard.Actors.Testing;
using Coinshard.Actors.Tests.Support;

using Xunit;

namespace Coinshard.Actors.Tests.Sharding;

public sealed class ShardRegionTests
{
    /// <summary>A message for one scripthash (or, for broadcasts, for every shard).</summary>
    public sealed record KeyedMessage(byte[] Key, int Sequence, IActorRef<Delivery> ReplyTo);

    /// <summary>Which shard handled which message.</summary>
    public sealed record Delivery(int Shard, string KeyHex, int Sequence);

    private sealed class ReportingShard(int index) : Actor<KeyedMessage>
    {
        protected override async ValueTask ReceiveAsync(KeyedMessage message) =>
            await message.ReplyTo.TellAsync(new Delivery(index, Convert.ToHexString(message.Key), message.Sequence));
    }

    private static ShardRegion<KeyedMessage> CreateRegion(IActorSpawner spawner, int shards) =>
        new(spawner, "scripthash", shards, index => new ReportingShard(index), message => message.Key);

    [Fact]
    public async Task Each_message_reaches_the_shard_that_the_stable_hash_names()
    {
        await using var system = new ActorSystem("node");
        var region = CreateRegion(system, 16);
        var probe = new TestProbe<Delivery>();
        var electrumExample = Convert.FromHexString("8b01df4e368ea28f8dc0423bcf7a4923e3a12d307c875e47a0cfbf90b5c39161");
        var zeros = new byte[32];

        await region.TellAsync(new KeyedMessage(electrumExample, 1, probe));
        await region.TellAsync(new KeyedMessage(zeros, 2, probe));

        // Different shards run concurrently, so match replies by sequence. Fixed vectors, see ShardHashTests.
        var bySequence = (await probe.ReceiveAsync(2)).ToDictionary(d => d.Sequence, d => d.Shard);
        Assert.Equal(0, bySequence[1]);
        Assert.Equal(6, bySequence[2]);
        Assert.Equal("node/scripthash-0", region.ShardFor(electrumExample).Path);
        Assert.Equal(16, region.ShardCount);
    }

    [Fact]
    public async Task The_same_key_always_reaches_the_same_shard_in_send_order_and_keys_spread_over_all_shards()
    {
        await using var system = new ActorSystem("node");
        var region = CreateRegion(system, 8);
        var probe = new TestProbe<Delivery>();
        var keys = Enumerable.Range(0, 64).Select(i => System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i))).ToArray();

        for (var round = 0; round < 5; round++)
        {
            foreach (var key in keys)
            {
                await region.TellAsync(new KeyedMessage(key, round, probe));
            }
        }

        var deliveries = await probe.ReceiveAsync(keys.Length * 5);
        foreach (var perKey in deliveries.GroupBy(d => d.KeyHex))
        {
            Assert.Single(perKey.Select(d => d.Shard).Distinct());
            Assert.Equal(Enumerable.Range(0, 5), perKey.Select(d => d.Sequence));
            Assert.Equal(region.ShardIndexOf(Convert.FromHexString(perKey.Key)), perKey.First().Shard);
        }

        Assert.Equal(Enumerable.Range(0, 8), deliveries.Select(d => d.Shard).Distinct().Order());
    }

    [Fact]
    public async Task Two_regions_in_different_systems_route_every_key_identically()
    {
        await using var first = new ActorSystem("a");
        await using var second = new ActorSystem("b");
        var one = CreateRegion(first, 12);
        var two = CreateRegion(second, 12);
        for (var i = 0; i < 500; i++)
        {
            var key = BitConverter.GetBytes(i * 7919L);
            Assert.Equal(one.ShardIndexOf(key), two.ShardIndexOf(key));
        }
    }

    [Fact]
    public async Task Broadcast_reaches_every_shard_once()
    {
        await using var system = new ActorSystem("node");
        var region = CreateRegion(system, 5);
        var probe = new TestProbe<Delivery>();

        await region.BroadcastAsync(new KeyedMessage([], 99, probe));

        var deliveries = await probe.ReceiveAsync(5);
        Assert.Equal(Enumerable.Range(0, 5), deliveries.Select(d => d.Shard).Order());
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(50));
    }

    private sealed record Lookup(byte[] Key, IActorRef<int> ReplyTo);

    private sealed class IndexShard(int index) : Actor<Lookup>
    {
        protected override async ValueTask ReceiveAsync(Lookup message) => await message.ReplyTo.TellAsync(index);
    }

    [Fact]
    public async Task Ask_through_the_region_is_answered_by_the_owning_shard()
    {
        await using var system = new ActorSystem("node");
        var region = new ShardRegion<Lookup>(system, "lookup", 16, i => new IndexShard(i), m => m.Key);
        var key = Convert.FromHexString("8b01df4e368ea28f8dc0423bcf7a4923e3a12d307c875e47a0cfbf90b5c39161");

        var shard = await region.AskAsync<int>(r => new Lookup(key, r), Wait.Long);

        Assert.Equal(0, shard);
    }

    [Fact]
    public async Task Shards_can_live_under_an_actor_and_stop_with_it()
    {
        await using var system = new ActorSystem("node");
        var regions = new TaskCompletionSource<ShardRegion<KeyedMessage>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var owner = system.Spawn("indexer", () => new RegionOwner(regions));
        var region = await regions.Task.Bounded();
        Assert.Equal("node/indexer/scripthash-2", region.Shards[2].Path);

        await owner.StopAsync().Bounded();

        Assert.All(region.Shards, s => Assert.True(s.IsStopped));
        Assert.False(region.TryTell(new KeyedMessage([1], 0, new TestProbe<Delivery>())));
    }

    private sealed class RegionOwner(TaskCompletionSource<ShardRegion<KeyedMessage>> created) : Actor<string>
    {
        protected override ValueTask PreStartAsync()
        {
            created.SetResult(CreateRegion(Context, 4));
            return ValueTask.CompletedTask;
        }

        protected override ValueTask ReceiveAsync(string message) => ValueTask.CompletedTask;
    }

    [Fact]
    public async Task StopAsync_stops_every_shard()
    {
        await using var system = new ActorSystem("node");
        var region = CreateRegion(system, 3);

        await region.StopAsync().Bounded();

        Assert.All(region.Shards, s => Assert.True(s.IsStopped));
        await Assert.ThrowsAsync<ActorStoppedException>(() => region.BroadcastAsync(new KeyedMessage([], 0, new TestProbe<Delivery>())).Bounded());
    }
}
