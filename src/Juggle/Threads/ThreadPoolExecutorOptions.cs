namespace Juggle;

/// <summary>Options for <see cref="ThreadPoolExecutor"/>.</summary>
public sealed class ThreadPoolExecutorOptions : ExecutorOptions
{
    /// <summary>The default worker count, Python's <c>min(32, os.cpu_count() + 4)</c>.</summary>
    public static int DefaultMaxWorkers => Math.Min(32, Environment.ProcessorCount + 4);

    /// <summary>Worker threads are named <c>{prefix}_{n}</c>; defaults to <c>ThreadPoolExecutor-{executor number}</c>.</summary>
    public string? ThreadNamePrefix { get; set; }

    /// <summary>Runs once on each worker thread before its first task. If it throws, the executor is broken.</summary>
    public Action? Initializer { get; set; }
}
