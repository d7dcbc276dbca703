using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Juggle.RabbitMQ.Internal;
using Juggle.Remoting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Juggle.RabbitMQ;

/// <summary>
/// A worker node: takes tasks from the broker's queue and runs the <c>[JuggleFunction]</c> methods of its
/// assemblies, on threads or in a process pool on this machine. Host it in your own service with
/// <see cref="RunAsync"/>, or run <c>juggle worker</c>.
/// </summary>
/// <remarks>
/// Before running a task the worker asks the submitting executor (a claim); it runs the task only if the executor
/// still wants it, acknowledges it only after the answer is confirmed by the broker, and drops tasks whose executor is
/// gone. A task redelivered after a node died runs alone on its node, so a poison task cannot take innocent tasks
/// down with it again. Stopping stops taking tasks, finishes the running ones and hands back the rest.
/// </remarks>
public sealed partial class RabbitMqWorker : IDisposable, IAsyncDisposable
{
    private readonly Uri _broker;
    private readonly RabbitMqWorkerOptions _options;
    private readonly FunctionCatalog _catalog;
    private readonly ILogger _logger;
    private readonly int _concurrency;
    private readonly WaitQueue<Delivery> _inbox = new();
    private readonly ConcurrentDictionary<long, WaitSlot<ClaimOutcome>> _claims = new();
    private readonly ConcurrentDictionary<long, CancellationTokenSource> _running = new();
    private readonly ReaderWriterLockSlim _isolation = new();
    private readonly SemaphoreSlim _reruns = new(1, 1);
    private readonly SemaphoreSlim _ackGate = new(1, 1);
    private readonly string _controlQueue;
    private readonly ProcessPoolExecutor? _processes;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _nextClaim;
    private long _completed;
    private long _failed;
    private int _started;
    private IConnection? _connection;
    private IChannel? _taskChannel;
    private IChannel? _publishChannel;
    private string? _consumerTag;

    /// <summary>Creates a worker; loads its assemblies (throws <see cref="ArgumentException"/> naming a bad option or path).</summary>
    public RabbitMqWorker(RabbitMqWorkerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _broker = BrokerUri.Resolve(options.Broker, nameof(options.Broker));
        _logger = options.Logger ?? NullLogger.Instance;
        _concurrency = options.Concurrency ?? options.Processes ?? Environment.ProcessorCount;
        Node = options.NodeName ?? $"{Environment.MachineName}:{Environment.ProcessId}";
        _controlQueue = $"juggle.worker.{Guid.NewGuid():N}";
        ClaimOutbox = new Combiner<PendingClaim>(SendClaims);
        Answers = new Combiner<PendingAnswer>(SendAnswers);
        _catalog = new FunctionCatalog(options.Assemblies, options.AssemblyPaths, nameof(options.AssemblyPaths));
        if (options.Processes is { } processes)
        {
            _processes = new ProcessPoolExecutor(new ProcessPoolExecutorOptions { MaxWorkers = processes, TaskTimeout = options.TaskTimeout, Name = $"{Node}-processes" });
        }
    }

    /// <summary>This node's name, as shown in logs and in the exceptions of the tasks it ran.</summary>
    public string Node { get; }

    /// <summary>Completes once the worker is connected and takes tasks (faults if <see cref="RunAsync"/> fails to start).</summary>
    public Task Ready => _ready.Task;

    /// <summary>How many tasks this worker answered (successfully or not).</summary>
    public long TasksCompleted => Interlocked.Read(ref _completed);

    /// <summary>How many of <see cref="TasksCompleted"/> failed.</summary>
    public long TasksFailed => Interlocked.Read(ref _failed);

    /// <summary>
    /// Connects and runs tasks until <paramref name="cancellationToken"/> is cancelled; then stops taking tasks, lets the
    /// running ones finish, hands the others back to the queue and disconnects.
    /// </summary>
    /// <exception cref="BrokerConnectionException">The broker cannot be reached or refuses the credentials.</exception>
    /// <exception cref="InvalidOperationException">The worker already ran.</exception>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("A RabbitMqWorker runs once; create another one.");
        }

        var factory = BrokerUri.CreateFactory(_broker, _options.Tls, _options.Heartbeat, _options.ConnectTimeout, $"juggle-worker {Node}");
        try
        {
            _connection = await BrokerUri.ConnectAsync(factory, _broker, _options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _ready.TrySetException(ex);
            throw;
        }

        var threads = new List<Thread>();
        try
        {
            await OpenAsync(_connection, cancellationToken).ConfigureAwait(false);
            await StartStatusAsync(_connection, cancellationToken).ConfigureAwait(false);
            LogStarted();
            for (var i = 0; i < _concurrency; i++)
            {
                var thread = new Thread(RunLoop) { IsBackground = true, Name = $"juggle-node-{i}" };
                thread.Start();
                threads.Add(thread);
            }

            _ready.TrySetResult();

            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stop requested.
        }
        finally
        {
            _ready.TrySetCanceled(CancellationToken.None);
            await StopAsync(threads).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _processes?.Dispose();
        _isolation.Dispose();
        _reruns.Dispose();
        _ackGate.Dispose();
        _inbox.Dispose();
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_processes is not null)
        {
            await _processes.DisposeAsync().ConfigureAwait(false);
        }

        Dispose();
    }

    private async Task OpenAsync(IConnection connection, CancellationToken cancellationToken)
    {
        _publishChannel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken).ConfigureAwait(false);
        await OpenClaimChannelAsync(connection, cancellationToken).ConfigureAwait(false);
        var control = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await control.QueueDeclareAsync(_controlQueue, durable: false, exclusive: true, autoDelete: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        var controlConsumer = new AsyncEventingBasicConsumer(control);
        controlConsumer.ReceivedAsync += OnControlAsync;
        await control.BasicConsumeAsync(_controlQueue, autoAck: true, controlConsumer, cancellationToken).ConfigureAwait(false);

        _taskChannel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await Wire.DeclareTaskQueueAsync(_taskChannel, _options.QueueName, cancellationToken).ConfigureAwait(false);
        await _taskChannel.BasicQosAsync(0, (ushort)(_options.Prefetch ?? _concurrency), global: false, cancellationToken).ConfigureAwait(false);
        var consumer = new AsyncEventingBasicConsumer(_taskChannel);
        consumer.ReceivedAsync += OnTaskAsync;
        _consumerTag = await _taskChannel.BasicConsumeAsync(_options.QueueName, autoAck: false, consumer, cancellationToken).ConfigureAwait(false);
        connection.ConnectionShutdownAsync += (_, args) =>
        {
            if (args.Initiator != ShutdownInitiator.Application)
            {
                WorkerLog.ConnectionLost(_logger, Node, BrokerUri.Scrub(args.ReplyText, _broker));
            }

            return Task.CompletedTask;
        };
        connection.RecoverySucceededAsync += (_, _) =>
        {
            WorkerLog.Reconnected(_logger, Node, BrokerUri.Redact(_broker));
            return Task.CompletedTask;
        };
    }

    private void LogStarted() =>
        WorkerLog.Started(
            _logger,
            Node,
            BrokerUri.Redact(_broker),
            _options.QueueName,
            _concurrency,
            _processes is null ? "threads" : "processes",
            _catalog.CountFunctions(),
            string.Join(", ", _catalog.Assemblies.Select(a => a.GetName().Name)));

    /// <summary>Copies a delivery off the client library's thread (an envelope as one item per task); a runner thread takes it.</summary>
    private Task OnTaskAsync(object sender, BasicDeliverEventArgs delivery)
    {
        var properties = delivery.BasicProperties;
        var version = (int?)Wire.GetInt64(properties, Wire.VersionHeader);
        var body = delivery.Body.Length > _options.MaxMessageSize ? null : delivery.Body.ToArray();
        var item = new Delivery(delivery.DeliveryTag, delivery.Redelivered, properties.ReplyTo, properties.Type, version, ReadTrace(properties), body, delivery.Body.Length);
        Delivered(delivery.DeliveryTag);
        try
        {
            if (properties.Type == Wire.Calls && version == Wire.Version && body is not null && !string.IsNullOrEmpty(properties.ReplyTo)
                && SplitEnvelope(item, body) is { } tasks)
            {
                _inbox.AddRange(tasks);
            }
            else
            {
                _inbox.Add(item);
            }
        }
        catch (InvalidOperationException)
        {
            // Stopping: the message goes back to the queue when the channel closes.
        }

        return Task.CompletedTask;
    }

    /// <summary>The tasks of an envelope, each a delivery of its own sharing the envelope's settlement; <see langword="null"/> if malformed (the whole message is then dead-lettered).</summary>
    private static Delivery[]? SplitEnvelope(Delivery envelope, byte[] body)
    {
        EnvelopeEntry[] entries;
        try
        {
            entries = Wire.ReadEnvelope(body);
        }
        catch (FrameException)
        {
            return null;
        }

        var settlement = new EnvelopeSettlement(entries.Length);
        var tasks = new Delivery[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            tasks[i] = envelope with
            {
                Type = Wire.Call,
                Trace = ReadTrace(entries[i].TraceParent, entries[i].TraceState),
                Body = entries[i].Task,
                Length = entries[i].Task.Length,
                Envelope = settlement,
            };
        }

        return tasks;
    }

    private Task OnControlAsync(object sender, BasicDeliverEventArgs delivery)
    {
        var claimId = Wire.GetInt64(delivery.BasicProperties, Wire.ClaimHeader) ?? -1;
        switch (delivery.BasicProperties.Type)
        {
            case Wire.Grant:
                OnGrants(delivery.Body.Span);
                break;
            case Wire.CancelRunning when _running.TryGetValue(claimId, out var running):
                WorkerLog.Cancelled(_logger, Node, delivery.BasicProperties.CorrelationId);
                try
                {
                    running.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // Finished meanwhile.
                }

                break;
        }

        return Task.CompletedTask;
    }

    private async Task StopAsync(List<Thread> threads)
    {
        WorkerLog.Stopping(_logger, Node);
        _stopping = true;
        try
        {
            if (_taskChannel is { IsOpen: true } && _consumerTag is not null)
            {
                await _taskChannel.BasicCancelAsync(_consumerTag).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or IOException or TimeoutException or OperationCanceledException)
        {
            // The channel is gone: the broker has requeued the unacknowledged tasks already.
        }

        _inbox.CompleteAdding();
        foreach (var thread in threads)
        {
            thread.Join();
        }

        StopStatus();

        if (_connection is not null)
        {
            try
            {
                await _connection.CloseAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or IOException or TimeoutException or OperationCanceledException)
            {
                // Closing anyway.
            }

            _connection.Dispose();
        }

        WorkerLog.Stopped(_logger, Node, TasksCompleted);
    }

    /// <summary>A task message as received, or one task of an envelope (then <see cref="Envelope"/> settles the message once all its tasks are settled).</summary>
    private sealed record Delivery(ulong Tag, bool Redelivered, string? ReplyTo, string? Type, int? Version, ActivityContext? Trace, byte[]? Body, int Length, EnvelopeSettlement? Envelope = null);

    /// <summary>
    /// The settlement of an envelope's message: once every task in it is settled, the message is acknowledged, or
    /// handed back if any task must run again (its answered tasks are then refused when claimed again), or
    /// dead-lettered if a task was refused and none is handed back.
    /// </summary>
    private sealed class EnvelopeSettlement(int tasks)
    {
        private readonly Lock _gate = new();
        private int _left = tasks;
        private Settlement _worst = Settlement.Ack;

        /// <summary>Settles one task; returns the message's settlement once this was its last task, else <see langword="null"/>.</summary>
        public Settlement? Settle(Settlement settlement)
        {
            lock (_gate)
            {
                if (settlement > _worst)
                {
                    _worst = settlement;
                }

                return --_left == 0 ? _worst : null;
            }
        }
    }
}
