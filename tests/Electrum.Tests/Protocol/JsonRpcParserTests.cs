using System.Text;
using System.Text.Json;

using Coinshard.Electrum.Protocol;

using Xunit;

namespace Coinshard.Electrum.Tests.Protocol;

public class JsonRpcParserTests
{
    private static JsonRpcMessage Parse(string text, int maxBatch = 100) => JsonRpcParser.Parse(Encoding.UTF8.GetBytes(text), maxBatch);

    private static string Id(JsonRpcIncoming item) => item.RawId is null ? "<none>" : Encoding.UTF8.GetString(item.RawId);

    [Fact]
    public void A_request_keeps_method_params_and_the_id_text_exactly()
    {
        var message = Parse("""{"jsonrpc":"2.0","id":1.50,"method":"blockchain.scripthash.get_balance","params":["ab"]}""");

        var request = Assert.IsType<JsonRpcRequest>(Assert.Single(message.Items));
        Assert.False(message.IsBatch);
        Assert.Equal("1.50", Id(request));
        Assert.Equal("blockchain.scripthash.get_balance", request.Method);
        Assert.Equal(JsonValueKind.Array, request.Params.ValueKind);
        Assert.Equal("ab", request.Params[0].GetString());
        Assert.False(request.IsNotification);
    }

    [Theory]
    [InlineData("""{"id":"x-1","method":"server.ping"}""", "\"x-1\"")]
    [InlineData("""{"id":null,"method":"server.ping"}""", "null")]
    [InlineData("""{"id":18446744073709551617,"method":"server.ping"}""", "18446744073709551617")]
    public void String_null_and_huge_numeric_ids_are_echoed_verbatim(string text, string expectedId)
    {
        var request = Assert.IsType<JsonRpcRequest>(Assert.Single(Parse(text).Items));
        Assert.Equal(expectedId, Id(request));
    }

    [Fact]
    public void Missing_params_and_by_name_params_are_accepted()
    {
        var none = Assert.IsType<JsonRpcRequest>(Assert.Single(Parse("""{"id":1,"method":"server.banner"}""").Items));
        Assert.Equal(JsonValueKind.Undefined, none.Params.ValueKind);

        var named = Assert.IsType<JsonRpcRequest>(Assert.Single(Parse("""{"id":1,"method":"server.version","params":{"client_name":"w","protocol_version":"1.4"}}""").Items));
        Assert.Equal("1.4", named.Params.GetProperty("protocol_version").GetString());
    }

    [Fact]
    public void A_request_without_id_is_a_notification()
    {
        var request = Assert.IsType<JsonRpcRequest>(Assert.Single(Parse("""{"jsonrpc":"2.0","method":"server.ping"}""").Items));
        Assert.True(request.IsNotification);
    }

    [Theory]
    [InlineData("{\"id\":1,\"method\":", JsonRpcErrorCodes.ParseError)]
    [InlineData("\u0001\u0002garbage", JsonRpcErrorCodes.ParseError)]
    [InlineData("42", JsonRpcErrorCodes.InvalidRequest)]
    [InlineData("\"server.ping\"", JsonRpcErrorCodes.InvalidRequest)]
    [InlineData("""{"id":1}""", JsonRpcErrorCodes.InvalidRequest)]
    [InlineData("""{"id":1,"method":7}""", JsonRpcErrorCodes.InvalidRequest)]
    [InlineData("""{"id":{"a":1},"method":"server.ping"}""", JsonRpcErrorCodes.InvalidRequest)]
    [InlineData("""{"id":[1],"method":"server.ping"}""", JsonRpcErrorCodes.InvalidRequest)]
    [InlineData("""{"id":true,"method":"server.ping"}""", JsonRpcErrorCodes.InvalidRequest)]
    [InlineData("""{"id":1,"method":"server.ping","params":"x"}""", JsonRpcErrorCodes.InvalidRequest)]
    [InlineData("""{"id":1,"method":"server.ping","params":3}""", JsonRpcErrorCodes.InvalidRequest)]
    [InlineData("""{"jsonrpc":"1.0","id":1,"method":"server.ping"}""", JsonRpcErrorCodes.InvalidRequest)]
    [InlineData("[]", JsonRpcErrorCodes.InvalidRequest)]
    public void Malformed_input_becomes_an_error_to_answer_never_an_exception(string text, int code)
    {
        var invalid = Assert.IsType<JsonRpcInvalid>(Assert.Single(Parse(text).Items));
        Assert.Equal(code, invalid.Code);
        Assert.False(string.IsNullOrWhiteSpace(invalid.Message));
        Assert.DoesNotContain('\n', invalid.Message);
    }

    [Fact]
    public void An_invalid_request_with_a_readable_id_is_answered_with_that_id()
    {
        var invalid = Assert.IsType<JsonRpcInvalid>(Assert.Single(Parse("""{"id":9,"method":null}""").Items));
        Assert.Equal("9", Id(invalid));
    }

    [Fact]
    public void Deeply_nested_json_is_a_parse_error_not_a_stack_overflow()
    {
        var text = "{\"id\":1,\"method\":\"x\",\"params\":" + new string('[', 5000) + new string(']', 5000) + "}";
        var invalid = Assert.IsType<JsonRpcInvalid>(Assert.Single(Parse(text).Items));
        Assert.Equal(JsonRpcErrorCodes.ParseError, invalid.Code);
    }

    [Fact]
    public void A_batch_yields_one_item_per_element_in_order_with_bad_elements_marked()
    {
        var message = Parse("""[{"id":1,"method":"a"},5,{"id":"z","method":"b","params":[]},{"id":2}]""");

        Assert.True(message.IsBatch);
        Assert.Equal(4, message.Items.Count);
        Assert.Equal("a", Assert.IsType<JsonRpcRequest>(message.Items[0]).Method);
        Assert.Equal(JsonRpcErrorCodes.InvalidRequest, Assert.IsType<JsonRpcInvalid>(message.Items[1]).Code);
        Assert.Equal("b", Assert.IsType<JsonRpcRequest>(message.Items[2]).Method);
        Assert.Equal("2", Id(Assert.IsType<JsonRpcInvalid>(message.Items[3])));
    }

    [Fact]
    public void A_batch_over_the_limit_is_refused_as_a_whole_with_the_limit_in_the_message()
    {
        var text = "[" + string.Join(",", Enumerable.Range(0, 11).Select(i => $$"""{"id":{{i}},"method":"server.ping"}""")) + "]";

        var invalid = Assert.IsType<JsonRpcInvalid>(Assert.Single(Parse(text, maxBatch: 10).Items));
        Assert.Equal(JsonRpcErrorCodes.InvalidRequest, invalid.Code);
        Assert.Contains("10", invalid.Message);
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(20261122);
        for (var i = 0; i < 2000; i++)
        {
            var bytes = new byte[random.Next(0, 200)];
            random.NextBytes(bytes);
            if (i % 3 == 0 && bytes.Length > 2)
            {
                bytes[0] = (byte)'{';
            }
            var message = JsonRpcParser.Parse(bytes, 10);
            Assert.NotEmpty(message.Items);
        }
    }

    [Theory]
    [InlineData("method")]
    [InlineData("id")]
    [InlineData("params")]
    public void Invalid_utf8_in_any_string_is_a_parse_error_not_an_exception(string where)
    {
        var text = where switch
        {
            "method" => """{"id":1,"method":"AB"}""",
            "id" => """{"id":"AB","method":"server.ping"}""",
            _ => """{"id":1,"method":"echo","params":["AB"]}""",
        };
        var bytes = Encoding.UTF8.GetBytes(text);
        bytes[Array.IndexOf(bytes, (byte)'A')] = 0xc3; // a lead byte followed by a non-continuation byte
        bytes[Array.IndexOf(bytes, (byte)'B')] = 0x28;

        var invalid = Assert.IsType<JsonRpcInvalid>(Assert.Single(JsonRpcParser.Parse(bytes, 10).Items));

        Assert.Equal(JsonRpcErrorCodes.ParseError, invalid.Code);
        Assert.Null(invalid.RawId);
    }

    [Fact]
    public void A_message_split_over_buffer_segments_parses_like_a_contiguous_one()
    {
        var bytes = Encoding.UTF8.GetBytes("[{\"id\":1,\"method\":\"a\",\"params\":[\"\u00e9t\u00e9\"]},{\"id\":2,\"method\":\"b\"}]");
        var split = Array.IndexOf(bytes, (byte)0xc3) + 1; // inside the two bytes of the first é
        var first = new Segment(bytes.AsMemory(0, split));
        var last = first.Append(bytes.AsMemory(split));

        var message = JsonRpcParser.Parse(new System.Buffers.ReadOnlySequence<byte>(first, 0, last, last.Memory.Length), 10);

        Assert.True(message.IsBatch);
        Assert.Equal(["a", "b"], message.Items.Cast<JsonRpcRequest>().Select(r => r.Method));
        Assert.Equal("\u00e9t\u00e9", ((JsonRpcRequest)message.Items[0]).Params[0].GetString());
    }

    private sealed class Segment : System.Buffers.ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
