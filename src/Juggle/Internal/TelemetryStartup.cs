using System.Runtime.CompilerServices;

namespace Juggle.Internal;

/// <summary>
/// Creates the <c>Juggle</c> activity source and meter on a background thread soon after the first executor is built. The
/// first of either in a process starts the runtime's event-source machinery (about 15 ms on a fast machine), which
/// would otherwise be paid by the first Submit before its task could start.
/// </summary>
internal static class TelemetryStartup
{
    private static readonly TimeSpan StartDelay = TimeSpan.FromMilliseconds(100);
    private static int s_begun;

    public static void Begin()
    {
        if (Volatile.Read(ref s_begun) != 0 || Interlocked.Exchange(ref s_begun, 1) != 0)
        {
            return;
        }

        // Their static constructors are cheap (the meter and source are made below, not there). Run now, before the
        // first Submit compiles the per-task methods, they let the compiler read those classes' fields directly
        // instead of checking on every call whether the classes are initialised.
        RuntimeHelpers.RunClassConstructor(typeof(JuggleMetrics).TypeHandle);
        RuntimeHelpers.RunClassConstructor(typeof(TaskTelemetry).TypeHandle);
        // Named by itself: naming another thread costs the caller a file write (see WorkerThreadCache).
        if (!NativeThreadStart.TryStart(CreateAll))
        {
            new Thread(CreateAll) { IsBackground = true }.UnsafeStart();
        }
    }

    private static void CreateAll()
    {
        Thread.CurrentThread.Name = "Juggle telemetry start";
        // Not at once: a process's first executor is usually followed by a burst of work (its threads starting, code
        // being compiled) that this creation, tens of milliseconds of CPU, would slow down on a small machine. Whatever
        // needs the source or the meter sooner creates it on demand (a task finishing, a process-pool Submit, Flush).
        Thread.Sleep(StartDelay);
        TaskTelemetry.EnsureSource();
        JuggleMetrics.Create();
    }
}
