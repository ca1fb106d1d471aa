using Coinshard.Chain.Encoding;
using Coinshard.Chain.Scripts;

using Xunit;

namespace Coinshard.Chain.Tests.Scripts;

public class UnspendableTests
{
    [Theory]
    [InlineData("6a", true)]
    [InlineData("6a0401020304", true)]
    [InlineData("", false)]
    [InlineData("51", false)]
    [InlineData("00146a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a", false)]
    public void Only_op_return_first_or_oversized_scripts_are_unspendable(string hex, bool expected)
    {
        Assert.Equal(expected, ScriptClassifier.IsUnspendable(Hex.Decode(hex)));
    }

    [Fact]
    public void The_size_limit_is_core_max_script_size()
    {
        Assert.False(ScriptClassifier.IsUnspendable(new byte[10_000]));
        Assert.True(ScriptClassifier.IsUnspendable(new byte[10_001]));
    }
}
