using System.Collections.Concurrent;
using System.Diagnostics;

namespace Juggle.Remoting;

/// <summary>
/// The worker side of a traced call: a span (<c>juggle.task.run</c>) around the function, parented to the task's
/// span in the parent and current while the function runs, so work it does (an HttpClient call) continues the
/// submitter's trace. When the parent's span is sampled, a listener installed on the first such call records every
/// span started in the worker under the call's span (on the call's own flow, or as a descendant of a span it owns,
/// such as a process-pool task a cluster node starts); they go back to the parent (a Spans frame, or a cluster
/// answer's header). Several calls may run at once (a cluster node's threads), even of the same trace: each span is
/// owned by one call. With an unsampled context the span only propagates the trace (nothing is recorded); without a
/// context nothing runs.
/// </summary>
internal sealed class WorkerTracing
{
    private static readonly ActivitySource s_source = new(TelemetryNames.SourceName, typeof(WorkerTracing).Assembly.GetName().Version?.ToString());
    private static readonly Lock s_listenerLock = new();
    private static readonly AsyncLocal<WorkerTracing?> s_current = new();

    /// <summary>Which running call each recorded span belongs to (entries leave when their call ends).</summary>
    private static readonly ConcurrentDictionary<ActivitySpanId, WorkerTracing> s_owners = new();
    private static ActivityListener? s_listener;

    private readonly ActivityTraceId _traceId;
    private readonly Lock _lock = new();
    private readonly List<Activity> _finished = [];
    private readonly List<ActivitySpanId> _owned = [];
    private readonly Activity _span;
    private readonly Activity? _previous;
    private readonly WorkerTracing? _previousCall;
    private bool _ended;

    private WorkerTracing(ActivityContext parent, string function)
    {
        _traceId = parent.TraceId;
        _previous = Activity.Current;
        _previousCall = s_current.Value;
        s_current.Value = this;
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

    /// <summary>The call's span, current while the function runs (to add attributes).</summary>
    public Activity Span => _span;

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

        return Finish();
    }

    /// <summary>
    /// Ends the worker span as failed by an exception known only by its type name, message and stack trace (a task
    /// that ran in another process), and returns the spans to send back.
    /// </summary>
    public List<Activity> EndFailed(string errorType, string message, string? stackTrace)
    {
        _span.SetTag("error.type", errorType);
        var tags = new ActivityTagsCollection
        {
            ["exception.type"] = errorType,
            ["exception.message"] = message,
        };
        if (stackTrace is not null)
        {
            tags["exception.stacktrace"] = stackTrace;
        }

        _span.AddEvent(new ActivityEvent("exception", default, tags));
        _span.SetStatus(ActivityStatusCode.Error, message);
        return Finish();
    }

    private List<Activity> Finish()
    {
        _span.Stop();
        Activity.Current = _previous;
        if (ReferenceEquals(s_current.Value, this))
        {
            s_current.Value = _previousCall;
        }

        lock (_lock)
        {
            Volatile.Write(ref _ended, true);
            foreach (var id in _owned)
            {
                s_owners.TryRemove(new KeyValuePair<ActivitySpanId, WorkerTracing>(id, this));
            }

            _owned.Clear();
            return [.. _finished];
        }
    }

    /// <summary>The running call a new span with this trace and parent belongs to, if any.</summary>
    private static WorkerTracing? OwnerOf(ActivityTraceId traceId, ActivitySpanId parentSpanId)
    {
        if (parentSpanId != default && s_owners.TryGetValue(parentSpanId, out var owner) && owner._traceId == traceId)
        {
            return owner;
        }

        return s_current.Value is { } call && call._traceId == traceId && !Volatile.Read(ref call._ended) ? call : null;
    }

    private void Own(Activity activity)
    {
        lock (_lock)
        {
            if (_ended)
            {
                return;
            }

            _owned.Add(activity.SpanId);
            s_owners[activity.SpanId] = this;
        }
    }

    private void Collect(Activity activity)
    {
        if (!activity.Recorded)
        {
            return;
        }

        lock (_lock)
        {
            if (!_ended && _finished.Count < RemoteSpans.MaxSpans)
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
                    OwnerOf(options.TraceId, options.Parent.SpanId) is not null
                        ? ActivitySamplingResult.AllDataAndRecorded
                        : ActivitySamplingResult.None,
                ActivityStarted = static activity => OwnerOf(activity.TraceId, activity.ParentSpanId)?.Own(activity),
                ActivityStopped = static activity =>
                {
                    if (s_owners.TryGetValue(activity.SpanId, out var owner))
                    {
                        owner.Collect(activity);
                    }
                },
            };
            ActivitySource.AddActivityListener(s_listener);
        }
    }
}
