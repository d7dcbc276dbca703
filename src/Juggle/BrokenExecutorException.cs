namespace Juggle;

/// <summary>
/// The executor can no longer run tasks (Python's <c>BrokenExecutor</c>): an initializer failed, or its workers
/// could not be started. Pending futures fail with it and later submits throw it.
/// </summary>
public sealed class BrokenExecutorException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public BrokenExecutorException()
        : base("The executor is broken and cannot run tasks.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public BrokenExecutorException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the failure that broke the executor.</summary>
    public BrokenExecutorException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
