using System.Text.RegularExpressions;
using Juggle.Samples;
using Juggle.Tests.Shared;

namespace Juggle.Docs.Tests;

/// <summary>The samples print timing ratios through <see cref="Ratio"/>, so a ratio below one is never "0x".</summary>
public sealed partial class SampleRatioTests
{
    [Theory]
    [InlineData(0.45, "0.45x")]
    [InlineData(0.5, "0.5x")]
    [InlineData(0.04, "0.04x")]
    [InlineData(0.001, "<0.01x")]
    [InlineData(1.96, "2.0x")]
    [InlineData(12.4, "12x")]
    [InlineData(0.0, "-")]
    public void Ratios_have_two_significant_digits(double ratio, string expected) => Assert.Equal(expected, Ratio.Format(ratio));

    [Fact]
    public void Timings_divide_slower_by_faster() =>
        Assert.Equal("0.25x", Ratio.Format(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200)));

    [Fact]
    public void No_sample_prints_a_ratio_with_a_fixed_number_of_decimals()
    {
        var samples = Path.Combine(RepositoryRoot.Find("to read the samples"), "samples");
        var offenders = Directory.EnumerateFiles(samples, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: f, Line: i + 1, Text: line)))
            .Where(l => FixedRatio().IsMatch(l.Text))
            .Select(l => $"{Path.GetRelativePath(samples, l.File)}:{l.Line}: {l.Text.Trim()}")
            .ToList();

        Assert.True(offenders.Count == 0, "ratios formatted with a fixed number of decimals (0.4 prints as \"0x\" with F0); use Ratio.Format:\n" + string.Join('\n', offenders));
    }

    [GeneratedRegex(@":[FfNn]\d\}\s*[x×]")]
    private static partial Regex FixedRatio();
}
