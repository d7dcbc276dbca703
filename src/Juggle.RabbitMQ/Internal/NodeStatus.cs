using System.Text.Json;
using Juggle.Internal;

namespace Juggle.RabbitMQ.Internal;

/// <summary>
/// A node's periodic status (the body of a <see cref="Wire.Status"/> message): totals and a sample, never one message
/// per task. Read with the same care as any message from the network: a bad one is dropped.
/// </summary>
internal sealed record NodeStatus(string Node, int ProcessId, NodeReport Report, bool Stopped)
{
    /// <summary>Status older than this is a node that died without saying goodbye: it leaves the dashboard.</summary>
    public static readonly TimeSpan Expiry = TimeSpan.FromSeconds(5);

    /// <summary>How often a node publishes its status.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private const int MaxNameLength = 256;

    public byte[] Encode()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("node", Node);
            json.WriteString("host", Report.Host);
            json.WriteNumber("pid", ProcessId);
            json.WriteNumber("running", Report.Running);
            json.WriteNumber("slots", Report.Slots);
            json.WriteNumber("processes", Report.Processes);
            json.WriteNumber("done", Report.Done);
            json.WriteNumber("failed", Report.Failed);
            json.WriteNumber("redelivered", Report.Redelivered);
            json.WriteNumber("restarts", Report.Restarts);
            json.WriteNumber("memory", Report.MemoryBytes);
            json.WriteNumber("cpu", Math.Round(Report.CpuPercent, 1));
            json.WriteBoolean("stopped", Stopped);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Reads a status body; null for anything malformed (wrong types, missing fields, absurd values).</summary>
    public static NodeStatus? TryDecode(ReadOnlyMemory<byte> body)
    {
        if (body.Length > 16 * 1024)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var node = root.GetProperty("node").GetString();
            var host = root.GetProperty("host").GetString();
            if (string.IsNullOrEmpty(node) || node.Length > MaxNameLength || host is null || host.Length > MaxNameLength)
            {
                return null;
            }

            var report = new NodeReport(
                host,
                NonNegative(root.GetProperty("running").GetInt32()),
                NonNegative(root.GetProperty("slots").GetInt32()),
                Math.Max(0, root.GetProperty("done").GetInt64()),
                Math.Max(0, root.GetProperty("failed").GetInt64()),
                Math.Max(0, root.GetProperty("redelivered").GetInt64()),
                NonNegative(root.GetProperty("restarts").GetInt32()),
                Math.Max(0, root.GetProperty("memory").GetInt64()),
                Math.Clamp(root.GetProperty("cpu").GetDouble(), 0, 100_000),
                NonNegative(root.GetProperty("processes").GetInt32()));
            return new NodeStatus(node, NonNegative(root.GetProperty("pid").GetInt32()), report, root.GetProperty("stopped").GetBoolean());
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private static int NonNegative(int value) => Math.Max(0, value);
}
