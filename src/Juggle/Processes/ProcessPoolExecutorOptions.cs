namespace Juggle;

/// <summary>Options for <see cref="ProcessPoolExecutor"/>.</summary>
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
