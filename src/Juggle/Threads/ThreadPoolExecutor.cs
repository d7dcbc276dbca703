using System.Collections.Concurrent;
using Juggle.Internal;

namespace Juggle;

/// <summary>
/// An executor that runs tasks on its own worker threads (Python's <c>ThreadPoolExecutor</c>). Threads start on
/// demand up to <see cref="Executor.MaxWorkers"/>, idle ones are reused, and blocking work runs
/// <see cref="Executor.MaxWorkers"/>-wide at once without waiting for the shared .NET thread pool to grow.
/// With <c>maxWorkers: 1</c> tasks run one at a time in submission order.
/// </summary>
/// <remarks>
/// <para>
/// A task that blocks on futures of this same executor without a timeout (<see cref="Future{T}.Result(TimeSpan?)"/>,
/// <see cref="Futures.Wait{TFuture}"/>, <see cref="Futures.AsCompleted{TFuture}"/>, …) is checked for deadlock: if
/// the wait can never end it throws <see cref="DeadlockException"/> (see there for what is detected).
/// </para>
/// <para>
/// <c>Map</c> without a <c>chunkSize</c> measures its tasks and batches cheap items (up to 1,024 per task, aiming at
/// about 100 µs per task) while slow items keep one item per task. Without a <c>bufferSize</c> it starts with a window
/// of <c>2 × MaxWorkers</c> tasks, which grows up to 4096 items while the tasks are short, so slow functions read only
/// <c>2 × MaxWorkers</c> items ahead of the consumer. Pass <c>bufferSize</c> for a fixed bound.
/// </para>
/// </remarks>
public sealed partial class ThreadPoolExecutor : Executor
{
    // About 50-100 µs of spinning and yielding, as the .NET thread pool does before a worker blocks.
    private const int SpinsBeforeSleep = 70;

    // How many items a default Map window may hold for cheap functions (see DefaultMapBufferSize): measured on 2 cores,
    // 4096 single-item tasks in flight bring a no-op Map below the cost of a Submit + Result; 1024 gives ~2x that.
    private const int MapWindowLimit = 4096;

    // Idle workers allowed to spin at the same time; the others go straight to sleep.
    private static readonly int MaxSpinners = Math.Max(2, Environment.ProcessorCount);

    [ThreadStatic]
    private static Worker? t_current;

    private readonly ConcurrentQueue<Future> _queue = new();
    private readonly object _sleepLock = new();
    private readonly Lock _stateLock = new();
    private readonly List<Worker> _workers = [];
    private readonly TaskCompletionSource _allExited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _prefix;
    private readonly Action? _initializer;
    private int _idleTokens;
    private int _sleepers;
    private int _spinners;
    private int _live;
    private int _blocked;
    private volatile bool _shutdown;
    private bool _cancelPending;
    private volatile BrokenExecutorException? _broken;

    /// <summary>Creates a thread pool executor (Python's <c>ThreadPoolExecutor(max_workers, thread_name_prefix, initializer)</c>).</summary>
    /// <param name="maxWorkers">The most threads; defaults to <c>min(32, processors + 4)</c>. Must be positive.</param>
    /// <param name="threadNamePrefix">Threads are named <c>{prefix}_{n}</c>.</param>
    /// <param name="initializer">Runs on each worker thread before its first task; if it throws, the executor is broken.</param>
    public ThreadPoolExecutor(int? maxWorkers = null, string? threadNamePrefix = null, Action? initializer = null)
        : this(CreateOptions(maxWorkers, threadNamePrefix, initializer))
    {
    }

    /// <summary>Creates a thread pool executor from options.</summary>
    public ThreadPoolExecutor(ThreadPoolExecutorOptions options)
        : base(options, ThreadPoolExecutorOptions.DefaultMaxWorkers, "ThreadPoolExecutor")
    {
        _prefix = options.ThreadNamePrefix ?? $"ThreadPoolExecutor-{Number}";
        _initializer = options.Initializer;
    }

    /// <inheritdoc/>
    public override bool IsShutdown => _shutdown;

    private protected override bool RunsDelegatesInProcess => true;

    /// <summary>The widest default Map window in items (tasks × chunkSize), reached only while the tasks are short.</summary>
    private protected override int DefaultMapBufferSize => Math.Max(MapWindowLimit, InitialMapBufferSize);

    /// <summary>A default Map starts with the window of <c>2 × MaxWorkers</c> tasks.</summary>
    private protected override int InitialMapBufferSize => (int)Math.Min(2L * MaxWorkers, int.MaxValue);

    /// <summary>How many worker threads are alive now.</summary>
    public int WorkerCount => Volatile.Read(ref _live);

    /// <summary><see langword="true"/> once an initializer failed; see <see cref="BrokenExecutorException"/>.</summary>
    public bool IsBroken => _broken is not null;

    private protected override void SubmitCore(Future future)
    {
        lock (_stateLock)
        {
            if (_broken is { } broken)
            {
                throw new BrokenExecutorException(broken.Message, broken.InnerException);
            }

            if (_shutdown)
            {
                throw new InvalidOperationException($"Cannot submit to executor '{Name}' after shutdown.");
            }

            _queue.Enqueue(future);
            WakeOne();
            AdjustWorkerCountLocked();
        }
    }

    private protected override void ShutdownCore(bool cancelFutures)
    {
        lock (_stateLock)
        {
            var first = !_shutdown;
            _shutdown = true;
            if (cancelFutures)
            {
                _cancelPending = true;
                Interlocked.MemoryBarrier(); // pairs with the exchange in RunOne: one of the two sees the other
                while (_queue.TryDequeue(out var pending))
                {
                    pending.TryCancelPending();
                }

                foreach (var worker in _workers)
                {
                    Volatile.Read(ref worker.AwaitingPermit)?.TryCancelPending();
                }
            }

            if (first)
            {
                // Each worker exits when it finds the queue empty.
                if (_live > 0)
                {
                    WakeAll();
                }
                else
                {
                    _allExited.TrySetResult();
                }
            }
        }
    }

    private protected override void WaitForWorkers()
    {
        Worker[] workers;
        lock (_stateLock)
        {
            workers = [.. _workers];
        }

        foreach (var worker in workers)
        {
            // A task may shut its own executor down; a thread cannot wait for itself.
            if (worker != t_current)
            {
                worker.Exited.Wait();
            }
        }
    }

    private protected override Task WaitForWorkersAsync(CancellationToken cancellationToken) =>
        t_current?.Owner == this ? Task.CompletedTask : _allExited.Task.WaitAsync(cancellationToken);

    private protected override bool OnOwnWorker => t_current?.Owner == this;

    private static ThreadPoolExecutorOptions CreateOptions(int? maxWorkers, string? threadNamePrefix, Action? initializer)
    {
        if (maxWorkers is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxWorkers), maxWorkers, "maxWorkers must be greater than 0.");
        }

        return new ThreadPoolExecutorOptions { MaxWorkers = maxWorkers, ThreadNamePrefix = threadNamePrefix, Initializer = initializer };
    }

    private void AdjustWorkerCountLocked()
    {
        if (_live >= MaxWorkers)
        {
            return;
        }

        // Claim an idle worker if there is one; otherwise start a thread, up to the maximum.
        while (true)
        {
            var idle = Volatile.Read(ref _idleTokens);
            if (idle == 0)
            {
                break;
            }

            if (Interlocked.CompareExchange(ref _idleTokens, idle - 1, idle) == idle)
            {
                return;
            }
        }

        if (_live < MaxWorkers)
        {
            StartWorkerLocked();
        }
    }

    private void StartWorkerLocked()
    {
        var worker = new Worker(this, $"{_prefix}_{_workers.Count}");
        _workers.Add(worker);
        _live++;
        WorkerThreadCache.Run(worker.Name, worker.Main);
    }

    private void WorkerMain(Worker worker)
    {
        t_current = worker;
        worker.ThreadId = Environment.CurrentManagedThreadId;
        try
        {
            if (_initializer is not null && !RunInitializer(worker))
            {
                return;
            }

            while (true)
            {
                if (!_queue.TryDequeue(out var future))
                {
                    if (!WaitForWork())
                    {
                        return;
                    }

                    continue;
                }

                if (worker.ReleasedIdleToken)
                {
                    worker.ReleasedIdleToken = false;
                    TryReclaimIdleToken();
                }

                RunOne(worker, future);
            }
        }
        finally
        {
            lock (_stateLock)
            {
                _live--;
                if (_live == 0 && (_shutdown || _broken is not null))
                {
                    _allExited.TrySetResult();
                }
            }

            t_current = null;
            worker.Exited.Set();
        }
    }

    private void RunOne(Worker worker, Future future)
    {
        System.Threading.RateLimiting.RateLimitLease? lease = null;
        if (HasRateLimiter && future.State == FutureState.Pending)
        {
            // Published so that Shutdown(cancelFutures: true) also cancels a task whose worker waits for a permit.
            Interlocked.Exchange(ref worker.AwaitingPermit, future);
            try
            {
                if (Volatile.Read(ref _cancelPending))
                {
                    future.TryCancelPending();
                }

                lease = future.Done ? null : AcquireStartPermit(future);
            }
#pragma warning disable CA1031 // A limiter failure fails only this task.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                future.TryFailPending(ex);
                return;
            }
            finally
            {
                Volatile.Write(ref worker.AwaitingPermit, null);
            }
        }

        worker.Current = future;
        try
        {
            future.Run(worker, worker.Name, worker);
        }
        finally
        {
            worker.Current = null;
            lease?.Dispose();
        }
    }

    private bool RunInitializer(Worker worker)
    {
        try
        {
            _initializer!();
            return true;
        }
#pragma warning disable CA1031 // Python's BrokenThreadPool: the failure breaks the executor instead of killing the thread silently.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var broken = new BrokenExecutorException(
                $"A thread initializer failed on {worker.Name}, so executor '{Name}' is broken and cannot run tasks: {ex.GetType().Name}: {ex.Message}",
                ex);
            LogError(ex, $"Initializer failed on {worker.Name}");
            lock (_stateLock)
            {
                _broken ??= broken;
                while (_queue.TryDequeue(out var pending))
                {
                    pending.TryFailPending(_broken);
                }

                // Wake the other workers so they exit too.
                WakeAll();
            }

            return false;
        }
    }

    /// <summary>Sleeps until work is queued. Returns <see langword="false"/> when the worker should exit.</summary>
    private bool WaitForWork()
    {
        // Spinning briefly keeps a busy pool from paying for a kernel sleep and wake-up per task. Only a few workers
        // spin at once (on a 100-worker pool, 100 spinners would starve the threads doing real work and the one
        // calling Shutdown), and a spinner leaves as soon as it sees Shutdown: an idle pool disposes at once.
        if (Interlocked.Increment(ref _spinners) <= MaxSpinners)
        {
            try
            {
                var spinner = default(SpinWait);
                for (var i = 0; i < SpinsBeforeSleep; i++)
                {
                    if (!_queue.IsEmpty)
                    {
                        return true;
                    }

                    if (_shutdown || _broken is not null)
                    {
                        // Shutdown is published after the last enqueue (both under the state lock): look once more.
                        return !_queue.IsEmpty;
                    }

                    spinner.SpinOnce(sleep1Threshold: -1);
                }
            }
            finally
            {
                Interlocked.Decrement(ref _spinners);
            }
        }
        else
        {
            Interlocked.Decrement(ref _spinners);
        }

        lock (_sleepLock)
        {
            // Interlocked is a full fence: pairs with the enqueue-then-read in WakeOne so no wake-up is lost.
            Interlocked.Increment(ref _sleepers);
            try
            {
                while (_queue.IsEmpty)
                {
                    if (_shutdown || _broken is not null)
                    {
                        return false;
                    }

                    Monitor.Wait(_sleepLock);
                }

                return true;
            }
            finally
            {
                Interlocked.Decrement(ref _sleepers);
            }
        }
    }

    private void WakeOne()
    {
        if (Volatile.Read(ref _sleepers) > 0)
        {
            lock (_sleepLock)
            {
                Monitor.Pulse(_sleepLock);
            }
        }
    }

    private void WakeAll()
    {
        lock (_sleepLock)
        {
            Monitor.PulseAll(_sleepLock);
        }
    }

    private void ReleaseIdleToken(Worker worker)
    {
        // Idle tokens only decide whether to start another thread; once all are started, skip the shared writes.
        if (!worker.ReleasedIdleToken && Volatile.Read(ref _live) < MaxWorkers && _queue.IsEmpty)
        {
            worker.ReleasedIdleToken = true;
            Interlocked.Increment(ref _idleTokens);
        }
    }

    private void TryReclaimIdleToken()
    {
        while (true)
        {
            var idle = Volatile.Read(ref _idleTokens);
            if (idle == 0 || Interlocked.CompareExchange(ref _idleTokens, idle - 1, idle) == idle)
            {
                return;
            }
        }
    }

    private sealed class Worker : IRunHooks
    {
        public Worker(ThreadPoolExecutor owner, string name)
        {
            Owner = owner;
            Name = name;
        }

        public ThreadPoolExecutor Owner { get; }

        public string Name { get; }

        /// <summary>Set when the worker has left the executor (its thread may be parked for reuse).</summary>
        public ManualResetEventSlim Exited { get; } = new();

        public int ThreadId { get; set; }

        public void Main() => Owner.WorkerMain(this);

        public Future? Current { get; set; }

        /// <summary>The futures this worker is blocked on (guarded by the owner's graph lock).</summary>
        public BlockingWait? Waiting { get; set; }

        public bool ReleasedIdleToken { get; set; }

        /// <summary>The dequeued task this worker holds while it waits for a rate-limit permit.</summary>
#pragma warning disable CA1051 // A field, so it can be exchanged with a full fence.
        public Future? AwaitingPermit;
#pragma warning restore CA1051

        // Announce idleness before the result is published, so a caller that reacts to the result by submitting
        // again reuses this thread instead of starting another.
        public void BeforeComplete() => Owner.ReleaseIdleToken(this);
    }
}
