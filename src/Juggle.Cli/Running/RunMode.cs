namespace Juggle.Cli.Running;

/// <summary>How a command spreads its items over workers.</summary>
internal enum RunMode
{
    /// <summary>One item after another on the calling thread.</summary>
    Sequential,

    /// <summary>A <see cref="ThreadPoolExecutor"/>: blocking calls on dedicated worker threads.</summary>
    Threads,

    /// <summary>Async tasks, at most N in flight, no dedicated threads.</summary>
    Async,

    /// <summary>A process pool (one OS process per worker), for CPU-bound work.</summary>
    Processes,

    /// <summary>A cluster of worker nodes behind a RabbitMQ broker (<c>--broker</c>), for CPU-bound work on many machines.</summary>
    Cluster,
}
