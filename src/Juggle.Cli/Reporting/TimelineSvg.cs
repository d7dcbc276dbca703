using System.Diagnostics;
using System.Globalization;
using System.Security;
using System.Text;

namespace Juggle.Cli.Reporting;

/// <summary>
/// Draws a run as an SVG Gantt chart, like seed 003's diagrams but from the real run: one lane per worker, one bar
/// per task (green succeeded, red failed), hover a bar for its label and duration.
/// </summary>
internal static class TimelineSvg
{
    private const int LaneHeight = 22;
    private const int LabelWidth = 130;
    private const int ChartWidth = 1000;
    private const int Top = 40;

    public static string Render(IReadOnlyList<TaskSpan> spans, string title)
    {
        ArgumentNullException.ThrowIfNull(spans);
        var lanes = spans.Select(s => s.Lane).Distinct().Order(LaneComparer.Instance).ToList();
        var laneIndex = lanes.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i);
        var t0 = spans.Count == 0 ? 0 : spans.Min(s => s.Start);
        var t1 = spans.Count == 0 ? 1 : Math.Max(spans.Max(s => s.End), t0 + 1);
        var totalMs = (t1 - t0) * 1000.0 / Stopwatch.Frequency;
        double X(long ts) => LabelWidth + ((ts - t0) * (double)ChartWidth / (t1 - t0));

        var height = Top + (lanes.Count * LaneHeight) + 30;
        var svg = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        svg.Append(c, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{LabelWidth + ChartWidth + 20}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"11\">\n");
        svg.Append(c, $"<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">{Escape(title)}: {spans.Count} tasks on {lanes.Count} workers in {totalMs:0} ms</text>\n");
        for (var i = 0; i < lanes.Count; i++)
        {
            var y = Top + (i * LaneHeight);
            svg.Append(c, $"<rect x=\"{LabelWidth}\" y=\"{y}\" width=\"{ChartWidth}\" height=\"{LaneHeight}\" fill=\"{(i % 2 == 0 ? "#f4f4f4" : "#ffffff")}\"/>\n");
            svg.Append(c, $"<text x=\"{LabelWidth - 6}\" y=\"{y + 15}\" text-anchor=\"end\">{Escape(lanes[i])}</text>\n");
        }

        foreach (var span in spans)
        {
            var y = Top + (laneIndex[span.Lane] * LaneHeight) + 3;
            var x = X(span.Start);
            var w = Math.Max(1.0, X(span.End) - x);
            var ms = (span.End - span.Start) * 1000.0 / Stopwatch.Frequency;
            svg.Append(c, $"<rect x=\"{x:0.##}\" y=\"{y}\" width=\"{w:0.##}\" height=\"{LaneHeight - 6}\" rx=\"2\" fill=\"{(span.Succeeded ? "#4caf50" : "#e53935")}\" stroke=\"#1b5e20\" stroke-width=\"0.5\"><title>{Escape(span.Label)} ({ms:0.#} ms)</title></rect>\n");
        }

        var axisY = Top + (lanes.Count * LaneHeight) + 14;
        for (var k = 0; k <= 10; k++)
        {
            var x = LabelWidth + (k * ChartWidth / 10.0);
            svg.Append(c, $"<line x1=\"{x:0.#}\" y1=\"{Top}\" x2=\"{x:0.#}\" y2=\"{axisY - 10}\" stroke=\"#ccc\" stroke-width=\"0.5\"/>");
            svg.Append(c, $"<text x=\"{x:0.#}\" y=\"{axisY}\" text-anchor=\"middle\">{totalMs * k / 10:0} ms</text>\n");
        }

        return svg.Append("</svg>\n").ToString();
    }

    // Control characters are not allowed in XML at all, escaped or not: show them as visible escapes.
    private static string Escape(string text) => SecurityElement.Escape(TerminalText.Clean(text)) ?? string.Empty;

    /// <summary>Orders "worker_2" before "worker_10".</summary>
    private sealed class LaneComparer : IComparer<string>
    {
        public static readonly LaneComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            var (px, nx) = Split(x ?? "");
            var (py, ny) = Split(y ?? "");
            var byPrefix = string.CompareOrdinal(px, py);
            return byPrefix != 0 ? byPrefix : nx.CompareTo(ny);
        }

        private static (string Prefix, long Number) Split(string s)
        {
            var i = s.Length;
            while (i > 0 && char.IsAsciiDigit(s[i - 1]))
            {
                i--;
            }

            return (s[..i], i < s.Length && long.TryParse(s.AsSpan(i), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1);
        }
    }
}
