using System.Diagnostics.CodeAnalysis;
using Juggle.Remoting;
using Juggle.Worker;

namespace Juggle.Internal;

/// <summary>
/// An app that is its own worker: a process started with <c>JUGGLE_WORKER=self</c> serves the pool's frames and exits
/// before the app's <c>Main</c> runs (or, under NativeAOT, which has no startup hooks, as <c>Main</c> begins). It
/// gets here from the <see cref="StartupHook"/> the parent names in <c>DOTNET_STARTUP_HOOKS</c>, or from
/// <see cref="ProcessPoolWorker.RunIfRequested"/> at the top of a NativeAOT app's <c>Main</c>. Not from a module initializer: CoreCLR runs those like type initializers, so every
/// other thread touching Juggle (the worker's own input reader) would wait for the serve loop to return.
/// </summary>
internal static class SelfWorker
{
    /// <summary>Set by the parent on a worker process; <see cref="SelfMode"/> means "serve as this executable".</summary>
    public const string ModeVariable = "JUGGLE_WORKER";

    public const string SelfMode = "self";

    /// <summary>The assembly the parent names as the worker's startup hook.</summary>
    public const string HookAssembly = "Juggle";

    public const string StartupHooksVariable = "DOTNET_STARTUP_HOOKS";

    /// <summary>The app's own <c>DOTNET_STARTUP_HOOKS</c>, restored in the worker so its child processes see the app's environment.</summary>
    public const string SavedHooksVariable = "JUGGLE_WORKER_STARTUP_HOOKS";

    private static int s_entered;

    private static volatile bool s_appCallsWorkerEntry;

    /// <summary>
    /// Whether the app's <c>Main</c> starts with <see cref="ProcessPoolWorker.RunIfRequested"/>: the only way a
    /// NativeAOT app (no startup hooks) can be its own worker.
    /// </summary>
    public static bool AppCallsWorkerEntry
    {
        get => s_appCallsWorkerEntry;
        set => s_appCallsWorkerEntry = value;
    }

    /// <summary>In a process started as a self-worker: serves until the parent closes the channel, then exits the process. Elsewhere returns at once.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = TrimMessages.WorkerEntry)]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = TrimMessages.WorkerEntry)]
    public static void RunIfRequested()
    {
        if (!string.Equals(Environment.GetEnvironmentVariable(ModeVariable), SelfMode, StringComparison.Ordinal)
            || Interlocked.Exchange(ref s_entered, 1) != 0)
        {
            return;
        }

        // Processes the user's functions start are ordinary processes again, with the app's own startup hooks.
        Environment.SetEnvironmentVariable(ModeVariable, null);
        var saved = Environment.GetEnvironmentVariable(SavedHooksVariable);
        Environment.SetEnvironmentVariable(StartupHooksVariable, string.IsNullOrEmpty(saved) ? null : saved);
        Environment.SetEnvironmentVariable(SavedHooksVariable, null);
        StandardStreams.ExitNow(WorkerMain.Run());
    }
}
