namespace Juggle.RabbitMQ;

/// <summary>
/// A task was running each time its worker died (killed, crashed or lost its connection), as many times as the
/// executor's <see cref="RabbitMqExecutorOptions.PoisonLimit"/>: it is not run again. Only tasks that had started
/// count; tasks merely waiting on the dying worker are redelivered without blame.
/// </summary>
public sealed class PoisonTaskException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PoisonTaskException()
        : base("The task's worker died every time it ran it.")
    {
        Nodes = [];
    }

    /// <summary>Creates the exception with a message.</summary>
    public PoisonTaskException(string message)
        : base(message)
    {
        Nodes = [];
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public PoisonTaskException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Nodes = [];
    }

    /// <summary>Creates the exception for task <paramref name="taskId"/>, listing the nodes whose workers died running it.</summary>
    public PoisonTaskException(long taskId, IReadOnlyList<string> nodes)
        : base($"Task {taskId} was running on a worker that died {nodes.Count} time(s) (on {string.Join(", ", nodes)}); it is poison and will not run again.")
    {
        TaskId = taskId;
        Nodes = nodes;
    }

    /// <summary>The future's id.</summary>
    public long TaskId { get; }

    /// <summary>How many workers died running the task.</summary>
    public int Deaths => Nodes.Count;

    /// <summary>The node names of the workers that died running it, in order.</summary>
    public IReadOnlyList<string> Nodes { get; }
}
