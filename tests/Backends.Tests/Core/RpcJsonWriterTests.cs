using System.Text;
using System.Text.Json;

using Coinshard.Backends.Core;
using Coinshard.Chain.Hashing;

using Xunit;

namespace Coinshard.Backends.Tests.Core;

public class RpcJsonWriterTests
{
    [Fact]
    public void Writes_every_parameter_kind_as_core_expects()
    {
        var hash = Hash256.Parse("530827f38f93b43ed12af0b3ad25a288dc02ed74d6d7857862df51fc56c416f9");
        var request = new RpcRequest("m", [
            null, "s", true, 7, 8L, 1.5m, hash, new byte[] { 0xab, 0x01 },
            new Dictionary<string, object?> { ["desc"] = "raw(51)", ["range"] = new[] { 0, 9 } },
            new object?[] { "start", new[] { "a" } },
        ]);
        var json = Encoding.UTF8.GetString(RpcJsonWriter.WriteSingle(42, request));
        Assert.Equal(
            """{"jsonrpc":"1.0","id":42,"method":"m","params":[null,"s",true,7,8,1.5,"530827f38f93b43ed12af0b3ad25a288dc02ed74d6d7857862df51fc56c416f9","ab01",{"desc":"raw(51)","range":[0,9]},["start",["a"]]]}""",
            json);
    }

    [Fact]
    public void Batches_get_consecutive_ids()
    {
        var json = Encoding.UTF8.GetString(RpcJsonWriter.WriteBatch(5, [new RpcRequest("a"), new RpcRequest("b")]));
        using var document = JsonDocument.Parse(json);
        Assert.Equal([5L, 6L], document.RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetInt64()));
        Assert.Equal(["a", "b"], document.RootElement.EnumerateArray().Select(e => e.GetProperty("method").GetString()));
    }

    [Fact]
    public void Refuses_parameters_it_cannot_represent()
    {
        Assert.Throws<ArgumentException>(() => RpcJsonWriter.WriteSingle(1, new RpcRequest("m", [new object()])));
    }
}
