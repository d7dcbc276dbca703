using System.Runtime.InteropServices;

namespace Juggle.Internal;

/// <summary>
/// The task counts behind <see cref="ExecutorProgress"/>. A task that runs and finishes on one thread pool worker is
/// counted in that worker's own cells (<see cref="WorkerTaskCounts"/>): plain writes by their only writer, no
/// interlocked operation and no processor lookup on a task's path. Everything else (a future cancelled before it
/// started, async work completing on another thread, the process pool's reader) is counted in cells striped across
/// processors. Running is not counted on its own: it is the tasks started less those that finished after starting.
/// </summary>
internal sealed class TaskCounts
{
    private readonly Lock _workersLock = new();
    private WorkerTaskCounts[] _workers = [];

    public long NextId;
    public long Rejected;

    public StripedCounter Started { get; } = new();

    public StripedCounter Succeeded { get; } = new();

    public StripedCounter Failed { get; } = new();

    public StripedCounter Cancelled { get; } = new();

    /// <summary>Futures that finished without having started (cancelled or failed while pending).</summary>
    public StripedCounter EndedUnstarted { get; } = new();

    /// <summary>Adds a worker's cells to the sums (a worker's cells are never removed: its counts stay part of the totals).</summary>
    public void Add(WorkerTaskCounts worker)
    {
        lock (_workersLock)
        {
            Volatile.Write(ref _workers, [.. _workers, worker]);
        }
    }

    /// <summary>A future finished, counted in the shared cells.</summary>
    public void CountFinished(bool started, int finalState, bool failed)
    {
        if (!started)
        {
            // Before the outcome: a reader sums the outcomes first, so it never counts this finish without its correction.
            EndedUnstarted.Increment();
        }

        if (finalState == (int)FutureState.Cancelled)
        {
            Cancelled.Increment();
        }
        else if (failed)
        {
            Failed.Increment();
        }
        else
        {
            Succeeded.Increment();
        }
    }

    public ExecutorProgress Snapshot()
    {
        var workers = Volatile.Read(ref _workers);

        // Outcomes first, starts last: every finish read has its start written before it, so running is never negative.
        long succeeded = Succeeded.Value, failed = Failed.Value, cancelled = Cancelled.Value;
        foreach (var worker in workers)
        {
            succeeded += Volatile.Read(ref worker.Succeeded);
            failed += Volatile.Read(ref worker.Failed);
            cancelled += Volatile.Read(ref worker.Cancelled);
        }

        var finishedAfterStart = succeeded + failed + cancelled - EndedUnstarted.Value;
        var started = Started.Value;
        foreach (var worker in workers)
        {
            started += Volatile.Read(ref worker.Started);
        }

        var submitted = Volatile.Read(ref NextId) - Volatile.Read(ref Rejected);
        return new ExecutorProgress(submitted, Math.Max(0, started - finishedAfterStart), succeeded, failed, cancelled);
    }
}

/// <summary>
/// The counts of one worker thread, written only by that thread (so without interlocked operations) and read by
/// <see cref="TaskCounts.Snapshot"/>. Padded to sit alone on its cache lines: workers on different cores never write
/// the same line.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 192)]
internal sealed class WorkerTaskCounts
{
    [FieldOffset(64)]
    public long Started;

    [FieldOffset(72)]
    public long Succeeded;

    [FieldOffset(80)]
    public long Failed;

    [FieldOffset(88)]
    public long Cancelled;

    /// <summary>Called by the worker's own thread only.</summary>
    public void CountStarted() => Volatile.Write(ref Started, Started + 1);

    /// <summary>Called by the worker's own thread only, for a task it started.</summary>
    public void CountFinished(int finalState, bool failed)
    {
        if (finalState == (int)FutureState.Cancelled)
        {
            Volatile.Write(ref Cancelled, Cancelled + 1);
        }
        else if (failed)
        {
            Volatile.Write(ref Failed, Failed + 1);
        }
        else
        {
            Volatile.Write(ref Succeeded, Succeeded + 1);
        }
    }
}
