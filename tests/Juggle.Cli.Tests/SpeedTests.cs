using Juggle.Cli.Reporting;

namespace Juggle.Cli.Tests;

public sealed class SpeedTests
{
    [Theory]
    [InlineData(1.0, 25.0, "0.04×")]
    [InlineData(0.45, 1.0, "0.45×")]
    [InlineData(1.0, 2.0, "0.5×")]
    [InlineData(3.9, 1.0, "3.9×")]
    [InlineData(64.4, 1.0, "64×")]
    [InlineData(1.0, 1000.0, "<0.01×")]
    public void Ratios_below_one_keep_their_digits(double baselineSeconds, double seconds, string expected) =>
        Assert.Equal(expected, Speed.Ratio(TimeSpan.FromSeconds(baselineSeconds), TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void A_zero_time_has_no_ratio() => Assert.Equal("-", Speed.Ratio(TimeSpan.FromSeconds(1), TimeSpan.Zero));
}
