using System.Globalization;

namespace Juggle.TracingAB;

/// <summary>Medians, paired ratios and the markdown block the tables are written into.</summary>
internal static class Report
{
    public static List<double> PerRound(Dictionary<string, List<double>> data, string baseline, string name) =>
        data[baseline].Zip(data[name], (x, y) => y / x).ToList();

    /// <summary>The median and interquartile range of the per-round ratios name / baseline.</summary>
    public static string Ratio(Dictionary<string, List<double>> data, string baseline, string name)
    {
        var ratios = PerRound(data, baseline, name);
        return string.Create(CultureInfo.InvariantCulture, $"{Median(ratios):F3} [{Quantile(ratios, 0.25):F3}–{Quantile(ratios, 0.75):F3}]");
    }

    public static double Median(List<double> values) => Quantile(values, 0.5);

    public static double Quantile(List<double> values, double q)
    {
        var sorted = values.Order().ToList();
        var position = q * (sorted.Count - 1);
        var low = (int)Math.Floor(position);
        var high = (int)Math.Ceiling(position);
        return sorted[low] + ((sorted[high] - sorted[low]) * (position - low));
    }

    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>Replaces the block between <c>&lt;!-- NAME:begin --&gt;</c> and <c>&lt;!-- NAME:end --&gt;</c> of <paramref name="path"/>.</summary>
    public static void WriteInto(string path, string name, string block)
    {
        var begin = $"<!-- {name}:begin -->";
        var end = $"<!-- {name}:end -->";
        var text = File.ReadAllText(path);
        var from = text.IndexOf(begin, StringComparison.Ordinal);
        var to = text.IndexOf(end, StringComparison.Ordinal);
        if (from < 0 || to < from)
        {
            throw new InvalidOperationException($"{path} has no {begin} ... {end} block to write the tables into; add the two markers where they belong.");
        }

        File.WriteAllText(path, text[..(from + begin.Length)] + "\n" + block + text[to..]);
    }
}
