using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Juggle.Internal;
using Juggle.RabbitMQ.Internal;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Juggle.RabbitMQ;

/// <summary>
/// An executor that runs tasks on worker nodes through a RabbitMQ broker (the cluster executor). Functions are
/// public static <c>[JuggleFunction]</c> methods with JSON arguments and results, as for the process pool; workers
/// (<see cref="RabbitMqWorker"/> or <c>juggle worker</c>) load their assemblies and run them.
/// </summary>
/// <remarks>
/// <para>Delivery is at least once: a worker acknowledges a task only after its answer is confirmed by the broker,
/// so a worker that dies or freezes mid-task has its tasks redelivered to another worker. <b>A task may therefore run
/// more than once</b>; its future completes exactly once (with the first answer), later answers are ignored.</para>
/// <para>A worker asks this executor before it starts each task (a claim): the future moves to running only then, a
/// cancelled future's task is refused (so <see cref="Future.Cancel"/> of a queued task is reliable even though the
/// message is already on the broker), and deaths are counted only for tasks that had started (see
/// <see cref="PoisonTaskException"/>). <see cref="Executor.MaxWorkers"/> bounds the tasks in flight on the broker.</para>
/// </remarks>
public sealed partial class RabbitMqExecutor : Executor
{
    /// <summary>The <see cref="Exception.Data"/> key holding the name of the node that ran a failed task.</summary>
    public const string NodeDataKey = "Juggle.Node";

    private const int PublishBatch = 1024;

    [ThreadStatic]
    private static RabbitMqExecutor? t_ownThread;

    private readonly object _lock = new();
    private readonly LinkedList<ClusterCall> _pending = new();
    private readonly Dictionary<long, ClusterCall> _inFlight = [];
    private readonly TaskCompletionSource _allDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly WaitQueue<ReplyEvent> _events = new();
    private readonly SemaphoreSlim _controlGate = new(1, 1);
    private readonly Uri _broker;
    private readonly string _queue;
    private readonly string _replyQueue;
    private readonly string _clientId;
    private readonly int _poisonLimit;
    private readonly int _maxMessageSize;
    private readonly TimeSpan? _taskTimeout;
    private readonly TimeSpan _reconnectTimeout;
    private readonly IConnection _connection;
    private readonly IChannel _publishChannel;
    private readonly IChannel _controlChannel;
    private readonly IChannel _replyChannel;
    private readonly Thread _dispatcher;
    private readonly Thread _eventLoop;
    private bool _shutdown;
    private bool _republish;
    private long _disconnectedAt;
    private long _taskMessages;
    private bool _paused;

    /// <summary>Creates a cluster executor on the broker at <paramref name="broker"/> (<c>amqp://user:password@host:5672/vhost</c>).</summary>
    /// <param name="broker">The broker; <see langword="null"/> reads the <c>JUGGLE_BROKER</c> environment variable.</param>
    /// <param name="maxWorkers">The most tasks in flight on the broker at once (default 256). Must be positive.</param>
    /// <exception cref="BrokerConnectionException">The broker cannot be reached or refuses the credentials.</exception>
    public RabbitMqExecutor(Uri? broker, int? maxWorkers = null)
        : this(CreateOptions(broker, maxWorkers))
    {
    }

    /// <summary>Creates a cluster executor from options; connects to the broker and declares the task queue.</summary>
    /// <exception cref="BrokerConnectionException">The broker cannot be reached or refuses the credentials.</exception>
    public RabbitMqExecutor(RabbitMqExecutorOptions options)
        : base(options, RabbitMqExecutorOptions.DefaultMaxTasksInFlight, "RabbitMqExecutor")
    {
        _broker = BrokerUri.Resolve(options.Broker, nameof(options.Broker));
        _queue = options.QueueName;
        _poisonLimit = options.PoisonLimit;
        _maxMessageSize = options.MaxMessageSize;
        _taskTimeout = options.TaskTimeout;
        _reconnectTimeout = options.ReconnectTimeout;
        _clientId = Guid.NewGuid().ToString("N");
        _replyQueue = $"juggle.reply.{_clientId}";

        var factory = BrokerUri.CreateFactory(_broker, options.Tls, options.Heartbeat, options.ConnectTimeout, $"juggle-client {Name} {Environment.MachineName}:{Environment.ProcessId}");
        try
        {
            _connection = BrokerUri.ConnectAsync(factory, _broker, options.ConnectTimeout, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch
        {
            AbandonUnstarted();
            throw;
        }

        try
        {
            (_publishChannel, _controlChannel, _replyChannel) = OpenChannelsAsync().GetAwaiter().GetResult();
        }
        catch
        {
            _connection.Dispose();
            AbandonUnstarted();
            throw;
        }

        _connection.ConnectionShutdownAsync += (_, _) =>
        {
            Interlocked.CompareExchange(ref _disconnectedAt, Stopwatch.GetTimestamp(), 0);
            return Task.CompletedTask;
        };
        _connection.RecoverySucceededAsync += (_, _) =>
        {
            Volatile.Write(ref _disconnectedAt, 0);
            lock (_lock)
            {
                // Answers sent while this client was away found no reply queue: send every unfinished task again.
                _republish = true;
                Monitor.PulseAll(_lock);
            }

            return Task.CompletedTask;
        };

        _dispatcher = new Thread(DispatchLoop) { IsBackground = true, Name = $"{Name}-dispatch" };
        _eventLoop = new Thread(EventLoop) { IsBackground = true, Name = $"{Name}-answers" };
        _dispatcher.Start();
        _eventLoop.Start();
    }

    /// <inheritdoc/>
    public override bool IsShutdown
    {
        get
        {
            lock (_lock)
            {
                return _shutdown;
            }
        }
    }

    /// <summary>The broker this executor uses, with its password replaced by <c>***</c>.</summary>
    public string Broker => BrokerUri.Redact(_broker);

    /// <summary>The task queue.</summary>
    public string QueueName => _queue;

    private protected override int DefaultMapBufferSize => 2 * MaxWorkers;

    private protected override bool OnOwnWorker => t_ownThread == this;

    private protected override void ValidateWork<T>(WorkItem<T> work)
    {
        var call = ClusterCall.Prepare(work);
        var size = call.Function.DefineFrame.Length + call.PayloadLength + 64;
        if (size > _maxMessageSize)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The task's arguments take {size:N0} bytes, more than the message size limit of {_maxMessageSize:N0} bytes (RabbitMqExecutorOptions.MaxMessageSize). Pass a reference to the data (a path or URL) instead, or raise the limit on both sides."),
                work is IMapChunk ? "source" : "arg");
        }

        t_prepared = call;
    }

    private protected override void SubmitCore(Future future)
    {
        var call = t_prepared;
        t_prepared = null;
        if (call is null || !call.Matches(future))
        {
            throw new InvalidOperationException("Internal error: the cluster executor received work it did not validate.");
        }

        call.Attach(future);
        call.Owner = this;
        call.TraceParent = Activity.Current?.Id;
        call.BuildBody();
        lock (_lock)
        {
            if (_shutdown)
            {
                throw new InvalidOperationException($"Cannot submit to executor '{Name}' after shutdown.");
            }

            call.PendingNode = _pending.AddLast(call);
            Monitor.PulseAll(_lock);
        }

        future.AddListener(call);
    }

    private protected override void ShutdownCore(bool cancelFutures)
    {
        List<ClusterCall>? cancel = null;
        lock (_lock)
        {
            _shutdown = true;
            if (cancelFutures)
            {
                // Published tasks not yet claimed are pending too: cancelled here, their claims are refused.
                cancel = [.. _pending, .. _inFlight.Values];
            }

            Monitor.PulseAll(_lock);
        }

        if (cancel is not null)
        {
            foreach (var call in cancel)
            {
                call.Future.TryCancelPending();
            }
        }
    }

    private protected override void WaitForWorkers()
    {
        if (t_ownThread != this)
        {
            _allDone.Task.GetAwaiter().GetResult();
        }
    }

    private protected override Task WaitForWorkersAsync(CancellationToken cancellationToken) =>
        t_ownThread == this ? Task.CompletedTask : _allDone.Task.WaitAsync(cancellationToken);

    /// <summary>
    /// A constructor that failed leaves an executor nobody can shut down: without this, the process-exit wait for
    /// every live executor's work would wait for ever on its dispatcher, which never started.
    /// </summary>
    private void AbandonUnstarted()
    {
        lock (_lock)
        {
            _shutdown = true;
        }

        _events.Dispose();
        _controlGate.Dispose();
        _allDone.TrySetResult();
        ExitWait.Unregister(this);
    }

    private static RabbitMqExecutorOptions CreateOptions(Uri? broker, int? maxWorkers)
    {
        if (maxWorkers is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxWorkers), maxWorkers, "maxWorkers must be greater than 0.");
        }

        return new RabbitMqExecutorOptions { Broker = broker, MaxWorkers = maxWorkers };
    }

    private async Task<(IChannel Publish, IChannel Control, IChannel Reply)> OpenChannelsAsync()
    {
        var publish = await _connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)).ConfigureAwait(false);
        await Wire.DeclareTaskQueueAsync(publish, _queue, CancellationToken.None).ConfigureAwait(false);
        var control = await _connection.CreateChannelAsync().ConfigureAwait(false);
        var reply = await _connection.CreateChannelAsync().ConfigureAwait(false);
        await reply.QueueDeclareAsync(_replyQueue, durable: false, exclusive: true, autoDelete: true).ConfigureAwait(false);
        var consumer = new AsyncEventingBasicConsumer(reply);
        consumer.ReceivedAsync += OnReplyAsync;
        await reply.BasicConsumeAsync(_replyQueue, autoAck: true, consumer).ConfigureAwait(false);
        return (publish, control, reply);
    }

    /// <summary>
    /// Decides a claim batch at once, here on the client library's delivery thread: a worker waits for this answer
    /// before it starts the task, and a hand-off to the event loop and back would cost two thread switches per batch.
    /// Copies an answer batch off that thread instead: the event loop completes the futures (user callbacks run there).
    /// </summary>
    private Task OnReplyAsync(object sender, BasicDeliverEventArgs delivery)
    {
        var properties = delivery.BasicProperties;
        var type = properties.Type;
        if (type == Wire.Claim)
        {
            OnClaims(Wire.GetString(properties, Wire.ControlHeader), Wire.GetString(properties, Wire.NodeHeader) ?? "?", Wire.GetInt64(properties, Wire.SlotsHeader), delivery.Body.Span);
            return Task.CompletedTask;
        }

        if (type != Wire.Answer)
        {
            return Task.CompletedTask;
        }

        try
        {
            _events.Add(new ReplyEvent(Wire.GetString(properties, Wire.NodeHeader) ?? "?", delivery.Body.ToArray()));
        }
        catch (InvalidOperationException)
        {
            // Shut down: nothing waits for it.
        }

        return Task.CompletedTask;
    }

    /// <summary>An answer batch, as received.</summary>
    private sealed record ReplyEvent(string Node, byte[] Body);
}
