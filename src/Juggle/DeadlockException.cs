namespace Juggle;

/// <summary>
/// A task waited, from inside a worker, on a future of its own executor that can never complete: the two futures
/// wait on each other (a cycle), or every worker is blocked so the awaited task can never start (starvation).
/// CPython hangs forever in both cases; Juggle fails the waiting task instead.
/// </summary>
/// <remarks>
/// <para>
/// Detected by <see cref="ThreadPoolExecutor"/> for waits without a timeout made by one of its workers on its own
/// futures: <see cref="Future{T}.Result(TimeSpan?)"/>, <see cref="Future.Wait(TimeSpan?)"/>,
/// <see cref="Future.GetException(TimeSpan?)"/>, <see cref="Futures.Wait{TFuture}"/> (with
/// <see cref="ReturnWhen.AllCompleted"/> the wait is hopeless if any of the futures can never finish; with
/// <see cref="ReturnWhen.FirstCompleted"/> or <see cref="ReturnWhen.FirstException"/> only if none of the unfinished
/// ones can, checked again after each completion) and each step of <see cref="Futures.AsCompleted{TFuture}"/> (hopeless
/// if none of the futures not yet yielded can finish), and a <c>Map</c> consumed inside a task.
/// </para>
/// <para>
/// Not detected: waits with a timeout; <c>await</c> (no thread is blocked, including <see cref="Futures.WaitAsync{TFuture}"/>
/// and <see cref="Futures.AsCompletedAsync{TFuture}"/>); waits on futures of another executor (they count as able to
/// finish), so cycles across executors; waits on anything else (locks, events, tasks) inside the tasks involved;
/// and the process pool. The exception is thrown in the waiter whose wait closes the loop, when it starts waiting (or,
/// for <c>FirstException</c>, when a completion leaves only futures that cannot finish).
/// </para>
/// </remarks>
public sealed class DeadlockException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public DeadlockException()
        : this("Deadlock detected.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public DeadlockException(string message)
        : this(message, null)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public DeadlockException(string message, Exception? innerException)
        : base(message, innerException)
    {
        TaskIds = [];
    }

    internal DeadlockException(string message, bool isCycle, IReadOnlyList<long> taskIds)
        : base(message)
    {
        IsCycle = isCycle;
        TaskIds = taskIds;
    }

    /// <summary><see langword="true"/> when tasks wait on each other; <see langword="false"/> for worker starvation.</summary>
    public bool IsCycle { get; }

    /// <summary>The ids (<see cref="Future.Id"/>) of the tasks involved, starting with the waiting one.</summary>
    public IReadOnlyList<long> TaskIds { get; }
}
