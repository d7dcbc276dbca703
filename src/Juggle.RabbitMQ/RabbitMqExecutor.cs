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
        _dispatcher.Start();
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

    /// <summary>
    /// The client library's delivery thread completes futures (and the dispatcher may fail one): the user's callbacks
    /// and progress handler run elsewhere, so none of them can hold up the claims and answers behind it.
    /// </summary>
    internal override bool MustDeferUserCode => t_ownThread == this;

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
        bool direct;
        lock (_lock)
        {
            if (_shutdown)
            {
                throw new InvalidOperationException($"Cannot submit to executor '{Name}' after shutdown.");
            }

            // A task with nothing else in flight goes from here: waking the dispatcher to send it would cost a thread
            // hand-off on the round trip of one task at a time. Anything busier goes through the dispatcher, which
            // builds envelopes from the backlog.
            direct = _pending.Count == 0 && _inFlight.Count == 0 && !_paused && !_republish && !HasRateLimiter;
            if (direct)
            {
                _inFlight[call.TaskId] = call;
            }
            else
            {
                call.PendingNode = _pending.AddLast(call);
                Monitor.PulseAll(_lock);
            }
        }

        future.AddListener(call);
        if (direct)
        {
            PublishFromSubmitter(call);
        }
    }

    /// <summary>
    /// Sends a task as the dispatcher would: outside the submitter's context, so the client library's publish (and its
    /// confirm) neither joins the submitter's trace nor carries its async-local state.
    /// </summary>
    private void PublishFromSubmitter(ClusterCall call)
    {
        var current = Activity.Current;
        Activity.Current = null;
        try
        {
            if (ExecutionContext.IsFlowSuppressed())
            {
                _ = PublishAsync(call);
            }
            else
            {
                using (ExecutionContext.SuppressFlow())
                {
                    _ = PublishAsync(call);
                }
            }
        }
        finally
        {
            Activity.Current = current;
        }
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

    // Then for the callbacks and progress reports the last answers queued, as Python's shutdown(wait=True) returns after them.
    private protected override void WaitForWorkers()
    {
        if (t_ownThread != this)
        {
            _allDone.Task.GetAwaiter().GetResult();
            UserCodeDrained().GetAwaiter().GetResult();
        }
    }

    private protected override async Task WaitForWorkersAsync(CancellationToken cancellationToken)
    {
        if (t_ownThread != this)
        {
            await _allDone.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            await UserCodeDrained().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

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
    /// Decides a claim batch and completes the futures of an answer batch at once, here on the client library's delivery
    /// thread: a hand-off to another thread would cost a thread switch on every round trip (a worker waits for its
    /// grant, a caller of <c>Result</c> for its answer). User code never runs here (see <see cref="MustDeferUserCode"/>).
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

        OnAnswers(Wire.GetString(properties, Wire.NodeHeader) ?? "?", delivery.Body);
        return Task.CompletedTask;
    }
}
