using System.Globalization;

namespace Juggle.Cli.Reporting;

/// <summary>Formatting of durations and speed-ups for tables.</summary>
internal static class Speed
{
    public static string Seconds(TimeSpan t) => t.TotalSeconds >= 10
        ? t.TotalSeconds.ToString("0.0 's'", CultureInfo.InvariantCulture)
        : t.TotalSeconds >= 1
            ? t.TotalSeconds.ToString("0.00 's'", CultureInfo.InvariantCulture)
            : t.TotalMilliseconds.ToString("0 'ms'", CultureInfo.InvariantCulture);

    /// <summary>How many times faster <paramref name="t"/> is than <paramref name="baseline"/>, e.g. "3.9×", "0.45×".</summary>
    public static string Ratio(TimeSpan baseline, TimeSpan t) => t <= TimeSpan.Zero ? "-" : Factor(baseline / t);

    /// <summary>
    /// A ratio with two significant digits ("12×", "1.9×", "0.45×"), so a slow-down never prints as "0.0×".
    /// </summary>
    public static string Factor(double ratio) => ratio switch
    {
        double.NaN or double.PositiveInfinity or double.NegativeInfinity or <= 0 => "-",
        >= 10 => ratio.ToString("0×", CultureInfo.InvariantCulture),
        >= 1 => ratio.ToString("0.0×", CultureInfo.InvariantCulture),
        >= 0.01 => ratio.ToString("0.0#×", CultureInfo.InvariantCulture),
        _ => "<0.01×",
    };
}
