using System.Runtime.InteropServices;

namespace Juggle.Worker;

/// <summary>
/// Ends the process at once after flushing the console, running no process-exit handlers: for a worker whose parent is
/// gone, and for the <c>juggle</c> tool stopped by a signal (whose exit-time wait for executors' work could wait on
/// tasks that cluster nodes never answer). Compiled into the worker, the library and the tool.
/// </summary>
internal static partial class ImmediateExit
{
    public static void Exit(int code)
    {
        Console.Out.Flush();
        Console.Error.Flush();
        if (!OperatingSystem.IsWindows())
        {
            ExitProcess(code);
        }

        Environment.Exit(code);
    }

    [LibraryImport("libc", EntryPoint = "_exit")]
    private static partial void ExitProcess(int code);
}
