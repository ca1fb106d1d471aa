using System.Buffers;
using System.Text;
using System.Text.Json;

using Coinshard.Electrum.Protocol;

using Xunit;

namespace Coinshard.Electrum.Tests.Protocol;

public class JsonRpcWriterTests
{
    private static string Write(Action<IBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Fact]
    public void A_result_echoes_the_id_and_embeds_the_result_json()
    {
        var result = JsonRpcWriter.Result(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("confirmed", 5_000_000_000L);
            w.WriteNumber("unconfirmed", -1L);
            w.WriteEndObject();
        });

        var text = Write(b => JsonRpcWriter.Write(b, JsonRpcResponse.Success("\"abc\""u8.ToArray(), result)));

        Assert.Equal("""{"jsonrpc":"2.0","result":{"confirmed":5000000000,"unconfirmed":-1},"id":"abc"}""", text);
    }

    [Fact]
    public void An_error_without_a_readable_id_is_sent_with_id_null()
    {
        var text = Write(b => JsonRpcWriter.Write(b, JsonRpcResponse.Failure(null, JsonRpcErrorCodes.ParseError, "parse error: x")));

        Assert.Equal("""{"jsonrpc":"2.0","error":{"code":-32700,"message":"parse error: x"},"id":null}""", text);
    }

    [Fact]
    public void A_batch_is_one_array_and_contains_no_newline()
    {
        var text = Write(b => JsonRpcWriter.WriteBatch(b,
        [
            JsonRpcResponse.Success("1"u8.ToArray(), "null"u8.ToArray()),
            JsonRpcResponse.Failure("2"u8.ToArray(), JsonRpcErrorCodes.MethodNotFound, "unknown method 'x'\nsecond line"),
        ]));

        Assert.DoesNotContain('\n', text);
        using var document = JsonDocument.Parse(text);
        Assert.Equal(2, document.RootElement.GetArrayLength());
        Assert.Equal(-32601, document.RootElement[1].GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal("unknown method 'x'\nsecond line", document.RootElement[1].GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public void A_notification_has_method_and_params_and_no_id()
    {
        var text = Write(b => JsonRpcWriter.WriteNotification(b, "blockchain.headers.subscribe", """[{"height":5,"hex":"00"}]"""u8.ToArray()));

        Assert.Equal("""{"jsonrpc":"2.0","method":"blockchain.headers.subscribe","params":[{"height":5,"hex":"00"}]}""", text);
    }
}
