using Juggle.Internal;

#pragma warning disable CA1050 // The runtime looks for a type named StartupHook outside any namespace.

/// <summary>
/// The startup hook a self-contained, single-file or trimmed app's worker processes run (<c>DOTNET_STARTUP_HOOKS=Juggle</c>,
/// set only by <see cref="Juggle.ProcessPoolExecutor"/> on its workers): it serves the pool and exits before the app's <c>Main</c>.
/// </summary>
internal static class StartupHook
{
    /// <summary>Called by the runtime before <c>Main</c>; returns at once unless this process is a self-worker.</summary>
    public static void Initialize() => SelfWorker.RunIfRequested();
}
