namespace Juggle;

/// <summary>Options for <see cref="ProcessPoolExecutor"/>.</summary>
/// <remarks>
/// Limits on what crosses to and from a worker (not options; stated here so they are not discovered by surprise): one
/// call (all its arguments) and one answer (a result, or all the results of a <c>Map</c> chunk) are each one JSON
/// message of at most <see cref="ProcessPoolExecutor.MaxMessageSize"/> (1 GiB), and System.Text.Json writes no string
/// longer than 166,666,666 characters (about 160 MiB) nor byte array longer than about 125 MB. Arguments past a limit
/// make <c>Submit</c>/<c>Map</c> throw <see cref="ArgumentException"/>; a result past one fails its task with an error
/// saying it could not be sent back and naming the limit. What tasks print with <see cref="Console.Out"/> is written
/// to this process's standard output, in whole lines, before the task's future completes.
/// </remarks>
public sealed class ProcessPoolExecutorOptions : ExecutorOptions
{
    /// <summary>The default worker count: the processor count.</summary>
    public static int DefaultMaxWorkers => Environment.ProcessorCount;

    /// <summary>A static method run in each worker process before its first task; if it throws, the executor is broken.</summary>
    public Action? Initializer { get; set; }

    /// <summary>Recycle a worker process after it ran this many tasks (Python's <c>max_tasks_per_child</c>); <see langword="null"/> never recycles.</summary>
    public int? MaxTasksPerChild { get; set; }

    /// <summary>
    /// The longest a task may run; past it, its worker process is killed and the task fails with
    /// <see cref="TimeoutException"/> (a fresh worker replaces it). <see langword="null"/> for no limit.
    /// </summary>
    public TimeSpan? TaskTimeout { get; set; }

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        if (MaxTasksPerChild is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxTasksPerChild), MaxTasksPerChild, "MaxTasksPerChild must be greater than 0 (or null to never recycle workers).");
        }

        if (TaskTimeout is { } timeout && (timeout <= TimeSpan.Zero || timeout.TotalMilliseconds > int.MaxValue - 1))
        {
            throw new ArgumentOutOfRangeException(nameof(TaskTimeout), timeout, "TaskTimeout must be positive and at most about 24 days (or null for no limit).");
        }
    }
}
