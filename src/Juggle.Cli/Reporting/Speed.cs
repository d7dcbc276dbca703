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

    public static string Ratio(TimeSpan baseline, TimeSpan t) =>
        t <= TimeSpan.Zero ? "-" : (baseline / t).ToString("0.0×", CultureInfo.InvariantCulture);
}
