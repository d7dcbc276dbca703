using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Juggle.Worker;

/// <summary>
/// Moves the frame channel off the standard descriptors: on Unix the original stdin/stdout are duplicated to
/// private close-on-exec descriptors, then stdout is pointed at stderr and stdin at /dev/null, so nothing the
/// user's code prints or reads (Console, native code, child processes) can touch the frames.
/// </summary>
internal static partial class StandardStreams
{
    private const int BufferSize = 64 * 1024;
    private const int SetDescriptorFlags = 2; // F_SETFD
    private const int CloseOnExec = 1; // FD_CLOEXEC
    private const int ReadWrite = 2; // O_RDWR

    public static (Stream Input, Stream Output) TakeOver()
    {
        Stream input;
        Stream output;
        Stream error;
        if (OperatingSystem.IsWindows())
        {
            input = Console.OpenStandardInput();
            output = Console.OpenStandardOutput();
            error = Console.OpenStandardError();
        }
        else
        {
            var inFd = Private(Dup(0));
            var outFd = Private(Dup(1));
            Check(Dup2(2, 1), "dup2(stderr, stdout)");
            var devNull = Open("/dev/null", ReadWrite);
            if (devNull >= 0)
            {
                Dup2(devNull, 0);
                Close(devNull);
            }

            input = new FileStream(new SafeFileHandle(inFd, ownsHandle: true), FileAccess.Read, bufferSize: 0);
            output = new FileStream(new SafeFileHandle(outFd, ownsHandle: true), FileAccess.Write, bufferSize: 0);

            // Not Console.OpenStandardError: setting up System.Console's own streams cost a fresh worker ~10 ms of CPU.
            error = new FileStream(new SafeFileHandle(2, ownsHandle: false), FileAccess.Write, bufferSize: 0);
        }

        // Until the serve loop takes Console.Out over (the user's prints go to the parent), it writes to stderr.
        Console.SetOut(new StreamWriter(error) { AutoFlush = true });

        // On Unix Console.Error is the inherited stderr as well, set here rather than built by System.Console on first
        // use: that reads the encoding from the locale and loads the globalization library (ICU), ~15 ms of CPU that
        // every worker paid as it exited (the exit flushes Console.Error).
        if (!OperatingSystem.IsWindows())
        {
            Console.SetError(new StreamWriter(error) { AutoFlush = true });
        }
        Console.SetIn(TextReader.Null);
        return (new BufferedStream(input, BufferSize), new BufferedStream(output, BufferSize));
    }

    /// <summary>Exits at once (no shutdown work that could delay it): the parent is gone or closed the channel.</summary>
    public static void ExitNow(int code) => ImmediateExit.Exit(code);

    private static IntPtr Private(int fd)
    {
        Check(fd, "dup");
        Check(Fcntl(fd, SetDescriptorFlags, CloseOnExec), "fcntl(FD_CLOEXEC)");
        return fd;
    }

    private static void Check(int result, string call)
    {
        if (result < 0)
        {
            throw new IOException($"{call} failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static partial int Dup(int fd);

    [LibraryImport("libc", EntryPoint = "dup2", SetLastError = true)]
    private static partial int Dup2(int fd, int target);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
