using System.Diagnostics;
using System.Reflection;

namespace Juggle.ProcessPoolFixture;

/// <summary>
/// "first-submit" and "first-submit-listened": a process pool in a process that has not loaded
/// System.Diagnostics.DiagnosticSource must leave its loading to Juggle's telemetry start-up thread (nothing can listen
/// to Juggle's traces yet, and creating the activity source costs a fresh process tens of milliseconds); with an
/// activity listener already attached, the first tasks are traced all the same. Prints "LOADED-OFF-TELEMETRY-THREAD true|false" (and where) and "TASK-SPANS n".
/// </summary>
internal static class FirstSubmitModes
{
    private static volatile string? s_loadedElsewhere;

    // The pool's functions take and return int, which trimming and NativeAOT keep: the warnings are acknowledged here.
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "int arguments and results survive trimming.")]
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("AOT", "IL3050", Justification = "int arguments and results need no generated code.")]
    public static int Run(string mode)
    {
        var spans = 0;
        IDisposable? listener = null;
        if (mode == "first-submit-listened")
        {
            listener = Listen(() => Interlocked.Increment(ref spans));
        }
        else if (AppDomain.CurrentDomain.GetAssemblies().Any(IsDiagnostics))
        {
            Console.WriteLine("PRECONDITION DiagnosticSource was loaded before the pool");
            return 1;
        }

        AppDomain.CurrentDomain.AssemblyLoad += (_, e) =>
        {
            // Only Juggle's telemetry start-up thread, which creates the activity source off the app's path, may load it.
            if (IsDiagnostics(e.LoadedAssembly) && Thread.CurrentThread.Name != "Juggle telemetry start")
            {
                s_loadedElsewhere ??= $"{Thread.CurrentThread.Name ?? "unnamed thread"}: {new StackTrace(false).ToString().ReplaceLineEndings(" | ")}";
            }
        };

        using (var pool = new ProcessPoolExecutor(maxWorkers: 1))
        {
            // Two Submits and a Map, so that whatever one leaves loaded is seen by the next.
            var first = pool.Submit(Functions.Square, 7);
            var second = pool.Submit(Functions.Square, 8);
            Console.WriteLine($"RESULT {first.Result(TimeSpan.FromSeconds(60))} {second.Result(TimeSpan.FromSeconds(60))}");
            Console.WriteLine($"MAP {string.Join(',', pool.Map(Functions.Square, [1, 2, 3]))}");
        }

        Console.WriteLine($"LOADED-OFF-TELEMETRY-THREAD {(s_loadedElsewhere is null ? "false" : "true, " + s_loadedElsewhere)}");
        Console.WriteLine($"TASK-SPANS {Volatile.Read(ref spans)}");
        listener?.Dispose();
        return 0;
    }

    private static bool IsDiagnostics(Assembly assembly) => assembly.GetName().Name == "System.Diagnostics.DiagnosticSource";

    // Out of line and typed IDisposable, so that naming ActivityListener does not load DiagnosticSource in the mode that must not.
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1859", Justification = "The caller must not name ActivityListener.")]
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static IDisposable Listen(Action onTaskSpan)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Juggle",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.OperationName == "juggle.task")
                {
                    onTaskSpan();
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
