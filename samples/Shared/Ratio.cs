using System.Globalization;

namespace Juggle.Samples;

/// <summary>
/// Formats a ratio of two timings ("12x", "1.9x", "0.45x") with two significant digits, so a ratio below one never
/// prints as "0x".
/// </summary>
public static class Ratio
{
    public static string Format(double ratio) => ratio switch
    {
        double.NaN or double.PositiveInfinity or double.NegativeInfinity or <= 0 => "-",
        >= 10 => ratio.ToString("0", CultureInfo.InvariantCulture) + "x",
        >= 1 => ratio.ToString("0.0", CultureInfo.InvariantCulture) + "x",
        >= 0.01 => ratio.ToString("0.0#", CultureInfo.InvariantCulture) + "x",
        _ => "<0.01x",
    };

    /// <summary><paramref name="time"/> / <paramref name="baseline"/>: a speed-up when <paramref name="time"/> is the sequential run's.</summary>
    public static string Format(TimeSpan time, TimeSpan baseline) => baseline <= TimeSpan.Zero ? "-" : Format(time / baseline);
}
