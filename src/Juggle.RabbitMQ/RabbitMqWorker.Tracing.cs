using System.Diagnostics;
using Juggle.RabbitMQ.Internal;
using Juggle.Remoting;
using RabbitMQ.Client;

namespace Juggle.RabbitMQ;

/// <summary>
/// Cluster traces, node side: a task message with a trace context runs inside a <c>juggle.task.run</c> span joined
/// to the submitter's trace (current while the function runs, so its HttpClient calls join too, and handed on to the
/// node's process pool with <c>--processes</c>); the spans recorded go back in the answer's header.
/// </summary>
public sealed partial class RabbitMqWorker
{
    /// <summary>The W3C trace context of a task message, if it has a valid one (a bad one is ignored, never fatal).</summary>
    private static ActivityContext? ReadTrace(IReadOnlyBasicProperties properties) =>
        ReadTrace(Wire.GetString(properties, Wire.TraceParentHeader), Wire.GetString(properties, Wire.TraceStateHeader));

    /// <summary>The W3C trace context of a task (from its message's headers or its envelope entry), if valid.</summary>
    private static ActivityContext? ReadTrace(string? parent, string? state)
    {
        if (parent is null || parent.Length > TraceContext.MaxLength)
        {
            return null;
        }

        if (state?.Length > TraceContext.MaxLength)
        {
            state = null;
        }

        return ActivityContext.TryParse(parent, state, isRemote: true, out var context) ? context : null;
    }

    /// <summary>Runs a claimed task (traced if its message has a trace context); returns its answer and the spans header to send with it.</summary>
    private (byte[] Answer, byte[]? Spans) RunTraced(Delivery delivery, TaskMessage message, FunctionSignature signature, CancellationToken cancellationToken)
    {
        if (delivery.Redelivered)
        {
            Interlocked.Increment(ref _redelivered);
        }

        var tracing = WorkerTracing.Begin(delivery.Trace, TelemetryNames.DescribeFunction(signature.Method));
        if (tracing is null)
        {
            return (RunTask(delivery, message, signature, cancellationToken), null);
        }

        var span = tracing.Span;
        if (span.IsAllDataRequested)
        {
            span.SetTag("juggle.executor", nameof(RabbitMqWorker));
            span.SetTag("juggle.task.id", message.TaskId);
            span.SetTag("juggle.node", Node);
            span.SetTag("host.name", Environment.MachineName);
            span.SetTag("messaging.system", "rabbitmq");
            span.SetTag("messaging.destination.name", _options.QueueName);
            span.SetTag("messaging.operation.type", "process");
            if (delivery.Redelivered)
            {
                span.SetTag("juggle.redelivered", true);
            }
        }

        byte[] answer;
        try
        {
            answer = RunTask(delivery, message, signature, cancellationToken);
        }
        catch (Exception ex)
        {
            tracing.End(ex);
            throw;
        }

        List<Activity> spans;
        if (answer.Length > 0 && answer[0] == (byte)MessageKind.Error && TryReadError(answer) is { } error)
        {
            span.SetTag("juggle.outcome", "failed");
            spans = tracing.EndFailed(error.TypeName, error.Message, error.StackTrace);
        }
        else
        {
            span.SetTag("juggle.outcome", "succeeded");
            spans = tracing.End(null);
        }

        return (answer, EncodeSpans(message.TaskId, spans));
    }

    private byte[] RunTask(Delivery delivery, TaskMessage message, FunctionSignature signature, CancellationToken cancellationToken) =>
        _processes is null
            ? TaskRunner.Run(message, signature, _options.MaxMessageSize, cancellationToken)
            : RunInProcess(delivery.Body!, message.TaskId, cancellationToken);

    private static RemoteError? TryReadError(byte[] answer)
    {
        try
        {
            var parser = new FrameParser(answer);
            parser.ReadKind();
            parser.ReadInt64();
            return RemoteError.Read(ref parser);
        }
        catch (FrameException)
        {
            return null;
        }
    }

    /// <summary>The spans as a Spans frame for the answer's header; halved until they fit <see cref="Wire.MaxSpansBytes"/> (the earliest kept: parents first).</summary>
    private static byte[]? EncodeSpans(long taskId, List<Activity> spans)
    {
        if (spans.Count == 0)
        {
            return null;
        }

        spans.Sort(static (a, b) => a.StartTimeUtc.CompareTo(b.StartTimeUtc));
        var builder = new FrameBuilder(1024);
        var count = spans.Count;
        while (true)
        {
            RemoteSpans.Write(builder, taskId, count == spans.Count ? spans : spans.GetRange(0, count));
            if (builder.Body.Length <= Wire.MaxSpansBytes || count == 1)
            {
                return builder.Body.Length <= Wire.MaxSpansBytes ? builder.ToArray() : null;
            }

            count /= 2;
        }
    }
}
