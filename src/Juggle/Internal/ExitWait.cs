using System.Runtime.CompilerServices;

namespace Juggle.Internal;

/// <summary>
/// Python's exit rule for executors: when the process exits normally (<c>Main</c> returns, <see cref="Environment.Exit"/>)
/// every executor still alive finishes the work already submitted, as CPython's interpreter exit joins the workers
/// of every executor, and a submit from then on throws, as CPython's "cannot schedule new futures after interpreter
/// shutdown". Without this, the workers (background threads, child processes tied to the parent) would die with the
/// process and submitted work would be silently lost.
/// </summary>
internal static class ExitWait
{
    private static readonly ConditionalWeakTable<Executor, object?> s_live = [];
    private static int s_hooked;
    private static volatile bool s_exiting;

    /// <summary><see langword="true"/> once the process has begun to exit.</summary>
    public static bool Exiting => s_exiting;

    public static void Register(Executor executor)
    {
        if (Interlocked.Exchange(ref s_hooked, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += static (_, _) => OnProcessExit();
        }

        s_live.AddOrUpdate(executor, null);
    }

    public static void Unregister(Executor executor) => s_live.Remove(executor);

    public static InvalidOperationException SubmitDuringExit(string executorName) =>
        new($"Cannot submit to executor '{executorName}': the process is exiting (Main returned or Environment.Exit was called), so new work would never run. Submit before Main returns.");

    private static void OnProcessExit()
    {
        s_exiting = true;
        foreach (var (executor, _) in s_live)
        {
            try
            {
                // Pending and running work finishes (Shutdown(wait: false) earlier does not cancel it either).
                executor.Shutdown(wait: true);
            }
#pragma warning disable CA1031 // One executor failing to shut down must not keep the others from finishing their work.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                executor.LogError(ex, "Finishing submitted work at process exit failed");
            }
        }
    }
}
