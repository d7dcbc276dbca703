using Juggle.Remoting;

namespace Juggle.RabbitMQ.Internal;

/// <summary>One task of a task envelope: its trace context (W3C strings, <see langword="null"/> when untraced) and its task body (the Define and Call or CallChunk frames of a single task message).</summary>
internal readonly record struct EnvelopeEntry(string? TraceParent, string? TraceState, byte[] Task);

/// <summary>
/// Task envelopes: several tasks of one client in one task message (type <see cref="Calls"/>), sent when the client
/// has a backlog. The body is a count, then per task its <c>traceparent</c> and <c>tracestate</c> (length-prefixed
/// UTF-8, -1 when absent) and its task body as a length-prefixed block. A worker claims, runs and answers each task on
/// its own, and acknowledges the message once every task in it is answered or refused.
/// </summary>
internal static partial class Wire
{
    /// <summary>Message type of a task envelope.</summary>
    public const string Calls = "juggle.calls";

    /// <summary>The most tasks one envelope carries.</summary>
    public const int MaxEnvelopeTasks = 64;

    /// <summary>The bytes an envelope entry takes besides its strings and task body (three lengths).</summary>
    public const int EnvelopeEntryOverhead = 12;

    /// <summary>The bytes <paramref name="entry"/> adds to an envelope.</summary>
    public static int EnvelopeEntrySize(in EnvelopeEntry entry) =>
        EnvelopeEntryOverhead + (entry.TraceParent?.Length ?? 0) + (entry.TraceState?.Length ?? 0) + entry.Task.Length;

    public static byte[] WriteEnvelope(IReadOnlyList<EnvelopeEntry> entries)
    {
        var size = BatchHeader;
        foreach (var entry in entries)
        {
            size += EnvelopeEntrySize(entry);
        }

        var builder = new FrameBuilder(size);
        builder.WriteInt32(entries.Count);
        foreach (var entry in entries)
        {
            builder.WriteString(entry.TraceParent).WriteString(entry.TraceState).WriteBytes(entry.Task);
        }

        return builder.ToArray();
    }

    /// <summary>Reads a task envelope; throws <see cref="FrameException"/> for anything malformed (the tasks' own frames are checked when each is parsed).</summary>
    public static EnvelopeEntry[] ReadEnvelope(ReadOnlySpan<byte> body)
    {
        var parser = new FrameParser(body);
        var entries = new EnvelopeEntry[parser.ReadCount(EnvelopeEntryOverhead, "task")];
        if (entries.Length == 0)
        {
            throw new FrameException("The task envelope holds no task.");
        }

        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = new EnvelopeEntry(parser.ReadString(), parser.ReadString(), parser.ReadBytes().ToArray());
        }

        parser.EnsureEnd();
        return entries;
    }
}
