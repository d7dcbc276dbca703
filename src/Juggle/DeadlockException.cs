namespace Juggle;

/// <summary>
/// A task waited, from inside a worker, on a future of its own executor that can never complete: the two futures
/// wait on each other (a cycle), or every worker is blocked so the awaited task can never start (starvation).
/// CPython hangs forever in both cases; Juggle fails the waiting task instead.
/// </summary>
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
