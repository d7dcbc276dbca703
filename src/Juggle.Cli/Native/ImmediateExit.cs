using System.Runtime.InteropServices;

namespace Juggle.Cli.Native;

/// <summary>
/// Ends the process at once, after flushing the console: no process-exit handlers. A run stopped by a signal has
/// printed its summary and removed its partial files, but the exit-time wait for every live executor's work (Python's
/// rule, see Juggle's ExitWait) would wait for tasks that cluster worker nodes claimed and may never answer.
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
