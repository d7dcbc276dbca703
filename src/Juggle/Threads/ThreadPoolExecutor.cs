using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Threading.RateLimiting;
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
/// Async work (<c>Submit(async ct => …)</c>) holds one of the <see cref="Executor.MaxWorkers"/> slots until its task
/// completes, but no thread while it awaits: the worker that called the function goes on with other work, and the
/// continuations run on the .NET thread pool. So thousands of tasks awaiting I/O run on a few threads, and
/// <see cref="Executor.MaxWorkers"/> still bounds how many tasks run at once, sync and async together.
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

    // Threads started for async work while the existing ones are free: starting an async function takes
    // microseconds, and its awaits hold a slot, not a thread.
    private static readonly int AsyncStarters = Math.Max(2, Environment.ProcessorCount);

    // An async function that kept its worker this long before its first await probably blocks (a synchronous
    // DNS lookup, a lock): the worker starts another thread for the queue, so such work still fans out.
    private static readonly long SlowAsyncStart = Stopwatch.Frequency / 500; // 2 ms

    // Each newly started thread starts up to this many of the threads still wanted: a fan-out of many threads
    // costs the submitter one thread start and the others about log2(n) starts one after the other.
    private const int SiblingsPerStart = 2;

    [ThreadStatic]
    private static Worker? t_current;

    // Set by InlineStarter.Detach: the async work StartQueuedAsyncWork started left this thread.
    [ThreadStatic]
    private static bool t_startedInlineDetached;

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
    private int _slotsUsed; // workers running a task or spinning for one, plus detached async work: at most MaxWorkers
    private int _detached; // async work running without a worker
    private int _launching; // threads being started that have not yet started their siblings (under _stateLock)
    // Workers wanted, waiting for a starting thread (under _stateLock). A List, not a Stack: Stack<T> lives in
    // System.Collections.dll, an assembly the first executor of a process would otherwise load in its constructor.
    private readonly List<Worker> _unlaunched = [];
    private readonly object _drainLock = new();
    private readonly InlineStarter _inlineStarter;
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
        // Not formatted through a culture: the first one made loads ICU on the first executor's path (see Names).
        _prefix = options.ThreadNamePrefix ?? Names.Numbered("ThreadPoolExecutor", "-", Number);
        _initializer = options.Initializer;
        _inlineStarter = new InlineStarter(this);
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
        // Once every worker is started (they leave only on shutdown or when broken), a Submit takes no lock: submitters
        // and workers handing work over never queue behind each other on the state lock.
        if (Volatile.Read(ref _live) >= MaxWorkers && !_shutdown && _broken is null)
        {
            _queue.Enqueue(future);

            // A full fence between the enqueue and the reads below. Shutdown and a failing initializer set their flag,
            // fence, then read the queue (and workers read the flag before the queue); a sleeping worker counts itself,
            // fences, then reads the queue. So either this Submit sees the flag (or the sleeper), or they see the work.
            Interlocked.MemoryBarrier();
            if (_shutdown || _broken is not null)
            {
                WithdrawAfterClose(future);
            }

            WakeOne();
            return;
        }

        SubmitLocked(future);
    }

    private void SubmitLocked(Future future)
    {
        Worker? launch;
        lock (_stateLock)
        {
            ThrowIfClosed();
            _queue.Enqueue(future);
            launch = AdjustWorkerCountLocked(future);
        }

        // Woken outside the state lock, so the woken worker and the next Submit do not wait for each other.
        Interlocked.MemoryBarrier(); // pairs with the count-then-read of a worker going to sleep
        WakeOne();
        if (launch is not null)
        {
            Launch(launch);
        }
    }

    /// <summary>
    /// A lock-free Submit enqueued <paramref name="future"/> as the executor was shut down or broken. Unless a worker
    /// already took it (or Shutdown cancelled it: then it was submitted before), it is withdrawn, never to run, and
    /// the Submit throws as one made after the shutdown.
    /// </summary>
    private void WithdrawAfterClose(Future future)
    {
        if (future.TryWithdraw())
        {
            ThrowIfClosed();
        }
    }

    private void ThrowIfClosed()
    {
        if (_broken is { } broken)
        {
            throw new BrokenExecutorException(broken.Message, broken.InnerException);
        }

        if (_shutdown)
        {
            throw new InvalidOperationException($"Cannot submit to executor '{Name}' after shutdown.");
        }
    }

    private protected override void ShutdownCore(bool cancelFutures)
    {
        lock (_stateLock)
        {
            var first = !_shutdown;
            _shutdown = true;

            // Pairs with the enqueue-then-read of a lock-free Submit: it sees the shutdown, or the drain below sees its work.
            Interlocked.MemoryBarrier();
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
                // Each worker exits when it finds the queue empty; detached async work ends on its own.
                if (_live > 0)
                {
                    WakeAll();
                }
                else if (Volatile.Read(ref _detached) == 0)
                {
                    _allExited.TrySetResult();
                }
            }
        }
    }

    private protected override void WaitForWorkers()
    {
        var waited = 0;
        while (true)
        {
            Worker[] workers;
            lock (_stateLock)
            {
                // A detached task completing after shutdown may start a thread for the queue: wait for those too.
                workers = _workers.Count > waited ? [.. _workers.Skip(waited)] : [];
                waited = _workers.Count;
            }

            foreach (var worker in workers)
            {
                // A task may shut its own executor down; a thread cannot wait for itself.
                if (worker != t_current)
                {
                    worker.Exited.Wait();
                }
            }

            WaitForDetachedWork();
            lock (_stateLock)
            {
                if (_workers.Count == waited)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Blocks until no async work runs detached from a worker (called after shutdown).</summary>
    private void WaitForDetachedWork()
    {
        lock (_drainLock)
        {
            Interlocked.MemoryBarrier(); // pairs with the decrement-then-read-shutdown in DetachedCompleted
            while (Volatile.Read(ref _detached) > 0)
            {
                Monitor.Wait(_drainLock);
            }
        }
    }

    private protected override Task WaitForWorkersAsync(CancellationToken cancellationToken) =>
        t_current?.Owner == this ? Task.CompletedTask : _allExited.Task.WaitAsync(cancellationToken);

    private protected override bool OnOwnWorker => t_current?.Owner == this;

    internal override IReadOnlyList<WorkerInfo> DescribeWorkers()
    {
        lock (_stateLock)
        {
            return [.. _workers.Where(w => !w.Exited.IsSet).Select(w => new WorkerInfo(w.Name, Environment.ProcessId, w.ThreadId, w.Current is not null))];
        }
    }

    private static ThreadPoolExecutorOptions CreateOptions(int? maxWorkers, string? threadNamePrefix, Action? initializer)
    {
        if (maxWorkers is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxWorkers), maxWorkers, "maxWorkers must be greater than 0.");
        }

        return new ThreadPoolExecutorOptions { MaxWorkers = maxWorkers, ThreadNamePrefix = threadNamePrefix, Initializer = initializer };
    }

    /// <summary>Claims an idle worker or reserves a new thread for the queued <paramref name="future"/>; returns a worker to launch outside the lock.</summary>
    private Worker? AdjustWorkerCountLocked(Future future)
    {
        if (_live >= MaxWorkers)
        {
            return null;
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
                return null;
            }
        }

        // Every slot is held (by running tasks and async work awaiting): a new thread could not run the work. The
        // first slot freed wakes a sleeping worker or starts a thread.
        if (Volatile.Read(ref _slotsUsed) >= MaxWorkers)
        {
            return null;
        }

        // Async work only needs a thread to start it: a few threads do, unless all of them are busy with blocking work.
        if (_live >= AsyncStarters && future.IsAsyncWork && AnyWorkerFreeLocked())
        {
            return null;
        }

        return StartWorkerLocked();
    }

    /// <summary><see langword="true"/> when some worker is idle, starting, or only starting async work (it will take the queue soon).</summary>
    private bool AnyWorkerFreeLocked()
    {
        foreach (var worker in _workers)
        {
            if (!worker.Exited.IsSet && (worker.Current is null || worker.CurrentIsAsync))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Adds a worker. A parked thread of the process-wide cache takes it at once; otherwise it needs a new thread,
    /// which is started by the caller (returned, to start outside the lock) unless another thread is being
    /// started: then that thread starts it when it begins, so the submitter never waits for more than one start.
    /// </summary>
    private Worker? StartWorkerLocked()
    {
        var worker = new Worker(this, Names.Numbered(_prefix, "_", _workers.Count));
        _workers.Add(worker);
        AddWorkerCounts(worker.Counts);
        _live++;
        if (WorkerThreadCache.TryRunParked(worker.Name, worker.Main))
        {
            return null;
        }

        if (_launching > 0)
        {
            _unlaunched.Add(worker);
            return null;
        }

        _launching++;
        worker.Launching = true;
        return worker;
    }

    private static void Launch(Worker worker) => WorkerThreadCache.StartNew(worker.Name, worker.Main);

    /// <summary>Run by a newly started thread first: starts up to <see cref="SiblingsPerStart"/> of the threads still wanted.</summary>
    private void LaunchSiblings(Worker self)
    {
        Worker? first = null;
        Worker? second = null;
        lock (_stateLock)
        {
            _launching--;
            self.Launching = false;
            if (TryTakeUnlaunched(out first))
            {
                first.Launching = true;
                _launching++;
                if (SiblingsPerStart > 1 && TryTakeUnlaunched(out second))
                {
                    second.Launching = true;
                    _launching++;
                }
            }
        }

        if (first is not null)
        {
            Launch(first);
        }

        if (second is not null)
        {
            Launch(second);
        }
    }

    private bool TryTakeUnlaunched([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Worker? worker)
    {
        if (_unlaunched.Count == 0)
        {
            worker = null;
            return false;
        }

        worker = _unlaunched[^1];
        _unlaunched.RemoveAt(_unlaunched.Count - 1);
        return true;
    }

    private void WorkerMain(Worker worker)
    {
        t_current = worker;
        worker.ThreadId = Environment.CurrentManagedThreadId;
        var holdsSlot = false;
        try
        {
            if (worker.Launching)
            {
                LaunchSiblings(worker);
            }

            if (_initializer is not null && !RunInitializer(worker))
            {
                return;
            }

            while (true)
            {
                if (!holdsSlot)
                {
                    if (!TakeSlotOrSleep())
                    {
                        return;
                    }

                    holdsSlot = true;
                }

                if (!_queue.TryDequeue(out var future))
                {
                    if (!SpinForWork())
                    {
                        // Sleeping workers hold no slot, so async work awaiting can use it.
                        Interlocked.Decrement(ref _slotsUsed);
                        holdsSlot = false;
                    }

                    continue;
                }

                if (worker.ReleasedIdleToken)
                {
                    worker.ReleasedIdleToken = false;
                    TryReclaimIdleToken();
                }

                if (RunOne(worker, future))
                {
                    holdsSlot = false; // the slot went with the detached async work
                }
            }
        }
        finally
        {
            if (holdsSlot)
            {
                Interlocked.Decrement(ref _slotsUsed);
            }

            lock (_stateLock)
            {
                _live--;
                if (_live == 0 && (_shutdown || _broken is not null) && Volatile.Read(ref _detached) == 0)
                {
                    _allExited.TrySetResult();
                }
            }

            t_current = null;
            worker.Exited.Set();
        }
    }

    /// <summary>Runs one task. Returns <see langword="true"/> when it was async work that detached (it keeps the worker's slot).</summary>
    private bool RunOne(Worker worker, Future future)
    {
        RateLimitLease? lease = null;
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
                return false;
            }
            finally
            {
                Volatile.Write(ref worker.AwaitingPermit, null);
            }
        }

        var isAsync = future.IsAsyncWork;
        var started = isAsync ? Stopwatch.GetTimestamp() : 0;
        worker.CurrentIsAsync = isAsync;
        worker.Current = future;
        if (lease is not null)
        {
            worker.Lease = lease; // null between tasks: no store (and write barrier) per task without a rate limiter
        }

        worker.Detached = false;
        try
        {
            future.Run(worker, worker.Name, worker);
        }
        finally
        {
            worker.Current = null;
            worker.Lease = null;
            if (!worker.Detached)
            {
                // A detached task's permit is released when it completes: it is still running.
                lease?.Dispose();
            }
        }

        if (isAsync && Stopwatch.GetTimestamp() - started > SlowAsyncStart)
        {
            StartThreadForQueue();
        }

        return worker.Detached;
    }

    /// <summary>Starts a thread if work is queued, a slot is free and no worker can take it soon.</summary>
    private void StartThreadForQueue()
    {
        if (_queue.IsEmpty || Volatile.Read(ref _live) >= MaxWorkers || Volatile.Read(ref _slotsUsed) >= MaxWorkers)
        {
            return;
        }

        Worker? launch = null;
        lock (_stateLock)
        {
            if (!_queue.IsEmpty && _live < MaxWorkers && _broken is null && Volatile.Read(ref _slotsUsed) < MaxWorkers && !AnyWorkerFreeLocked())
            {
                launch = StartWorkerLocked();
            }
        }

        if (launch is not null)
        {
            Launch(launch);
        }
    }

    /// <summary>The worker's async task left it: the task keeps the worker's slot until it completes.</summary>
    private RateLimitLease? Detach(Worker worker)
    {
        worker.Detached = true;
        Interlocked.Increment(ref _detached);
        ReleaseIdleToken(worker);
        var lease = worker.Lease;
        worker.Lease = null;
        return lease;
    }

    /// <summary>Detached async work completed (its outcome is published): frees its slot for the queue.</summary>
    private void DetachedCompleted(object? state)
    {
        (state as RateLimitLease)?.Dispose();
        if (StartQueuedAsyncWork())
        {
            return; // the slot went to the next async work
        }

        Interlocked.Decrement(ref _slotsUsed);
        Interlocked.Decrement(ref _detached);
        if (!_queue.IsEmpty)
        {
            if (Volatile.Read(ref _sleepers) > 0)
            {
                WakeOne();
            }
            else
            {
                StartThreadForQueue();
            }
        }

        if (_shutdown || _broken is not null)
        {
            lock (_stateLock)
            {
                if (_live == 0 && Volatile.Read(ref _detached) == 0)
                {
                    _allExited.TrySetResult();
                }
            }

            lock (_drainLock)
            {
                Monitor.PulseAll(_drainLock);
            }
        }
    }

    /// <summary>
    /// Called with the slot of async work that just completed: while the queue starts with async work, starts it on
    /// this thread (a .NET thread-pool thread, where the completed work's continuation runs), as
    /// <c>Parallel.ForEachAsync</c> does, instead of waking a worker for it. Returns <see langword="true"/> when
    /// started work detached and holds the slot now. Sync work is left to the workers; so is all work of an executor
    /// with an initializer (it must run on initialized threads) or a rate limiter (a permit may block).
    /// </summary>
    private bool StartQueuedAsyncWork()
    {
        if (_initializer is not null || HasRateLimiter || _broken is not null)
        {
            return false;
        }

        while (_queue.TryPeek(out var head) && head.IsAsyncWork && _queue.TryDequeue(out var next))
        {
            if (!next.IsAsyncWork)
            {
                // A worker dequeued the async head meanwhile: this is sync work and goes back to the workers.
                _queue.Enqueue(next);
                return false;
            }

            t_startedInlineDetached = false;
            next.Run(_inlineStarter, InlineStarterName, _inlineStarter);
            if (t_startedInlineDetached)
            {
                return true;
            }
        }

        return false;
    }

    private bool TryTakeSlot()
    {
        var used = Volatile.Read(ref _slotsUsed);
        while (used < MaxWorkers)
        {
            var seen = Interlocked.CompareExchange(ref _slotsUsed, used + 1, used);
            if (seen == used)
            {
                return true;
            }

            used = seen;
        }

        return false;
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
                Interlocked.MemoryBarrier(); // pairs with the enqueue-then-read of a lock-free Submit
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

    /// <summary>
    /// Spins briefly for work, holding the worker's slot. Returns <see langword="true"/> when work is queued,
    /// <see langword="false"/> when the worker should sleep (or exit).
    /// </summary>
    private bool SpinForWork()
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

        return false;
    }

    /// <summary>
    /// Takes a slot once work is queued, sleeping until there is both work and a free slot. Returns
    /// <see langword="false"/> when the worker should exit (shut down or broken, and nothing queued).
    /// </summary>
    private bool TakeSlotOrSleep()
    {
        if (!_queue.IsEmpty && TryTakeSlot())
        {
            return true;
        }

        lock (_sleepLock)
        {
            // Interlocked is a full fence: pairs with the change-then-read in WakeOne and DetachedCompleted, so no
            // wake-up is lost (queued work, or a slot freed by async work completing).
            Interlocked.Increment(ref _sleepers);
            try
            {
                while (true)
                {
                    // The flags before the queue: work enqueued before the shutdown is seen here, so it is never left
                    // behind by a worker that saw the shutdown and an empty queue read before the work was there.
                    var closing = _shutdown || _broken is not null;
                    if (!_queue.IsEmpty)
                    {
                        if (TryTakeSlot())
                        {
                            return true;
                        }
                    }
                    else if (closing)
                    {
                        return false;
                    }

                    Monitor.Wait(_sleepLock);
                }
            }
            finally
            {
                Interlocked.Decrement(ref _sleepers);
            }
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private void WakeOne()
    {
        if (Volatile.Read(ref _sleepers) > 0)
        {
            WakeSleeper();
        }
    }

    private void WakeSleeper()
    {
        lock (_sleepLock)
        {
            Monitor.Pulse(_sleepLock);
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

    /// <summary>What <see cref="Future.WorkerName"/> says of async work started on the thread where other async work completed.</summary>
    private const string InlineStarterName = ".NET thread pool";

    /// <summary>Run hooks for async work started by <see cref="StartQueuedAsyncWork"/> on a thread that is no worker.</summary>
    private sealed class InlineStarter(ThreadPoolExecutor owner) : IRunHooks
    {
        public void BeforeComplete()
        {
        }

        public object? Detach(Future future)
        {
            // The slot and the detached count of the completed work pass to this work: no counter changes.
            t_startedInlineDetached = true;
            return null;
        }

        public void DetachedCompleted(object? state) => owner.DetachedCompleted(state);
    }

    /// <summary>One worker thread of the pool (internal so that the executor's task counts can recognise it).</summary>
    internal sealed class Worker : IRunHooks, IWorkerIdentity
    {
        public Worker(ThreadPoolExecutor owner, string name)
        {
            Owner = owner;
            Name = name;
        }

        public ThreadPoolExecutor Owner { get; }

        /// <summary>The counts of the tasks this worker starts and completes itself, written by its thread only.</summary>
        public WorkerTaskCounts Counts { get; } = new();

        public string Name { get; }

        /// <summary>Set when the worker has left the executor (its thread may be parked for reuse).</summary>
        public ManualResetEventSlim Exited { get; } = new();

        public int ThreadId { get; set; }

        public int ProcessId => Environment.ProcessId;

        public void Main() => Owner.WorkerMain(this);

        public Future? Current { get; set; }

        /// <summary>The futures this worker is blocked on (guarded by the owner's graph lock).</summary>
        public BlockingWait? Waiting { get; set; }

        public bool ReleasedIdleToken { get; set; }

        /// <summary>Set while the thread being started for this worker has not yet started its siblings.</summary>
        public bool Launching { get; set; }

        /// <summary>Whether <see cref="Current"/> is async work (so the worker is only starting it).</summary>
        public bool CurrentIsAsync { get; set; }

        /// <summary>The rate-limit permit of <see cref="Current"/>, handed to the work if it detaches.</summary>
        public RateLimitLease? Lease { get; set; }

        /// <summary>Set when <see cref="Current"/> detached: async work that goes on without this thread.</summary>
        public bool Detached { get; set; }

        /// <summary>The dequeued task this worker holds while it waits for a rate-limit permit.</summary>
#pragma warning disable CA1051 // A field, so it can be exchanged with a full fence.
        public Future? AwaitingPermit;
#pragma warning restore CA1051

        // Announce idleness before the result is published, so a caller that reacts to the result by submitting
        // again reuses this thread instead of starting another.
        public void BeforeComplete() => Owner.ReleaseIdleToken(this);

        public object? Detach(Future future) => Owner.Detach(this);

        public void DetachedCompleted(object? state) => Owner.DetachedCompleted(state);
    }
}
