using System.Diagnostics;
using System.Reflection;
using Juggle.Remoting;

namespace Juggle.Internal;

/// <summary>
/// The one place tasks report to tracing and to in-process observers (the dashboard). Executors touch it at three
/// points: Submit (<see cref="TryCreate"/>), start (<see cref="TaskTrace.OnStarted"/>) and completion
/// (<see cref="TaskTrace.OnFinished"/>). With no listener on the <c>Juggle</c> source and no observer, Submit checks
/// two fields and a task carries a null reference: nothing is allocated.
/// </summary>
internal static class TaskTelemetry
{
    public const string SourceName = TelemetryNames.SourceName;

    public const string TaskOperation = TelemetryNames.TaskOperation;

    public static readonly ActivitySource Source = new(SourceName, typeof(TaskTelemetry).Assembly.GetName().Version?.ToString());

    private static ITaskObserver[] s_observers = [];

    /// <summary><see langword="true"/> when a submitted task should carry a <see cref="TaskTrace"/>.</summary>
    public static bool IsEnabled => Volatile.Read(ref s_observers).Length != 0 || Source.HasListeners();

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
