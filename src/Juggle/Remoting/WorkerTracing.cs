using System.Diagnostics;

namespace Juggle.Remoting;

/// <summary>
/// The worker side of a traced call: a span (<c>juggle.task.run</c>) around the function, parented to the task's
/// span in the parent and current while the function runs, so work it does (an HttpClient call) continues the
/// submitter's trace. When the parent's span is sampled, a listener installed on the first such call records every
/// span of that trace started in the worker while the call runs; they go back to the parent in a Spans frame. With
/// an unsampled context the span only propagates the trace (nothing is recorded); without a context nothing runs.
/// </summary>
internal sealed class WorkerTracing
{
    private static readonly ActivitySource s_source = new(TelemetryNames.SourceName, typeof(WorkerTracing).Assembly.GetName().Version?.ToString());
    private static readonly Lock s_listenerLock = new();
    private static ActivityListener? s_listener;
    private static WorkerTracing? s_current;

    private readonly ActivityTraceId _traceId;
    private readonly Lock _lock = new();
    private readonly List<Activity> _finished = [];
    private readonly Activity _span;
    private readonly Activity? _previous;

    private WorkerTracing(ActivityContext parent, string function)
    {
        _traceId = parent.TraceId;
        _previous = Activity.Current;
        Volatile.Write(ref s_current, this);
        var span = s_source.CreateActivity(TelemetryNames.WorkerOperation, ActivityKind.Internal, parent);
        if (span is null)
        {
            // Not recorded: a bare activity still carries the trace to what the function calls.
            span = new Activity(TelemetryNames.WorkerOperation);
            span.SetParentId(parent.TraceId, parent.SpanId, parent.TraceFlags);
            span.TraceStateString = parent.TraceState;
        }

        span.DisplayName = function;
        span.SetTag("code.function.name", function);
        span.SetTag("process.pid", Environment.ProcessId);
        span.SetTag("thread.id", Environment.CurrentManagedThreadId);
        span.Start();
        _span = span;
    }

    /// <summary>
    /// Opens the worker span for a call with trace context <paramref name="parent"/>; null (and no cost) without one.
    /// </summary>
    public static WorkerTracing? Begin(ActivityContext? parent, string function)
    {
        if (parent is not { } context)
        {
            return null;
        }

        if ((context.TraceFlags & ActivityTraceFlags.Recorded) != 0)
        {
            EnsureListener();
        }

        return new WorkerTracing(context, function);
    }

    /// <summary>Ends the worker span (failed with <paramref name="error"/>, if any) and returns the spans to send back.</summary>
    public List<Activity> End(Exception? error)
    {
        if (error is not null)
        {
            _span.SetTag("error.type", error.GetType().FullName);
            _span.AddException(error);
            _span.SetStatus(ActivityStatusCode.Error, error.Message);
        }

        _span.Stop();
        Activity.Current = _previous;
        Interlocked.CompareExchange(ref s_current, null, this);
        lock (_lock)
        {
            return [.. _finished];
        }
    }

    private void Collect(Activity activity)
    {
        if (activity.TraceId != _traceId || !activity.Recorded)
        {
            return;
        }

        lock (_lock)
        {
            if (_finished.Count < RemoteSpans.MaxSpans)
            {
                _finished.Add(activity);
            }
        }
    }

    private static void EnsureListener()
    {
        lock (s_listenerLock)
        {
            if (s_listener is not null)
            {
                return;
            }

            // Every source: the parent decides which to export when it re-emits (those its tracing listens to).
            s_listener = new ActivityListener
            {
                ShouldListenTo = static _ => true,
                Sample = static (ref ActivityCreationOptions<ActivityContext> options) =>
                    Volatile.Read(ref s_current) is { } call && options.TraceId == call._traceId
                        ? ActivitySamplingResult.AllDataAndRecorded
                        : ActivitySamplingResult.None,
                ActivityStopped = static activity => Volatile.Read(ref s_current)?.Collect(activity),
            };
            ActivitySource.AddActivityListener(s_listener);
        }
    }
}
