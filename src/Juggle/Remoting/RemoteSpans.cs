using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Juggle.Remoting;

/// <summary>
/// Spans recorded in a worker process, carried to the parent in a Spans frame and re-emitted there, so an app's
/// tracing (configured only in the parent) exports them with the rest of the trace. Each span keeps its trace id,
/// name, kind, times, attributes, events and status; its parent is the re-emitted span of its worker-side parent
/// (the task's own span for the top one). Span ids are issued anew in the parent (.NET cannot create an activity
/// with a given id); each re-emitted span carries its worker-side id as <c>juggle.worker.span_id</c>, the id a
/// service called from the worker received as its parent in the <c>traceparent</c> header.
/// </summary>
internal static class RemoteSpans
{
    /// <summary>At most this many spans travel back per task; more are counted, not sent.</summary>
    public const int MaxSpans = 1000;

    /// <summary>The attribute holding a re-emitted span's id in the worker that recorded it.</summary>
    public const string WorkerSpanIdTag = "juggle.worker.span_id";

    private const byte TagString = 0;
    private const byte TagLong = 1;
    private const byte TagDouble = 2;
    private const byte TagBool = 3;

    private static readonly ConcurrentDictionary<(string Name, string? Version), ActivitySource> s_sources = new();

    /// <summary>Writes a Spans frame body for <paramref name="taskId"/>.</summary>
    public static void Write(FrameBuilder builder, long taskId, IReadOnlyList<Activity> spans)
    {
        var count = Math.Min(spans.Count, MaxSpans);
        builder.Reset().WriteKind(MessageKind.Spans).WriteInt64(taskId).WriteInt32(count);
        for (var i = 0; i < count; i++)
        {
            var span = spans[i];
            builder.WriteString(span.Source.Name).WriteString(span.Source.Version)
                .WriteString(span.OperationName).WriteString(span.DisplayName)
                .WriteByte((byte)span.Kind)
                .WriteString(span.SpanId.ToHexString()).WriteString(span.ParentSpanId.ToHexString())
                .WriteInt64(span.StartTimeUtc.Ticks).WriteInt64(span.Duration.Ticks)
                .WriteByte((byte)span.Status).WriteString(span.StatusDescription);
            WriteTags(builder, span.TagObjects);
            var events = span.Events.ToList();
            builder.WriteInt32(events.Count);
            foreach (var e in events)
            {
                builder.WriteString(e.Name).WriteInt64(e.Timestamp.UtcTicks);
                WriteTags(builder, e.Tags);
            }
        }
    }

    /// <summary>
    /// Reads a Spans frame (task id already read) and re-emits its spans as children of <paramref name="parent"/>,
    /// the task's span in this process. With no parent span (the task was not traced here) the frame is only validated.
    /// </summary>
    public static void Emit(ref FrameParser parser, Activity? parent)
    {
        var count = parser.ReadCount(16, "span");
        var spans = new List<SpanData>(count);
        for (var i = 0; i < count; i++)
        {
            spans.Add(SpanData.Read(ref parser));
        }

        parser.EnsureEnd();
        if (parent is null)
        {
            return;
        }

        // Parents start before their children: emit in start order, so each parent's new id is known first.
        spans.Sort(static (a, b) => a.StartTicks.CompareTo(b.StartTicks));
        var emitted = new Dictionary<string, ActivityContext>(StringComparer.Ordinal);
        var current = Activity.Current;
        try
        {
            foreach (var span in spans)
            {
                var parentContext = emitted.TryGetValue(span.ParentSpanId, out var known) ? known : parent.Context;
                var source = s_sources.GetOrAdd((span.SourceName, span.SourceVersion), static key => new ActivitySource(key.Name, key.Version));
                var activity = source.CreateActivity(span.OperationName, span.Kind, parentContext);
                if (activity is null)
                {
                    // Nobody here listens to that source: its children attach to the nearest emitted ancestor.
                    emitted[span.SpanId] = parentContext;
                    continue;
                }

                activity.DisplayName = span.DisplayName;
                foreach (var (key, value) in span.Tags)
                {
                    activity.SetTag(key, value);
                }

                if (activity.GetTagItem(WorkerSpanIdTag) is null)
                {
                    // Re-emitted once more (a cluster node's process pool): the id stays the one the called service saw.
                    activity.SetTag(WorkerSpanIdTag, span.SpanId);
                }
                foreach (var e in span.Events)
                {
                    activity.AddEvent(new ActivityEvent(e.Name, new DateTimeOffset(e.Ticks, TimeSpan.Zero), new ActivityTagsCollection(e.Tags)));
                }

                activity.SetStatus(span.Status, span.StatusDescription);
                activity.SetStartTime(new DateTime(span.StartTicks, DateTimeKind.Utc));
                activity.Start();
                activity.SetEndTime(new DateTime(span.StartTicks + Math.Max(span.DurationTicks, 1), DateTimeKind.Utc));
                activity.Stop();
                emitted[span.SpanId] = activity.Context;
            }
        }
        finally
        {
            Activity.Current = current;
        }
    }

    private static void WriteTags(FrameBuilder builder, IEnumerable<KeyValuePair<string, object?>> tags)
    {
        var list = tags as IReadOnlyCollection<KeyValuePair<string, object?>> ?? tags.ToList();
        builder.WriteInt32(list.Count);
        foreach (var (key, value) in list)
        {
            builder.WriteString(key);
            switch (value)
            {
                case long or int or short or byte or sbyte or ushort or uint:
                    builder.WriteByte(TagLong).WriteInt64(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                    break;
                case double or float or decimal:
                    builder.WriteByte(TagDouble).WriteInt64(BitConverter.DoubleToInt64Bits(Convert.ToDouble(value, CultureInfo.InvariantCulture)));
                    break;
                case bool b:
                    builder.WriteByte(TagBool).WriteByte(b ? (byte)1 : (byte)0);
                    break;
                default:
                    builder.WriteByte(TagString).WriteString(Convert.ToString(value, CultureInfo.InvariantCulture));
                    break;
            }
        }
    }

    private static List<KeyValuePair<string, object?>> ReadTags(ref FrameParser parser)
    {
        var count = parser.ReadCount(5, "tag");
        var tags = new List<KeyValuePair<string, object?>>(count);
        for (var i = 0; i < count; i++)
        {
            var key = parser.ReadRequiredString("tag name");
            object? value = parser.ReadByte() switch
            {
                TagString => parser.ReadString(),
                TagLong => parser.ReadInt64(),
                TagDouble => BitConverter.Int64BitsToDouble(parser.ReadInt64()),
                TagBool => parser.ReadByte() != 0,
                var other => throw new FrameException($"Unknown tag type {other} in a span."),
            };
            tags.Add(new(key, value));
        }

        return tags;
    }

    private sealed record SpanEvent(string Name, long Ticks, List<KeyValuePair<string, object?>> Tags);

    private sealed record SpanData(
        string SourceName, string? SourceVersion, string OperationName, string DisplayName, ActivityKind Kind, string SpanId, string ParentSpanId,
        long StartTicks, long DurationTicks, ActivityStatusCode Status, string? StatusDescription,
        List<KeyValuePair<string, object?>> Tags, List<SpanEvent> Events)
    {
        public static SpanData Read(ref FrameParser parser)
        {
            var sourceName = parser.ReadRequiredString("span source");
            var sourceVersion = parser.ReadString();
            var operation = parser.ReadRequiredString("span operation");
            var display = parser.ReadString() ?? operation;
            var kind = parser.ReadByte();
            if (kind > (byte)ActivityKind.Consumer)
            {
                throw new FrameException($"Invalid span kind {kind}.");
            }

            var spanId = parser.ReadRequiredString("span id");
            var parentSpanId = parser.ReadRequiredString("parent span id");
            var start = parser.ReadInt64();
            var duration = parser.ReadInt64();
            if (start < DateTime.MinValue.Ticks || start > DateTime.MaxValue.Ticks || duration < 0 || duration > DateTime.MaxValue.Ticks - start)
            {
                throw new FrameException("A span's times are out of range.");
            }

            var status = parser.ReadByte();
            if (status > (byte)ActivityStatusCode.Error)
            {
                throw new FrameException($"Invalid span status {status}.");
            }

            var description = parser.ReadString();
            var tags = ReadTags(ref parser);
            var eventCount = parser.ReadCount(12, "span event");
            var events = new List<SpanEvent>(eventCount);
            for (var i = 0; i < eventCount; i++)
            {
                var name = parser.ReadRequiredString("event name");
                var ticks = parser.ReadInt64();
                if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
                {
                    throw new FrameException("A span event's time is out of range.");
                }

                events.Add(new SpanEvent(name, ticks, ReadTags(ref parser)));
            }

            return new SpanData(sourceName, sourceVersion, operation, display, (ActivityKind)kind, spanId, parentSpanId, start, duration, (ActivityStatusCode)status, description, tags, events);
        }
    }
}
