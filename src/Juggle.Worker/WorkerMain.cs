using System.Diagnostics.CodeAnalysis;
using Juggle.Remoting;

namespace Juggle.Worker;

/// <summary>
/// The worker's serve loop, shared by <c>Juggle.Worker.dll</c> (framework-dependent apps) and by Juggle.dll itself
/// (an app that re-executes itself as its worker: self-contained, single-file, trimmed and NativeAOT publishes).
/// </summary>
internal static class WorkerMain
{
    /// <summary>Exit code when the parent sent a malformed frame.</summary>
    public const int MalformedInputExitCode = 3;

    /// <summary>Serves frames on the process's original stdin/stdout until the parent closes them; returns the exit code.</summary>
    [RequiresUnreferencedCode(TrimMessages.Reflection)]
    [RequiresDynamicCode(TrimMessages.DynamicCode)]
    public static int Run()
    {
        // Frames travel on the original stdout. What the user's code prints with Console.Out travels to the parent in
        // Output frames (the parent prints it on its stdout); native writes to file descriptor 1 go to stderr.
        var (input, output) = StandardStreams.TakeOver();
        WorkerWarmUp.Start();
        try
        {
            // The parent closed our input (shutdown) or died: exit now, even in the middle of a task.
            WorkerHost.Run(input, output, onInputClosed: error =>
            {
                if (error is not null)
                {
                    Console.Error.WriteLine($"Juggle.Worker: malformed input from the parent, exiting: {error.Message}");
                }

                StandardStreams.ExitNow(error is null ? 0 : MalformedInputExitCode);
            },
            setStandardOutput: Console.SetOut);
            return 0;
        }
        catch (FrameException ex)
        {
            Console.Error.WriteLine($"Juggle.Worker: protocol error, exiting: {ex.Message}");
            return MalformedInputExitCode;
        }
        catch (IOException)
        {
            // The parent closed the channel while an answer was being written: it is gone, so are we.
            return 0;
        }
    }
}
