using System.Diagnostics.CodeAnalysis;
using Juggle.Internal;
using Juggle.Remoting;

namespace Juggle;

/// <summary>
/// An executor that runs tasks in worker processes (Python's <c>ProcessPoolExecutor</c>): true parallelism for
/// CPU-bound work, and a hard stop for tasks that overrun — <see cref="ProcessPoolExecutorOptions.TaskTimeout"/>
/// and <see cref="Future.Cancel"/> on a running task kill its worker, which .NET cannot do to a thread.
/// </summary>
/// <remarks>
/// <para>Functions must be static methods (or static lambdas); arguments and results travel as JSON
/// (System.Text.Json) and are checked at <c>Submit</c>/<c>Map</c>, which throw <see cref="ArgumentException"/> for a
/// capturing lambda, an instance method or a type that cannot round-trip.</para>
/// <para>Workers are started on demand with the app's own runtime configuration (<c>dotnet exec</c> of
/// <c>Juggle.Worker.dll</c>), so the app's <c>Main</c> never runs again. A worker that dies fails only the task it
/// was running (<see cref="WorkerCrashedException"/>) and is replaced; workers exit when the parent exits or is
/// killed, and after <see cref="Executor.Shutdown(bool, bool)"/>.</para>
/// <para>Without a <c>chunkSize</c>, <c>Map</c> sends cheap items in batches (up to 2,048 per call, aiming at about
/// 1 ms per call) and slow ones one per call. Without a <c>bufferSize</c> it keeps 128 × <see cref="Executor.MaxWorkers"/>
/// single-item tasks in flight (fewer tasks once items are batched), and workers whose recent tasks were tiny get
/// several calls queued ahead, so the round trip to the worker is hidden (see <c>docs/benchmarks-processes.md</c>).</para>
/// </remarks>
[RequiresUnreferencedCode(TrimMessages.Reflection)]
[RequiresDynamicCode(TrimMessages.DynamicCode)]
public sealed partial class ProcessPoolExecutor : Executor
{
    /// <summary>
    /// The most calls sent ahead to one worker (one running, the rest queued behind it to hide the round trip); only
    /// workers whose recent tasks were tiny get more than two, see <see cref="WorkerProcess.MayPipeline"/>.
    /// </summary>
    private const int PipelineDepth = 64;

    /// <summary>
    /// The largest message between the parent and a worker: one call (all its arguments as JSON) or one answer (a
    /// result, or all the results of a Map chunk). Larger values fail their task with an error naming the limit.
    /// </summary>
    public const int MaxMessageSize = Frames.DefaultMaxFrameSize;

    /// <summary>Map's default window: deep enough to keep every worker's pipeline full while results travel back.</summary>
    private protected override int DefaultMapBufferSize => (int)Math.Min(128L * MaxWorkers, int.MaxValue);

    /// <summary>
    /// A Map without <c>chunkSize</c> aims at tasks of about 1 ms: a call costs tens of µs (frames both ways, a worker
    /// woken), so cheap items go in batches; an item that takes 1 ms or more keeps a task of its own.
    /// </summary>
    private protected override long MapChunkTargetTicks => Time.TimestampFrequency / 1000;

    /// <summary>Up to 2,048 cheap items per call: beyond that the per-item JSON cost dominates, not the call.</summary>
    private protected override int MaxAdaptiveChunkSize => 2048;

    /// <summary>The executor whose worker this thread reads answers from (done callbacks run there).</summary>
    [ThreadStatic]
    private static ProcessPoolExecutor? t_readerOf;

    private readonly Lock _lock = new();
    private readonly LinkedList<CallRecord> _pending = new();
    private readonly List<WorkerProcess> _workers = [];
    private readonly TaskCompletionSource _allExited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly WorkerLaunch _launch;
    private readonly RemoteFunction? _initializer;
    private readonly int? _maxTasksPerChild;
    private readonly TimeSpan? _taskTimeout;
    private readonly bool _usesLimiter;
    private readonly HashSet<CallRecord> _awaitingPermit = [];
    private int _workerCount;
    private int _restarts;
    private bool _shutdown;
    private BrokenExecutorException? _broken;

    /// <summary>Creates a process pool (Python's <c>ProcessPoolExecutor(max_workers, initializer=..., max_tasks_per_child=...)</c>).</summary>
    /// <param name="maxWorkers">The most worker processes; defaults to the processor count. Must be positive.</param>
    /// <param name="initializer">A static method run in each worker before its first task; if it throws, the executor is broken.</param>
    /// <param name="maxTasksPerChild">Recycle a worker after this many tasks.</param>
    /// <param name="taskTimeout">Kill a task's worker and fail the task with <see cref="TimeoutException"/> past this.</param>
    public ProcessPoolExecutor(int? maxWorkers = null, Action? initializer = null, int? maxTasksPerChild = null, TimeSpan? taskTimeout = null)
        : this(CreateOptions(maxWorkers, initializer, maxTasksPerChild, taskTimeout))
    {
    }

    /// <summary>Creates a process pool from options.</summary>
    /// <exception cref="ArgumentException">The initializer is not a static method.</exception>
    /// <exception cref="InvalidOperationException">The worker host (<c>Juggle.Worker.dll</c>) or the .NET host cannot be found.</exception>
    public ProcessPoolExecutor(ProcessPoolExecutorOptions options)
        : this(options, Prepare(options))
    {
    }

    private ProcessPoolExecutor(ProcessPoolExecutorOptions options, (WorkerLaunch Launch, RemoteFunction? Initializer) prepared)
        : base(options, ProcessPoolExecutorOptions.DefaultMaxWorkers, "ProcessPoolExecutor")
    {
        _maxTasksPerChild = options.MaxTasksPerChild;
        _taskTimeout = options.TaskTimeout;
        _initializer = prepared.Initializer;
        _launch = prepared.Launch;
        _usesLimiter = options.RateLimiter is not null || options.TasksPerSecond is not null;
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

    /// <summary><see langword="true"/> once an initializer failed or workers could not start; see <see cref="BrokenExecutorException"/>.</summary>
    public bool IsBroken
    {
        get
        {
            lock (_lock)
            {
                return _broken is not null;
            }
        }
    }

    /// <summary>The message limit this pool uses (<see cref="MaxMessageSize"/>; tests lower it to exercise the limit without gigabytes).</summary>
    internal int MaxFrameSize { get; init; } = Frames.DefaultMaxFrameSize;

    /// <summary>Tests: send calls ahead to a busy worker whatever its history (normally only tiny tasks are pipelined).</summary>
    internal bool AlwaysPipeline { get; init; }

    /// <summary>The reader threads complete futures; the user's callbacks and progress handler run elsewhere.</summary>
    internal override bool MustDeferUserCode => t_readerOf is not null;

    /// <summary>The process ids of the worker processes alive now (for diagnostics and tests).</summary>
    public IReadOnlyList<int> GetWorkerProcessIds()
    {
        lock (_lock)
        {
            return [.. _workers.Where(w => w.ProcessId != 0).Select(w => w.ProcessId)];
        }
    }

    internal override IReadOnlyList<WorkerInfo> DescribeWorkers()
    {
        lock (_lock)
        {
            return [.. _workers.Where(w => w.ProcessId != 0 && !w.Exited).Select(w => new WorkerInfo(w.Name, w.ProcessId, 0, w.InFlight.Count > 0 && w.InFlight.Peek().Claimed))];
        }
    }

    internal override int WorkerRestarts => Volatile.Read(ref _restarts);

    private protected override void ValidateWork<T>(WorkItem<T> work) => t_prepared = CallRecord.Prepare(work, MaxFrameSize);

    private protected override void SubmitCore(Future future)
    {
        var record = t_prepared;
        t_prepared = null;
        if (record is null || !record.Matches(future))
        {
            throw new InvalidOperationException("Internal error: the process pool received work it did not validate.");
        }

        record.Attach(future);
        record.Owner = this;
        future.CancelGate = record;
        lock (_lock)
        {
            if (_broken is { } broken)
            {
                throw new BrokenExecutorException(broken.Message, broken.InnerException);
            }

            if (_shutdown)
            {
                throw new InvalidOperationException($"Cannot submit to executor '{Name}' after shutdown.");
            }

            _pending.AddLast(record);
        }

        Pump();
    }

    private protected override void ShutdownCore(bool cancelFutures)
    {
        List<CallRecord>? cancelled = null;
        List<WorkerProcess> idle = [];
        lock (_lock)
        {
            _shutdown = true;
            if (cancelFutures)
            {
                // Tasks waiting for a rate-limit permit have not started either: cancelling them ends their wait. Calls
                // sent ahead to a worker have not started: they are withdrawn or skipped (Cancel asks the worker).
                cancelled = [.. _pending, .. _awaitingPermit, .. _workers.SelectMany(w => w.InFlight.Where(r => !r.Claimed))];
                _pending.Clear();
            }

            if (_pending.Count == 0)
            {
                foreach (var worker in _workers)
                {
                    if (worker.InFlight.Count == 0 && !worker.Retiring)
                    {
                        worker.Retiring = true;
                        idle.Add(worker);
                    }
                }
            }

            CheckAllExitedLocked();
        }

        if (cancelled is not null)
        {
            foreach (var record in cancelled)
            {
                record.Future.TryCancelPending();
            }
        }

        foreach (var worker in idle)
        {
            worker.CloseInput();
        }

        Pump();
    }

    // A done callback runs on a worker's reader thread; shutting down from there must not wait for that very worker.
    // Then for the callbacks and progress reports the last answers queued, as Python's shutdown(wait=True) returns after them.
    private protected override void WaitForWorkers()
    {
        if (t_readerOf != this)
        {
            _allExited.Task.GetAwaiter().GetResult();
            UserCodeDrained().GetAwaiter().GetResult();
        }
    }

    private protected override async Task WaitForWorkersAsync(CancellationToken cancellationToken)
    {
        if (t_readerOf != this)
        {
            await _allExited.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            await UserCodeDrained().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A done callback on a worker's reader thread: shutting down from there does not wait for the workers.</summary>
    private protected override bool OnOwnWorker => t_readerOf == this;

    /// <summary>
    /// Checks the options, finds how to start a worker and starts the warm spare if there is none, before the executor's
    /// own set-up (its name, telemetry, exit hook): the spare's runtime is what the first result waits for, so it starts
    /// booting first. Bad options or a missing worker host throw before any process is started.
    /// </summary>
    private static (WorkerLaunch Launch, RemoteFunction? Initializer) Prepare(ProcessPoolExecutorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        RemoteFunction? initializer = null;
        if (options.Initializer is { } function)
        {
            initializer = RemoteFunction.Get(function, nameof(options.Initializer));
            if (initializer.Signature.ValueParameterTypes.Length != 0)
            {
                throw new ArgumentException("The initializer must take no arguments.", nameof(options));
            }
        }

        var launch = WorkerLaunch.Discover();
        SpareWorker.Prime(launch);
        return (launch, initializer);
    }

    private static ProcessPoolExecutorOptions CreateOptions(int? maxWorkers, Action? initializer, int? maxTasksPerChild, TimeSpan? taskTimeout)
    {
        if (maxWorkers is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxWorkers), maxWorkers, "maxWorkers must be greater than 0.");
        }

        return new ProcessPoolExecutorOptions { MaxWorkers = maxWorkers, Initializer = initializer, MaxTasksPerChild = maxTasksPerChild, TaskTimeout = taskTimeout };
    }

    private void CheckAllExitedLocked()
    {
        if (_workers.Count == 0 && (_pending.Count == 0 || _broken is not null) && (_shutdown || _broken is not null))
        {
            _allExited.TrySetResult();
        }
    }
}
