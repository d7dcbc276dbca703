using System.Globalization;
using Juggle.Internal;

namespace Juggle.Tests.Internal;

/// <summary>Numbered names are written digit by digit, exactly as invariant formatting would write them.</summary>
public sealed class NamesTests
{
    [Theory]
    [InlineData(0L)]
    [InlineData(7L)]
    [InlineData(10L)]
    [InlineData(1234567890L)]
    [InlineData(-42L)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    public void Numbered_matches_invariant_formatting(long number) =>
        Assert.Equal("pool-" + number.ToString(CultureInfo.InvariantCulture), Names.Numbered("pool", "-", number));
}
