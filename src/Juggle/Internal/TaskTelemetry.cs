using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using Juggle.Remoting;

namespace Juggle.Internal;

/// <summary>
/// The one place tasks report to tracing and to in-process observers (the dashboard). Executors touch it at three
/// points: Submit (<see cref="TryCreate"/>), start (<see cref="TaskTrace.OnStarted(object, string)"/>) and completion
/// (<see cref="TaskTrace.OnFinished"/>). With no listener on the <c>Juggle</c> source and no observer, Submit checks
/// two fields and a task carries a null reference: nothing is allocated.
/// </summary>
internal static class TaskTelemetry
{
    public const string SourceName = TelemetryNames.SourceName;

    public const string TaskOperation = TelemetryNames.TaskOperation;

    private const string DiagnosticsAssemblyPrefix = "System.Diagnostics.DiagnosticSource,";
    private const int DiagnosticsUnknown = 0;
    private const int DiagnosticsAbsent = 1;
    private const int DiagnosticsLoaded = 2;

    private static readonly Lock s_sourceLock = new();
    private static readonly Lock s_diagnosticsLock = new();
    private static ActivitySource? s_source;
    private static ITaskObserver[] s_observers = [];
    private static int s_diagnostics; // DiagnosticsUnknown, DiagnosticsAbsent (watching for its load) or DiagnosticsLoaded

    /// <summary>The <c>Juggle</c> activity source, created here if <see cref="TelemetryStartup"/> has not yet.</summary>
    public static ActivitySource Source => Volatile.Read(ref s_source) ?? EnsureSource();

    /// <summary><see langword="true"/> when a submitted task should carry a <see cref="TaskTrace"/>.</summary>
    public static bool IsEnabled => Volatile.Read(ref s_observers).Length != 0 || Source.HasListeners();

    /// <summary><see langword="true"/> once the source exists; until then reading <see cref="Source"/> may wait for its creation.</summary>
    public static bool IsSourceReady => Volatile.Read(ref s_source) is not null;

    /// <summary>
    /// For tests: until disposed (on the calling thread), the source looks as it does while <see cref="TelemetryStartup"/>
    /// is still creating it on another thread: not there, and whoever needs it waits.
    /// </summary>
    internal static IDisposable HoldSourceCreation() => new SourceHold();

    public static ActivitySource EnsureSource()
    {
        lock (s_sourceLock)
        {
            return s_source ??= new ActivitySource(SourceName, typeof(TaskTelemetry).Assembly.GetName().Version?.ToString());
        }
    }

    /// <summary>
    /// <see langword="true"/> when the source exists and neither a listener nor an observer is attached: a Submit then
    /// attaches no trace. Inlined into every Submit, so that case costs three loads and tests.
    /// </summary>
    public static bool NothingListens
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
#if JUGGLE_NO_TRACING_HOOKS
        get => true; // bench/tracing-ab's copy without the hooks (JuggleTracingHooks=false)
#else
        get => Volatile.Read(ref s_source) is { } source && Volatile.Read(ref s_observers).Length == 0 && !source.HasListeners();
#endif
    }

    /// <summary>
    /// Whether a task being submitted is traced. While the source is still being created in the background (the first
    /// executor of the process was just built) and no observer is attached, an executor that runs the task in this
    /// process may leave the decision to the task's start (<see cref="TraceDecision.Defer"/>), so the first Submit
    /// does not wait for the runtime's event-source machinery; the task's parent span is captured at Submit all the same.
    /// </summary>
    public static TraceDecision Decide(bool deferAllowed)
    {
#if JUGGLE_NO_TRACING_HOOKS
        return TraceDecision.None; // bench/tracing-ab's copy without the hooks (JuggleTracingHooks=false)
#else
        var observers = Volatile.Read(ref s_observers);
        if (Volatile.Read(ref s_source) is { } source)
        {
            return observers.Length != 0 || source.HasListeners() ? TraceDecision.Trace : TraceDecision.None;
        }

        if (observers.Length == 0)
        {
            if (deferAllowed)
            {
                return TraceDecision.Defer;
            }

            if (!ListenersPossible())
            {
                return TraceDecision.None;
            }
        }

        return observers.Length != 0 || EnsureSource().HasListeners() ? TraceDecision.Trace : TraceDecision.None;
#endif
    }

    /// <summary>The trace of a task whose Submit deferred the decision, now that it starts; null when nothing listens.</summary>
    public static TaskTrace? TryCreateDeferred(Executor executor, Future future, DeferredTrace deferred)
    {
        var observers = Observers;
        var listened = Source.HasListeners();
        if (observers.Length == 0 && !listened)
        {
            return null;
        }

        var trace = new TaskTrace(executor, future, deferred.Callable is null ? "task" : DescribeFunction(deferred.Callable.Method), observers, listened, listened ? deferred.ReadParent() : default, deferred.SubmitTimestamp);
        foreach (var observer in observers)
        {
            observer.OnSubmitted(trace);
        }

        return trace;
    }

    public static ITaskObserver[] Observers => Volatile.Read(ref s_observers);

    /// <summary>Starts reporting every task's submit, start and end to <paramref name="observer"/>; dispose to stop.</summary>
    public static IDisposable AddObserver(ITaskObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        while (true)
        {
            var current = Volatile.Read(ref s_observers);
            if (Interlocked.CompareExchange(ref s_observers, [.. current, observer], current) == current)
            {
                return new Registration(observer);
            }
        }
    }

    /// <summary>The trace of a task being submitted, or <see langword="null"/> when nothing listens.</summary>
    public static TaskTrace? TryCreate(Executor executor, Future future, Delegate? callable)
    {
        var observers = Observers;
        var listened = Source.HasListeners();
        if (observers.Length == 0 && !listened)
        {
            return null;
        }

        var trace = new TaskTrace(executor, future, callable is null ? "task" : DescribeFunction(callable.Method), observers, listened);
        foreach (var observer in observers)
        {
            observer.OnSubmitted(trace);
        }

        return trace;
    }

    /// <summary>
    /// Whether anything could listen to the source yet: not before System.Diagnostics.DiagnosticSource is loaded, since
    /// an activity listener is one of its types (Juggle names none of them before it creates the source). The first
    /// source of a process starts the runtime's event-source machinery, tens of milliseconds of CPU, so a process
    /// pool's first Submit, which cannot leave the decision to the task's start (the call carries the trace to the
    /// worker), skips creating it while nothing could listen.
    /// </summary>
    private static bool ListenersPossible()
    {
        switch (Volatile.Read(ref s_diagnostics))
        {
            case DiagnosticsLoaded:
                return true;
            case DiagnosticsAbsent:
                return false;
        }

        lock (s_diagnosticsLock)
        {
            if (Volatile.Read(ref s_diagnostics) == DiagnosticsUnknown)
            {
                // Watch first, then look: a load racing with the look is seen by one or the other.
                AppDomain.CurrentDomain.AssemblyLoad += OnAssemblyLoad;
                foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
                {
                    if (IsDiagnostics(assembly))
                    {
                        MarkDiagnosticsLoaded();
                        break;
                    }
                }

                Interlocked.CompareExchange(ref s_diagnostics, DiagnosticsAbsent, DiagnosticsUnknown);
            }

            return Volatile.Read(ref s_diagnostics) == DiagnosticsLoaded;
        }
    }

    private static void OnAssemblyLoad(object? sender, AssemblyLoadEventArgs args)
    {
        if (IsDiagnostics(args.LoadedAssembly))
        {
            MarkDiagnosticsLoaded();
        }
    }

    private static bool IsDiagnostics(Assembly assembly) =>
        assembly.FullName is { } name && name.StartsWith(DiagnosticsAssemblyPrefix, StringComparison.Ordinal);

    private static void MarkDiagnosticsLoaded()
    {
        Volatile.Write(ref s_diagnostics, DiagnosticsLoaded);
        AppDomain.CurrentDomain.AssemblyLoad -= OnAssemblyLoad;
    }

    /// <summary>A short, stable name for a function: <c>Type.Method</c>, with compiler-generated names made readable.</summary>
    public static string DescribeFunction(MethodInfo method) => TelemetryNames.DescribeFunction(method);

    private static void Remove(ITaskObserver observer)
    {
        while (true)
        {
            var current = Volatile.Read(ref s_observers);
            var index = Array.IndexOf(current, observer);
            if (index < 0)
            {
                return;
            }

            ITaskObserver[] next = [.. current[..index], .. current[(index + 1)..]];
            if (Interlocked.CompareExchange(ref s_observers, next, current) == current)
            {
                return;
            }
        }
    }

    private sealed class SourceHold : IDisposable
    {
        private readonly ActivitySource? _source;

        public SourceHold()
        {
            s_sourceLock.Enter();
            _source = Interlocked.Exchange(ref s_source, null);
        }

        public void Dispose()
        {
            Volatile.Write(ref s_source, _source);
            s_sourceLock.Exit();
        }
    }

    private sealed class Registration(ITaskObserver observer) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Remove(observer);
            }
        }
    }
}

/// <summary>What Submit does about tracing a task.</summary>
internal enum TraceDecision
{
    None,
    Trace,
    Defer,
}

/// <summary>
/// What a Submit that deferred the tracing decision captured: the function, the submitter's execution context and
/// the time. The context, not <see cref="Activity.Current"/>: the first touch of <see cref="Activity"/> in a process
/// runs its static constructor, the very cost deferring avoids; the context holds the submitter's current span all the same.
/// </summary>
internal sealed record DeferredTrace(Delegate? Callable, ExecutionContext? Context, long SubmitTimestamp)
{
    /// <summary>The worker of a task that started before the source existed (its span is made when it ends); else null.</summary>
    public object? Worker { get; private set; }

    public string? WorkerName { get; private set; }

    /// <summary><see cref="Stopwatch.GetTimestamp"/> when such a task started.</summary>
    public long StartTimestamp { get; private set; }

    public void StartedBeforeSource(object worker, string workerName, long startTimestamp)
    {
        WorkerName = workerName;
        StartTimestamp = startTimestamp;
        Worker = worker;
    }

    /// <summary>The submitter's <see cref="Activity.Current"/> at Submit, or default for a root span.</summary>
    public ActivityContext ReadParent()
    {
        if (Context is null)
        {
            return default; // flow was suppressed: no span flows either
        }

        var parent = new StrongBox<ActivityContext>();
        ExecutionContext.Run(Context, static box => ((StrongBox<ActivityContext>)box!).Value = Activity.Current?.Context ?? default, parent);
        return parent.Value;
    }
}

/// <summary>Receives every task's submit, start and end (on the thread where each happens: keep it cheap).</summary>
internal interface ITaskObserver
{
    void OnSubmitted(TaskTrace task);

    void OnStarted(TaskTrace task);

    /// <summary>Called before waiters see the task done. <see cref="TaskTrace.Outcome"/> says how it ended.</summary>
    void OnFinished(TaskTrace task);
}

/// <summary>What a worker tells telemetry about itself.</summary>
internal interface IWorkerIdentity
{
    /// <summary>The process the task runs in.</summary>
    int ProcessId { get; }

    /// <summary>The managed thread id of a thread worker; 0 for a worker process.</summary>
    int ThreadId { get; }
}
