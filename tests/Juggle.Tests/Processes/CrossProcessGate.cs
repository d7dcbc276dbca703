using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Juggle.Tests;

/// <summary>
/// A start/release handshake that works across processes: two Unix FIFOs in a temp directory, named by
/// <see cref="Path"/>. A task calls <see cref="SignalStartedAndWaitForRelease"/> with the path (a plain string, so it
/// can be shipped to a worker process); the test calls <see cref="WaitStarted"/> and <see cref="Release"/>.
/// </summary>
/// <remarks>
/// Release works like a semaphore: a release sent before the task arrives is kept. Disposing deletes the directory
/// and closes the gate's ends, which makes every task still blocked on it fail at once (end of file), so a failing
/// test never leaves a worker hanging.
/// </remarks>
public sealed class CrossProcessGate : IDisposable
{
    private const string StartedFile = "started";
    private const string ReleaseFile = "release";
    private static readonly TimeSpan DefaultTaskWait = TimeSpan.FromSeconds(30);

    private readonly object _startedLock = new();
    private readonly object _releaseLock = new();
    private int _startedFd = -1;
    private int _releaseFd = -1;
    private bool _disposed;

    /// <summary>Creates the directory and both FIFOs, and holds both open (read and write) so peers never block on open.</summary>
    public CrossProcessGate()
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("CrossProcessGate uses Unix FIFOs (mkfifo).");
        }

        Path = Directory.CreateTempSubdirectory("juggle-gate-").FullName;
        try
        {
            MakeFifo(System.IO.Path.Combine(Path, StartedFile));
            MakeFifo(System.IO.Path.Combine(Path, ReleaseFile));
            _startedFd = OpenOrThrow(System.IO.Path.Combine(Path, StartedFile), LibC.ORdWr);
            _releaseFd = OpenOrThrow(System.IO.Path.Combine(Path, ReleaseFile), LibC.ORdWr);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The gate's directory; pass it to the task.</summary>
    public string Path { get; }

    /// <summary>
    /// The task side: signals "started", then blocks until the test releases it (one release per call).
    /// Throws <see cref="InvalidOperationException"/> if the gate is gone (disposed) and <see cref="TimeoutException"/>
    /// after <paramref name="maxWait"/> (default 30 s), so a forgotten gate cannot hang a worker for ever.
    /// </summary>
    public static void SignalStartedAndWaitForRelease(string gatePath, TimeSpan? maxWait = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(gatePath);
        var wait = maxWait ?? DefaultTaskWait;

        // Non-blocking opens: for reading, never blocks; for writing, fails with ENXIO at once if the gate no longer
        // holds the read end. The release end is opened first, so once "started" is seen, a dispose fails this task
        // with end of file rather than "gone". The read waits with poll(), which sleeps in the kernel until data or EOF.
        var release = Open(System.IO.Path.Combine(gatePath, ReleaseFile), LibC.ORdOnly | ONonBlock);
        if (release < 0)
        {
            throw new InvalidOperationException($"Gate '{gatePath}' is gone (open release: errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            var started = Open(System.IO.Path.Combine(gatePath, StartedFile), LibC.OWrOnly | ONonBlock);
            if (started < 0)
            {
                throw new InvalidOperationException($"Gate '{gatePath}' is gone (open started: errno {Marshal.GetLastPInvokeError()}).");
            }

            try
            {
                WriteBytes(started, 1);
            }
            finally
            {
                _ = LibC.Close(started);
            }

            switch (ReadBytes(release, 1, wait))
            {
                case 1:
                    return;
                case 0:
                    throw new TimeoutException($"Gate '{gatePath}' was not released within {wait.TotalSeconds} s.");
                default:
                    throw new InvalidOperationException($"Gate '{gatePath}' was disposed before it released this task.");
            }
        }
        finally
        {
            _ = LibC.Close(release);
        }
    }

    /// <summary>Waits until <paramref name="count"/> more tasks have signalled "started"; <see langword="false"/> on timeout.</summary>
    public bool WaitStarted(TimeSpan timeout, int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        lock (_startedLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return ReadBytes(_startedFd, count, timeout) == count;
        }
    }

    /// <summary>Lets <paramref name="count"/> tasks through (now, or as soon as they arrive).</summary>
    public void Release(int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        lock (_releaseLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            WriteBytes(_releaseFd, count);
        }
    }

    /// <summary>Deletes the FIFOs and closes the gate's ends: tasks still waiting fail at once.</summary>
    public void Dispose()
    {
        lock (_startedLock)
        lock (_releaseLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: the temp dir is cleaned by the OS eventually.
            }

            if (_releaseFd >= 0)
            {
                _ = LibC.Close(_releaseFd);
            }

            if (_startedFd >= 0)
            {
                _ = LibC.Close(_startedFd);
            }
        }
    }

    private static int ONonBlock => OperatingSystem.IsMacOS() ? 0x4 : 0x800;

    private static void MakeFifo(string path)
    {
        if (LibC.MkFifo(path, Convert.ToUInt32("600", 8)) != 0)
        {
            throw new IOException($"mkfifo({path}) failed: errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    private static int Open(string path, int flags) => LibC.Open(path, flags | LibC.OCloExec);

    private static int OpenOrThrow(string path, int flags)
    {
        var fd = Open(path, flags);
        return fd >= 0 ? fd : throw new IOException($"open({path}) failed: errno {Marshal.GetLastPInvokeError()}.");
    }

    private static unsafe void WriteBytes(int fd, int count)
    {
        var buffer = stackalloc byte[1];
        buffer[0] = (byte)'x';
        for (var written = 0; written < count;)
        {
            var n = LibC.Write(fd, buffer, 1);
            if (n == 1)
            {
                written++;
            }
            else if (Marshal.GetLastPInvokeError() != LibC.EIntr)
            {
                throw new IOException($"write to gate failed: errno {Marshal.GetLastPInvokeError()}.");
            }
        }
    }

    /// <summary>Reads up to <paramref name="count"/> bytes before the deadline: returns how many, or -1 at end of file.</summary>
    private static unsafe int ReadBytes(int fd, int count, TimeSpan timeout)
    {
        var started = Stopwatch.GetTimestamp();
        var buffer = stackalloc byte[1];
        var read = 0;
        while (read < count)
        {
            var left = timeout == Timeout.InfiniteTimeSpan ? -1 : (int)Math.Max(0, Math.Ceiling((timeout - Stopwatch.GetElapsedTime(started)).TotalMilliseconds));
            var pfd = new LibC.PollFd { Fd = fd, Events = LibC.PollIn };
            var ready = LibC.Poll(&pfd, 1, left);
            if (ready < 0)
            {
                if (Marshal.GetLastPInvokeError() == LibC.EIntr)
                {
                    continue;
                }

                throw new IOException($"poll on gate failed: errno {Marshal.GetLastPInvokeError()}.");
            }

            if (ready == 0)
            {
                return read; // timed out
            }

            var n = LibC.Read(fd, buffer, 1);
            if (n == 1)
            {
                read++;
            }
            else if (n == 0)
            {
                return -1; // every writer closed: the gate was disposed
            }
            else
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno != LibC.EIntr && errno != EAgain)
                {
                    throw new IOException($"read from gate failed: errno {errno}.");
                }
            }
        }

        return read;
    }

    private static int EAgain => OperatingSystem.IsMacOS() ? 35 : 11;
}
