namespace Juggle;

/// <summary>
/// The worker process running a task died (a crash, <c>Environment.FailFast</c>, a stack overflow, out of memory, or
/// a kill). Only the task(s) it was running fail with this; the pool starts a fresh worker and goes on.
/// </summary>
public sealed class WorkerCrashedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WorkerCrashedException()
        : base("The worker process running the task died.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public WorkerCrashedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public WorkerCrashedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with the process's details.</summary>
    public WorkerCrashedException(string message, int processId, int? exitCode, int? signal)
        : base(message)
    {
        ProcessId = processId;
        ExitCode = exitCode;
        Signal = signal;
    }

    /// <summary>The id of the worker process that died; 0 if unknown.</summary>
    public int ProcessId { get; }

    /// <summary>The process's exit code, if it exited; on Unix a death by signal N is reported as 128 + N.</summary>
    public int? ExitCode { get; }

    /// <summary>On Unix, the signal that killed the process (9 for <c>kill -9</c>, 6 for an abort such as FailFast or a stack overflow), if any.</summary>
    public int? Signal { get; }
}
