namespace Juggle.Tests;

/// <summary>
/// Values that skip System.Text.Json on their way to a worker and back (ints, longs, bools, finite doubles, plain ASCII
/// strings) arrive exactly, beside values that need it (escapes, non-ASCII, NaN, null), through real worker processes.
/// </summary>
public sealed class PlainValueTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public void Plain_and_escaped_values_cross_to_a_worker_and_back_exactly()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        string?[] texts = ["", "plain ascii 123", "quote \" back\\slash", "<tag> & 'x' + `y`", "tab\tnew\nline", "é \u2028 \ud83d\ude00", null];
        foreach (var text in texts)
        {
            Assert.Equal(text is null ? "null" : $"[{text}]", pool.Submit(PlainValueFunctions.Bracket, text).Result(Patience));
        }

        double[] doubles = [0.1, -0.0, 1e300, double.Epsilon, double.NaN, double.PositiveInfinity, -1.5e-7];
        foreach (var value in doubles)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(value), BitConverter.DoubleToInt64Bits(pool.Submit(PlainValueFunctions.Same, value).Result(Patience)));
        }

        Assert.Equal(long.MinValue + 1, pool.Submit(PlainValueFunctions.Next, long.MinValue).Result(Patience));
        Assert.Equal(int.MinValue, pool.Submit(PlainValueFunctions.Negate, int.MinValue).Result(Patience));
        Assert.False(pool.Submit(PlainValueFunctions.Not, true).Result(Patience));
        Assert.Equal(["[a]", "[\"]", "[é]"], pool.Map(PlainValueFunctions.Bracket, ["a", "\"", "é"], chunkSize: 1).ToArray());
    }
}

/// <summary>Functions the plain-value tests run in worker processes.</summary>
public static class PlainValueFunctions
{
    public static string Bracket(string? text) => text is null ? "null" : $"[{text}]";

    public static double Same(double value) => value;

    public static long Next(long value) => value + 1;

    public static int Negate(int value) => unchecked(-value);

    public static bool Not(bool value) => !value;
}
