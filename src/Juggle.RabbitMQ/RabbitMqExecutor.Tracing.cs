using System.Diagnostics;
using Juggle.RabbitMQ.Internal;
using Juggle.Remoting;

namespace Juggle.RabbitMQ;

/// <summary>
/// Cluster traces, client side: a task message carries the W3C trace context of the task's span (so the node's span,
/// and what the function does there, join the submitter's trace), and an answer entry may carry the spans the node recorded,
/// re-emitted here under the task's span before the future completes (as the process pool does with its workers').
/// </summary>
public sealed partial class RabbitMqExecutor
{
    /// <summary>Adds the trace context headers of <paramref name="call"/>'s task message, if any.</summary>
    private void AddTraceHeaders(ClusterCall call, IDictionary<string, object?> headers)
    {
        var (parent, state) = TraceContextOf(call);
        if (parent is not null)
        {
            headers[Wire.TraceParentHeader] = parent;
            if (state is not null)
            {
                headers[Wire.TraceStateHeader] = state;
            }
        }
    }

    /// <summary>The W3C trace context <paramref name="call"/>'s task carries (its span's, else the submitter's), or nulls.</summary>
    private (string? Parent, string? State) TraceContextOf(ClusterCall call)
    {
        if (call.Future.Trace?.GetPropagationContext() is { } context)
        {
            if (call.Future.Trace.Activity is { } activity && activity.GetTagItem("messaging.system") is null)
            {
                // OpenTelemetry's messaging conventions: which system and queue carried the task.
                activity.SetTag("messaging.system", "rabbitmq");
                activity.SetTag("messaging.destination.name", _queue);
            }

            return (context.TraceParent, context.TraceState is { Length: > 0 } state ? state : null);
        }

        // Juggle's own spans are off here, but the submitter may be traced (an app listening to other sources): the
        // node still continues the submitter's trace.
        return (call.TraceParent, null);
    }

    /// <summary>
    /// Re-emits the spans an answer carries under the task's span. Telemetry only: spans that cannot be read are
    /// logged and dropped, the answer itself still completes the future.
    /// </summary>
    private void EmitSpans(ClusterCall call, byte[]? spans, string node)
    {
        if (spans is null)
        {
            return;
        }

        try
        {
            var parser = new FrameParser(spans);
            if (parser.ReadKind() != MessageKind.Spans || parser.ReadInt64() != call.TaskId)
            {
                throw new FrameException($"The spans header does not hold the spans of task {call.TaskId}.");
            }

            RemoteSpans.Emit(ref parser, call.Started ? call.Future.Trace?.Activity : null);
        }
        catch (FrameException ex)
        {
            LogError(ex, $"Node {node} sent malformed spans for task {call.TaskId}; they were dropped");
        }
    }
}
