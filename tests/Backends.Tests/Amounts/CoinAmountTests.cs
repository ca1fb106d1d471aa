using Coinshard.Backends;

using Xunit;

namespace Coinshard.Backends.Tests.Amounts;

/// <summary>
/// Vectors from Bitcoin Core's src/test/rpc_tests.cpp (test cases rpc_parse_monetary_values and
/// rpc_format_monetary_values), the reference for how JSON amounts map to satoshis.
/// </summary>
public class CoinAmountTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("0.00000000", 0L)]
    [InlineData("0.00000001", 1L)]
    [InlineData("0.17622195", 17622195L)]
    [InlineData("0.5", 50000000L)]
    [InlineData("0.50000000", 50000000L)]
    [InlineData("0.89898989", 89898989L)]
    [InlineData("1.00000000", 100000000L)]
    [InlineData("20999999.9999999", 2099999999999990L)]
    [InlineData("20999999.99999999", 2099999999999999L)]
    [InlineData("1e-8", 1L)]
    [InlineData("0.1e-7", 1L)]
    [InlineData("0.01e-6", 1L)]
    [InlineData("0.0000000000000000000000000000000000000000000000000000000000000000000000000001e+68", 1L)]
    [InlineData("10000000000000000000000000000000000000000000000000000000000000000e-64", 100000000L)]
    [InlineData("0.000000000000000000000000000000000000000000000000000000000000000100000000000000000000000000000000000000000000000000000e64", 100000000L)]
    [InlineData("0.00000001000000", 1L)]
    [InlineData("0.19e-6", 19L)]
    public void Parses_core_monetary_values_exactly(string json, long satoshis)
    {
        Assert.Equal(satoshis, CoinAmount.ParseSatoshis(json));
        Assert.True(CoinAmount.TryParseSatoshis(json, out var parsed));
        Assert.Equal(satoshis, parsed);
    }

    [Theory]
    [InlineData("1e-9")] // more than 8 decimals
    [InlineData("0.000000019")]
    [InlineData("19e-9")]
    [InlineData("92233720368.54775808")] // overflow
    [InlineData("1e+11")]
    [InlineData("1e11")]
    [InlineData("93e+9")]
    [InlineData("-0.00000001")] // negative amount
    [InlineData(".19e-6")] // not JSON: missing leading 0
    [InlineData("01")]
    [InlineData("1.")]
    [InlineData("1e")]
    [InlineData("")]
    [InlineData("NaN")]
    [InlineData("1.0sds")]
    public void Refuses_what_core_refuses(string json)
    {
        Assert.Throws<AmountFormatException>(() => CoinAmount.ParseSatoshis(json));
        Assert.False(CoinAmount.TryParseSatoshis(json, out _));
    }

    [Theory]
    [InlineData("-0.00000001", -1L)]
    [InlineData("-92233720368.54775808", long.MinValue)]
    [InlineData("92233720368.54775807", long.MaxValue)]
    [InlineData("-0", 0L)]
    public void Negative_amounts_only_when_allowed(string json, long satoshis)
    {
        Assert.Equal(satoshis, CoinAmount.ParseSatoshis(json, allowNegative: true));
    }

    [Theory]
    [InlineData(0L, "0.00000000")]
    [InlineData(1L, "0.00000001")]
    [InlineData(17622195L, "0.17622195")]
    [InlineData(50000000L, "0.50000000")]
    [InlineData(89898989L, "0.89898989")]
    [InlineData(100000000L, "1.00000000")]
    [InlineData(2099999999999990L, "20999999.99999990")]
    [InlineData(2099999999999999L, "20999999.99999999")]
    [InlineData(long.MaxValue, "92233720368.54775807")]
    [InlineData(long.MinValue, "-92233720368.54775808")]
    [InlineData(long.MinValue + 1, "-92233720368.54775807")]
    public void Formats_like_core(long satoshis, string expected)
    {
        Assert.Equal(expected, CoinAmount.Format(satoshis));
        Assert.Equal(satoshis, CoinAmount.ParseSatoshis(expected, allowNegative: true));
    }

    [Fact]
    public void Fee_rates_convert_from_coins_per_kvb_to_sat_per_vbyte_exactly()
    {
        // Core's default minimum relay fee: 0.00001 coin/kvB = 1 sat/vB.
        Assert.Equal(1m, FeeRate.FromCoinsPerKvB("0.00001000").SatoshisPerVByte);
        Assert.Equal(1000, FeeRate.FromCoinsPerKvB("0.00001000").SatoshisPerKvB);
        Assert.Equal(1.234m, FeeRate.FromCoinsPerKvB("0.00001234").SatoshisPerVByte);
        Assert.Equal(new FeeRate(2500), FeeRate.FromSatoshisPerVByte(2.5m));
        Assert.Throws<ArgumentOutOfRangeException>(() => FeeRate.FromSatoshisPerVByte(0.0001m));
        Assert.True(new FeeRate(1000) < new FeeRate(1001));
    }
}
