using RabbitMQ.Client;

namespace Juggle.RabbitMQ;

/// <summary>Options for <see cref="RabbitMqExecutor"/>. <see cref="ExecutorOptions.MaxWorkers"/> is the most tasks in flight on the broker at once.</summary>
public sealed class RabbitMqExecutorOptions : ExecutorOptions
{
    /// <summary>The default number of tasks in flight: 256.</summary>
    public const int DefaultMaxTasksInFlight = 256;

    /// <summary>The task queue an executor and a worker use when neither is told otherwise: <c>juggle.tasks</c>.</summary>
    public const string DefaultQueueName = Internal.Wire.DefaultQueueName;

    /// <summary>The default <see cref="PoisonLimit"/>: 3.</summary>
    public const int DefaultPoisonLimit = 3;

    /// <summary>The default <see cref="MaxMessageSize"/>: 16 MiB.</summary>
    public const int DefaultMaxMessageSize = 16 << 20;

    /// <summary>
    /// The broker, <c>amqp://user:password@host:5672/vhost</c> or <c>amqps://…</c>; <see langword="null"/> reads the
    /// <c>JUGGLE_BROKER</c> environment variable. The password is never logged nor put in an exception message.
    /// </summary>
    public Uri? Broker { get; set; }

    /// <summary>The task queue; workers must consume the same one. Defaults to <c>juggle.tasks</c>, the workers' default too.</summary>
    public string QueueName { get; set; } = Internal.Wire.DefaultQueueName;

    /// <summary>
    /// The longest a task may run once a worker started it; past it the future fails with <see cref="TimeoutException"/>
    /// and the worker is asked to cancel it. <see langword="null"/> for no limit. (Workers running tasks in processes
    /// also stop them by force; see <see cref="RabbitMqWorkerOptions.TaskTimeout"/>.)
    /// </summary>
    public TimeSpan? TaskTimeout { get; set; }

    /// <summary>How many times a task may be running on a worker that dies before its future fails with <see cref="PoisonTaskException"/>.</summary>
    public int PoisonLimit { get; set; } = DefaultPoisonLimit;

    /// <summary>The largest task message (function reference and arguments) in bytes; larger ones are refused at <c>Submit</c>.</summary>
    public int MaxMessageSize { get; set; } = DefaultMaxMessageSize;

    /// <summary>TLS settings for <c>amqps://</c> (server name, client certificate, accepted policy errors); the URI's scheme enables TLS.</summary>
    public SslOption? Tls { get; set; }

    /// <summary>The AMQP heartbeat: a silent connection is considered dead after about twice this. Default 10 s.</summary>
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long connecting may take before <see cref="BrokerConnectionException"/>. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long the executor waits for a lost broker connection to come back; past it, every unfinished future fails
    /// with <see cref="BrokerConnectionException"/> instead of waiting for ever. Default 60 s.
    /// </summary>
    public TimeSpan ReconnectTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        Internal.OptionChecks.QueueName(QueueName, nameof(QueueName));
        if (TaskTimeout is { } timeout && (timeout <= TimeSpan.Zero || timeout.TotalMilliseconds > int.MaxValue - 1))
        {
            throw new ArgumentOutOfRangeException(nameof(TaskTimeout), timeout, "TaskTimeout must be positive and at most about 24 days (or null for no limit).");
        }

        if (PoisonLimit < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(PoisonLimit), PoisonLimit, "PoisonLimit must be at least 1.");
        }

        Internal.OptionChecks.MessageSize(MaxMessageSize, nameof(MaxMessageSize));
        Internal.OptionChecks.Heartbeat(Heartbeat, nameof(Heartbeat));
        Internal.OptionChecks.Positive(ConnectTimeout, nameof(ConnectTimeout));
        Internal.OptionChecks.Positive(ReconnectTimeout, nameof(ReconnectTimeout));
    }
}
