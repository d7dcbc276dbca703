using System.Diagnostics;
using System.Globalization;

namespace Juggle.Internal;

/// <summary>How a traced task ended.</summary>
internal enum TaskOutcome
{
    None,
    Succeeded,
    Failed,
    Cancelled,
}

/// <summary>
/// One task's telemetry, created at Submit only while something listens: the submitter's trace context (the parent
/// of the task's span), the times, the worker, the outcome, and the span itself.
/// </summary>
internal sealed class TaskTrace
{
    private readonly ITaskObserver[] _observers;
    private readonly bool _traced;
    private readonly Lock _activityLock = new();
    private readonly ParentSpan? _parent;
    private Activity? _activity;

    public TaskTrace(Executor executor, Future future, string function, ITaskObserver[] observers, bool traced)
        : this(executor, future, function, observers, traced, traced && Activity.Current is { } current ? current.Context : default, Stopwatch.GetTimestamp())
    {
    }

    public TaskTrace(Executor executor, Future future, string function, ITaskObserver[] observers, bool traced, ActivityContext parent, long submitTimestamp)
    {
        Executor = executor;
        Future = future;
        Function = function;
        _observers = observers;
        _traced = traced;
        SubmitTimestamp = submitTimestamp;
        _parent = traced && parent != default ? new ParentSpan(parent) : null;
    }

    public Executor Executor { get; }

    /// <summary>The future's <see cref="Juggle.Future.CancelGate"/> when it has one (the future keeps one slot for both).</summary>
    public ICancelGate? CancelGate { get; set; }

    public Future Future { get; }

    /// <summary>The function's name (<c>Type.Method</c>).</summary>
    public string Function { get; }

    /// <summary>The submitter's span (<see cref="Activity.Current"/> at Submit), or default for a root span.</summary>
    public ActivityContext Parent => _parent?.Context ?? default;

    /// <summary><see cref="Stopwatch.GetTimestamp"/> at Submit, start and end (0 until then).</summary>
    public long SubmitTimestamp { get; }

    public long StartTimestamp { get; private set; }

    public long EndTimestamp { get; private set; }

    public string? WorkerName { get; private set; }

    public int ProcessId { get; private set; }

    public int ThreadId { get; private set; }

    public TaskOutcome Outcome { get; private set; }

    public Exception? Exception { get; private set; }

    /// <summary>The task's span, once started (null when only observers listen, or no listener sampled it).</summary>
    public Activity? Activity => Volatile.Read(ref _activity);

    /// <summary>The task moved to running on <paramref name="worker"/>. Called right after the pending → running transition.</summary>
    public void OnStarted(object worker, string workerName) => OnStarted(worker, workerName, 0);

    /// <summary>
    /// As <see cref="OnStarted(object, string)"/>, for a task that started at <paramref name="startTimestamp"/>
    /// (<see cref="Stopwatch.GetTimestamp"/>; 0 for now), before its span could be made.
    /// </summary>
    public void OnStarted(object worker, string workerName, long startTimestamp)
    {
        var late = startTimestamp != 0;
        StartTimestamp = late ? startTimestamp : Stopwatch.GetTimestamp();
        WorkerName = workerName;
        if (worker is IWorkerIdentity identity)
        {
            ProcessId = identity.ProcessId;
            ThreadId = identity.ThreadId;
        }

        if (_traced)
        {
            var openedEarlier = Activity is not null;
            if (EnsureActivity() is { } activity)
            {
                if (late)
                {
                    activity.SetStartTime(DateTime.UtcNow - Stopwatch.GetElapsedTime(startTimestamp));
                }
                else if (openedEarlier)
                {
                    // A call written ahead to a worker process had its span opened then; the task starts now.
                    activity.SetStartTime(DateTime.UtcNow);
                }

                Tag(activity);
            }
        }

        foreach (var observer in _observers)
        {
            observer.OnStarted(this);
        }
    }

    /// <summary>Makes the span current on this thread: work the task does (an HttpClient call) joins its trace.</summary>
    public void Enter()
    {
        if (Activity is { } activity)
        {
            Activity.Current = activity;
        }
    }

    /// <summary>
    /// The W3C trace context a worker process should continue (the task's own span), or null when not traced. Opens
    /// the span if the call is written before it starts (queued behind a running call).
    /// </summary>
    public (string TraceParent, string? TraceState)? GetPropagationContext()
    {
        if (!_traced || EnsureActivity() is not { Id: { } id } activity)
        {
            return null;
        }

        return (id, activity.TraceStateString);
    }

    /// <summary>
    /// The task is done: ends the span (status and exception per the OpenTelemetry conventions) and tells the
    /// observers. Called once, under the future's lock, before the final state is published, so whoever sees the
    /// future done also sees its span ended.
    /// </summary>
    public void OnFinished(TaskOutcome outcome, Exception? exception)
    {
        EndTimestamp = Stopwatch.GetTimestamp();
        Outcome = outcome;
        Exception = exception;
        if (Activity is { } activity)
        {
            activity.SetTag("juggle.outcome", OutcomeName(outcome));
            if (outcome == TaskOutcome.Failed && exception is not null)
            {
                activity.SetTag("error.type", exception.GetType().FullName);
                activity.AddException(exception);
                activity.SetStatus(ActivityStatusCode.Error, exception.Message);
            }

            StopDetached(activity);
        }

        foreach (var observer in _observers)
        {
            observer.OnFinished(this);
        }
    }

    public static string OutcomeName(TaskOutcome outcome) => outcome switch
    {
        TaskOutcome.Succeeded => "succeeded",
        TaskOutcome.Failed => "failed",
        TaskOutcome.Cancelled => "cancelled",
        _ => "unknown",
    };

    /// <summary>Stops <paramref name="activity"/> without changing what is current on this thread (unless it is the current one, which then gives way to its predecessor).</summary>
    public static void StopDetached(Activity activity)
    {
        var current = Activity.Current;
        activity.Stop();
        if (!ReferenceEquals(current, activity))
        {
            Activity.Current = current;
        }
    }

    /// <summary>
    /// The parent span, held by reference: a field of a System.Diagnostics.DiagnosticSource value type would make every
    /// type test for a trace (a future's one slot holds a trace or a cancel gate) load that assembly, and whether it is
    /// loaded tells <see cref="TaskTelemetry"/> whether anything could listen yet.
    /// </summary>
    private sealed class ParentSpan(ActivityContext context)
    {
        public ActivityContext Context { get; } = context;
    }

    private Activity? EnsureActivity()
    {
        if (Volatile.Read(ref _activity) is { } existing)
        {
            return existing;
        }

        lock (_activityLock)
        {
            if (_activity is not null)
            {
                return _activity;
            }

            var activity = TaskTelemetry.Source.CreateActivity(TaskTelemetry.TaskOperation, ActivityKind.Internal, Parent);
            if (activity is null)
            {
                return null;
            }

            activity.DisplayName = Function;
            activity.SetTag("juggle.executor", Executor.Name);
            activity.SetTag("juggle.task.id", Future.Id);
            activity.SetTag("code.function.name", Function);

            // Started without becoming current here: this may be the submitter's thread or a pipe writer.
            var previous = Activity.Current;
            activity.Start();
            Activity.Current = previous;
            Volatile.Write(ref _activity, activity);
            return activity;
        }
    }

    private void Tag(Activity activity)
    {
        activity.SetTag("juggle.worker", WorkerName);
        if (ProcessId != 0)
        {
            // A cluster node's process is not known here: its own span (re-emitted below this one) carries it.
            activity.SetTag("process.pid", ProcessId);
        }

        if (ThreadId != 0)
        {
            activity.SetTag("thread.id", ThreadId);
            activity.SetTag("thread.name", WorkerName);
        }

        var queued = (StartTimestamp - SubmitTimestamp) * 1000.0 / Stopwatch.Frequency;
        activity.SetTag("juggle.task.queued_ms", Math.Round(queued, 3));
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Function} #{Future.Id} on {WorkerName ?? "-"}: {OutcomeName(Outcome)}");
}
