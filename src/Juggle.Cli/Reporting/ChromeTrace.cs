using System.Diagnostics;
using System.Text.Json;

namespace Juggle.Cli.Reporting;

/// <summary>Writes spans as Chrome trace-event JSON ("X" complete events, one thread per worker); opens in Perfetto.</summary>
internal static class ChromeTrace
{
    public static void Write(Stream destination, IReadOnlyList<TaskSpan> spans, string processName)
    {
        ArgumentNullException.ThrowIfNull(spans);
        var lanes = spans.Select(s => s.Lane).Distinct().ToList();
        var tid = lanes.Select((l, i) => (l, i + 1)).ToDictionary(p => p.l, p => p.Item2);
        var t0 = spans.Count == 0 ? 0 : spans.Min(s => s.Start);
        double Us(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;

        using var json = new Utf8JsonWriter(destination, new JsonWriterOptions { Indented = false });
        json.WriteStartObject();
        json.WriteString("displayTimeUnit", "ms");
        json.WriteStartArray("traceEvents");
        json.WriteStartObject();
        json.WriteString("name", "process_name");
        json.WriteString("ph", "M");
        json.WriteNumber("pid", 1);
        json.WriteStartObject("args");
        json.WriteString("name", processName);
        json.WriteEndObject();
        json.WriteEndObject();
        foreach (var (lane, id) in tid)
        {
            json.WriteStartObject();
            json.WriteString("name", "thread_name");
            json.WriteString("ph", "M");
            json.WriteNumber("pid", 1);
            json.WriteNumber("tid", id);
            json.WriteStartObject("args");
            json.WriteString("name", lane);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        foreach (var span in spans)
        {
            json.WriteStartObject();
            json.WriteString("name", span.Label);
            json.WriteString("cat", span.Succeeded ? "ok" : "failed");
            json.WriteString("ph", "X");
            json.WriteNumber("pid", 1);
            json.WriteNumber("tid", tid[span.Lane]);
            json.WriteNumber("ts", Math.Round(Us(span.Start - t0), 1));
            json.WriteNumber("dur", Math.Round(Us(span.End - span.Start), 1));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>Writes <c>--timeline</c> and <c>--trace</c> files if asked for; returns the paths written.</summary>
    public static IReadOnlyList<string> WriteRequested(string? timelineFile, string? traceFile, IReadOnlyList<TaskSpan> spans, string title)
    {
        var written = new List<string>();
        if (timelineFile is not null)
        {
            File.WriteAllText(timelineFile, TimelineSvg.Render(spans, title));
            written.Add(timelineFile);
        }

        if (traceFile is not null)
        {
            using var stream = File.Create(traceFile);
            Write(stream, spans, title);
            written.Add(traceFile);
        }

        return written;
    }
}
