using System.Reflection;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace Juggle.RabbitMQ;

/// <summary>Options for <see cref="RabbitMqWorker"/>. Validated when the worker is created.</summary>
public sealed class RabbitMqWorkerOptions
{
    /// <summary>The broker, <c>amqp://user:password@host:5672/vhost</c> or <c>amqps://…</c>; <see langword="null"/> reads <c>JUGGLE_BROKER</c>.</summary>
    public Uri? Broker { get; set; }

    /// <summary>The task queue; the executors' default (<c>juggle.tasks</c>) unless both sides set another.</summary>
    public string QueueName { get; set; } = Internal.Wire.DefaultQueueName;

    /// <summary>Assemblies already loaded whose <c>[JuggleFunction]</c> methods this worker runs.</summary>
    public IList<Assembly> Assemblies { get; } = [];

    /// <summary>Paths of assemblies to load (with their dependencies, from their <c>.deps.json</c>) whose <c>[JuggleFunction]</c> methods this worker runs.</summary>
    public IList<string> AssemblyPaths { get; } = [];

    /// <summary>How many tasks run at once on this node; defaults to the processor count.</summary>
    public int? Concurrency { get; set; }

    /// <summary>
    /// Run tasks in a process pool of this many processes on this node instead of on threads: a task that crashes
    /// its process fails alone and <see cref="TaskTimeout"/> stops a task by force. <see langword="null"/> runs on threads.
    /// </summary>
    public int? Processes { get; set; }

    /// <summary>How many tasks the broker sends ahead to this node; defaults to <see cref="Concurrency"/> (one per slot, so a dying node holds few tasks).</summary>
    public int? Prefetch { get; set; }

    /// <summary>With <see cref="Processes"/>: the longest a task may run before its process is killed and the task fails with <see cref="TimeoutException"/>.</summary>
    public TimeSpan? TaskTimeout { get; set; }

    /// <summary>How long the worker waits for the submitting client to allow a task to start before handing it back to the queue. Default 30 s.</summary>
    public TimeSpan ClaimTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The largest task message and answer in bytes; larger tasks are dead-lettered, larger results fail their task. Default 16 MiB.</summary>
    public int MaxMessageSize { get; set; } = RabbitMqExecutorOptions.DefaultMaxMessageSize;

    /// <summary>The AMQP heartbeat; a frozen node is dropped by the broker after about twice this and its tasks go to other nodes. Default 10 s.</summary>
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long connecting may take before <see cref="BrokerConnectionException"/>. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>TLS settings for <c>amqps://</c>.</summary>
    public SslOption? Tls { get; set; }

    /// <summary>The node's name in logs and in the exceptions of tasks it ran; defaults to <c>host:pid</c>.</summary>
    public string? NodeName { get; set; }

    /// <summary>Where the worker logs what it does (never credentials).</summary>
    public ILogger? Logger { get; set; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        Internal.OptionChecks.QueueName(QueueName, nameof(QueueName));
        if (Assemblies.Count == 0 && AssemblyPaths.Count == 0)
        {
            throw new ArgumentException("Give the worker at least one assembly whose [JuggleFunction] methods it may run (Assemblies or AssemblyPaths; --assembly on the command line).", nameof(AssemblyPaths));
        }

        if (Concurrency is < 1 or > 4096)
        {
            throw new ArgumentOutOfRangeException(nameof(Concurrency), Concurrency, "Concurrency must be between 1 and 4096.");
        }

        if (Processes is < 1 or > 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(Processes), Processes, "Processes must be between 1 and 1024 (or null to run tasks on threads).");
        }

        if (Prefetch is < 1 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(Prefetch), Prefetch, "Prefetch must be between 1 and 65535.");
        }

        if (TaskTimeout is { } timeout && (timeout <= TimeSpan.Zero || timeout.TotalMilliseconds > int.MaxValue - 1))
        {
            throw new ArgumentOutOfRangeException(nameof(TaskTimeout), timeout, "TaskTimeout must be positive and at most about 24 days (or null for no limit).");
        }

        if (TaskTimeout is not null && Processes is null)
        {
            throw new ArgumentException("TaskTimeout needs Processes: only a task in its own process can be stopped by force. Set Processes, or use the executor's TaskTimeout.", nameof(TaskTimeout));
        }

        Internal.OptionChecks.Positive(ClaimTimeout, nameof(ClaimTimeout));
        Internal.OptionChecks.MessageSize(MaxMessageSize, nameof(MaxMessageSize));
        Internal.OptionChecks.Heartbeat(Heartbeat, nameof(Heartbeat));
        Internal.OptionChecks.Positive(ConnectTimeout, nameof(ConnectTimeout));
        if (NodeName is { Length: 0 or > 200 })
        {
            throw new ArgumentException("NodeName must be 1 to 200 characters (or null for host:pid).", nameof(NodeName));
        }
    }
}
