using System.Globalization;
using System.Threading.RateLimiting;
using Juggle.Internal;
using Microsoft.Extensions.Logging;

namespace Juggle;

/// <summary>
/// Runs callables asynchronously on a pool of workers (Python's <c>concurrent.futures.Executor</c>).
/// Submit work, get a <see cref="Future{T}"/> back; map a function over many items; shut down with
/// <c>using</c>/<c>await using</c>. Every executor passes the same contract tests.
/// </summary>
public abstract partial class Executor : IDisposable, IAsyncDisposable
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> that publishes task counts.</summary>
    public const string MeterName = JuggleMetrics.MeterName;

    private static long s_executorCount;

    private readonly IProgress<ExecutorProgress>? _progress;
    private readonly ILogger? _logger;
    private readonly RateLimiter? _rateLimiter;
    private readonly bool _ownsRateLimiter;
    private readonly KeyValuePair<string, object?> _nameTag;
    private readonly TaskCounts _counts = new();
    private int _disposed;

    /// <summary>The executor whose queued user code (callbacks, progress) this thread is running, if any.</summary>
    [ThreadStatic]
    private static Executor? t_runningUserCodeOf;
    private readonly Lock _userCodeLock = new();
    private int _userCodeQueued;
    private TaskCompletionSource? _userCodeDrained;

    private protected Executor(ExecutorOptions options, int defaultMaxWorkers, string kind)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Number = Interlocked.Increment(ref s_executorCount);
        MaxWorkers = options.MaxWorkers ?? defaultMaxWorkers;
        Name = options.Name ?? Names.Numbered(kind, "-", Number);
        Time = options.TimeProvider;
        _progress = options.Progress;
        _logger = options.Logger;
        if (options.TasksPerSecond is { } perSecond)
        {
            _rateLimiter = PerSecondLimiter.Create(perSecond);
            _ownsRateLimiter = true;
        }
        else
        {
            _rateLimiter = options.RateLimiter;
        }

        _nameTag = new KeyValuePair<string, object?>("juggle.executor", Name);
        TelemetryStartup.Begin();
        ExitWait.Register(this);
    }

    /// <summary>The most tasks this executor runs at once.</summary>
    public int MaxWorkers { get; }

    /// <summary>The executor's name, used in logs and metrics.</summary>
    public string Name { get; }

    /// <summary><see langword="true"/> once <see cref="Shutdown(bool, bool)"/> (or Dispose) was called: no more submits.</summary>
    public abstract bool IsShutdown { get; }

    /// <summary>A snapshot of the task counts: submitted, running, succeeded, failed, cancelled.</summary>
    public ExecutorProgress Progress => _counts.Snapshot();

    /// <summary>The clock for timestamps (<see cref="Future.StartTimestamp"/>) and deadlines.</summary>
    public TimeProvider Time { get; }

    /// <summary>A number identifying this executor within the process, from 1.</summary>
    private protected long Number { get; }

    /// <summary>Schedules <paramref name="fn"/> to run and returns a future for its result (Python's <c>submit</c>).</summary>
    /// <exception cref="InvalidOperationException">The executor is shut down, or the process is exiting.</exception>
    /// <exception cref="BrokenExecutorException">The executor is broken.</exception>
    public Future<T> Submit<T>(Func<T> fn)
    {
        ArgumentNullException.ThrowIfNull(fn);

        // In-process executors run the delegate as is: no work item to allocate on the hottest path.
        return RunsDelegatesInProcess
            ? Publish(new Future<T>(this, Interlocked.Increment(ref _counts.NextId), fn))
            : Enqueue(new FuncWorkItem<T>(fn));
    }

    /// <summary>Schedules <c>fn(arg)</c>; the form to use with the process pool, whose functions are static methods.</summary>
    public Future<TResult> Submit<TArg, TResult>(Func<TArg, TResult> fn, TArg arg)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new FuncWorkItem<TArg, TResult>(fn, arg));
    }

    /// <summary>Schedules <c>fn(arg1, arg2)</c>.</summary>
    public Future<TResult> Submit<TArg1, TArg2, TResult>(Func<TArg1, TArg2, TResult> fn, TArg1 arg1, TArg2 arg2)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new FuncWorkItem<TArg1, TArg2, TResult>(fn, arg1, arg2));
    }

    /// <summary>Schedules an action; the future's <see cref="Future.Wait(TimeSpan?)"/> rethrows its exception.</summary>
    public Future Submit(Action fn)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new ActionWorkItem(fn));
    }

    /// <summary>
    /// Schedules async work. It holds one of the <see cref="MaxWorkers"/> slots until its task completes (so
    /// <see cref="MaxWorkers"/> bounds how many run at once, sync and async together) but, on the thread pool executor,
    /// no thread while it awaits. <see cref="Future.Cancel"/> on the running future signals <paramref name="fn"/>'s token.
    /// </summary>
    public Future<T> Submit<T>(Func<CancellationToken, Task<T>> fn)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new AsyncWorkItem<T>(fn));
    }

    /// <summary>Schedules async work without a result; see <see cref="Submit{T}(Func{CancellationToken, Task{T}})"/>.</summary>
    public Future Submit(Func<CancellationToken, Task> fn)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return Enqueue(new AsyncActionWorkItem(fn));
    }

    /// <summary>
    /// Stops accepting work and frees the workers (Python's <c>shutdown</c>). Pending tasks still run unless
    /// <paramref name="cancelFutures"/> is set, which cancels every task not yet started. Safe to call more than once.
    /// </summary>
    /// <param name="wait">Block until every running and pending task is done and the workers have exited.</param>
    /// <param name="cancelFutures">Cancel the futures that have not started.</param>
    public void Shutdown(bool wait = true, bool cancelFutures = false)
    {
        ShutdownCore(cancelFutures);
        if (wait)
        {
            WaitForWorkers();
            JuggleMetrics.Flush(); // the measurements of the process's first tasks reach the listeners before Shutdown returns
            ReleaseRateLimiterUnlessOnOwnWorker();
            if (!OnOwnWorker)
            {
                ExitWait.Unregister(this);
            }
        }
    }

    /// <summary>Like <see cref="Shutdown(bool, bool)"/> with <c>wait: true</c>, without blocking a thread.</summary>
    public async Task ShutdownAsync(bool cancelFutures = false, CancellationToken cancellationToken = default)
    {
        ShutdownCore(cancelFutures);
        await WaitForWorkersAsync(cancellationToken).ConfigureAwait(false);
        JuggleMetrics.Flush();
        ReleaseRateLimiterUnlessOnOwnWorker();
        if (!OnOwnWorker)
        {
            ExitWait.Unregister(this);
        }
    }

    /// <summary>
    /// <see langword="true"/> on threads where user code (done callbacks, the progress handler) must not run: a
    /// process pool's reader threads, where a callback waiting on the same pool would stall it for ever.
    /// </summary>
    internal virtual bool MustDeferUserCode => false;

    /// <summary>Runs <paramref name="action"/> on a pool thread, counted so <see cref="UserCodeDrained"/> can wait for it.</summary>
    internal void RunUserCode(Action<object?> action, object? state)
    {
        lock (_userCodeLock)
        {
            if (_userCodeQueued++ == 0)
            {
                _userCodeDrained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        ThreadPool.UnsafeQueueUserWorkItem(static s => s.Owner.RunQueuedUserCode(s.Action, s.State), (Owner: this, Action: action, State: state), preferLocal: false);
    }

    /// <summary>
    /// Completes once the user code queued by <see cref="RunUserCode"/> has run (at once when called from it, which
    /// would otherwise wait for itself), so <c>Shutdown(wait: true)</c> returns after the callbacks, as in Python.
    /// </summary>
    private protected Task UserCodeDrained()
    {
        if (t_runningUserCodeOf == this)
        {
            return Task.CompletedTask;
        }

        lock (_userCodeLock)
        {
            return _userCodeDrained?.Task ?? Task.CompletedTask;
        }
    }

    private void RunQueuedUserCode(Action<object?> action, object? state)
    {
        var outer = t_runningUserCodeOf;
        t_runningUserCodeOf = this;
        try
        {
            action(state);
        }
        finally
        {
            t_runningUserCodeOf = outer;
            TaskCompletionSource? drained = null;
            lock (_userCodeLock)
            {
                if (--_userCodeQueued == 0)
                {
                    drained = _userCodeDrained;
                    _userCodeDrained = null;
                }
            }

            drained?.TrySetResult();
        }
    }

    /// <summary>Shuts down and waits for the workers: <c>Shutdown(wait: true)</c>.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Shuts down and waits for the workers without blocking a thread.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await ShutdownAsync().ConfigureAwait(false);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Shuts down (waiting) when <paramref name="disposing"/>.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Shutdown(wait: true);
        }
    }

    /// <summary>Queues a future; throws if the executor is shut down or broken. Must be atomic with the shutdown check.</summary>
    private protected abstract void SubmitCore(Future future);

    /// <summary>Marks the executor shut down, wakes idle workers, and cancels pending futures if asked.</summary>
    private protected abstract void ShutdownCore(bool cancelFutures);

    private protected abstract void WaitForWorkers();

    /// <summary><see langword="true"/> when the calling thread is one of this executor's workers (a task shutting its executor down).</summary>
    private protected virtual bool OnOwnWorker => false;

    private protected abstract Task WaitForWorkersAsync(CancellationToken cancellationToken);

    /// <summary>The workers alive now (for the dashboard).</summary>
    internal virtual IReadOnlyList<WorkerInfo> DescribeWorkers() => [];

    /// <summary>How many workers died while running or waiting for work and were replaced (worker processes that crashed or were killed).</summary>
    internal virtual int WorkerRestarts => 0;

    /// <summary>What the dashboard calls this executor's kind: <c>threads</c>, <c>processes</c> or <c>cluster</c>.</summary>
    internal virtual string DashboardKind => this is ProcessPoolExecutor ? "processes" : "threads";

    /// <summary>Registers a blocking wait on <paramref name="future"/> from the current thread; throws <see cref="DeadlockException"/> if it can never end.</summary>
    internal virtual IDisposable? EnterBlockingWait(Future future) => null;

    /// <summary>Lets an executor reject work it cannot run (the process pool: not a static method, not serialisable) before a future exists.</summary>
    private protected virtual void ValidateWork<T>(WorkItem<T> work)
    {
    }

    internal Future<T> Enqueue<T>(WorkItem<T> work)
    {
        ValidateWork(work);
        return Publish(new Future<T>(this, Interlocked.Increment(ref _counts.NextId), work));
    }

    /// <summary><see langword="true"/> for executors that invoke delegates in this process (no serialisation).</summary>
    private protected virtual bool RunsDelegatesInProcess => false;

    /// <summary>
    /// <c>Map</c>'s window when the caller passes no <c>bufferSize</c>: tasks in flight, or for an executor that grows its
    /// window (see <see cref="InitialMapBufferSize"/>) the cap of that growth, in items.
    /// </summary>
    private protected virtual int DefaultMapBufferSize => (int)Math.Min(2L * MaxWorkers, int.MaxValue);

    // Out of line and not generic: with nothing listening a Submit pays the inlined test in Publish only.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void AttachTrace(Future future, Delegate? callable)
    {
        switch (TaskTelemetry.Decide(deferAllowed: RunsDelegatesInProcess))
        {
            case TraceDecision.Trace:
                future.Trace = TaskTelemetry.TryCreate(this, future, callable);
                break;
            case TraceDecision.Defer:
                future.DeferTrace(callable);
                break;
        }
    }

    private Future<T> Publish<T>(Future<T> future)
    {
        if (!TaskTelemetry.NothingListens)
        {
            AttachTrace(future, future.Callable);
        }

        try
        {
            if (ExitWait.Exiting)
            {
                throw ExitWait.SubmitDuringExit(Name);
            }

            SubmitCore(future);
        }
        catch
        {
            Interlocked.Increment(ref _counts.Rejected);
            future.Trace?.OnFinished(TaskOutcome.Cancelled, null);
            throw;
        }

        JuggleMetrics.Submitted(_nameTag);

        ReportProgress();
        return future;
    }

    /// <summary><see langword="true"/> when task starts go through a rate limiter.</summary>
    internal bool HasRateLimiter => _rateLimiter is not null;

    /// <summary>
    /// Takes a start permit from the rate limiter, if any; blocks until one is granted. Returns <see langword="null"/>
    /// without a permit if <paramref name="future"/> is cancelled meanwhile, so its worker is free again.
    /// </summary>
    internal RateLimitLease? AcquireStartPermit(Future? future = null)
    {
        if (_rateLimiter is null)
        {
            return null;
        }

        var lease = _rateLimiter.AttemptAcquire(1);
        if (lease.IsAcquired)
        {
            return lease;
        }

        lease.Dispose();
        using (var cancelWhenDone = future is null ? null : new CancelWhenDone(future))
        {
            try
            {
                lease = _rateLimiter.AcquireAsync(1, cancelWhenDone?.Token ?? default).AsTask().GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (future is { Done: true })
            {
                return null;
            }
        }

        if (!lease.IsAcquired)
        {
            lease.Dispose();
            throw new InvalidOperationException($"The rate limiter of executor '{Name}' refused a permit (its queue is full). Raise the limiter's QueueLimit.");
        }

        return lease;
    }

    /// <summary>A task started on <paramref name="worker"/> (called on the thread that runs it).</summary>
    internal void OnStarted(object worker)
    {
        if (worker is ThreadPoolExecutor.Worker own)
        {
            own.Counts.CountStarted();
        }
        else
        {
            _counts.Started.Increment();
        }

        JuggleMetrics.Running(1, _nameTag);

        ReportProgress();
    }

    /// <summary>
    /// Updates the counts; called by the future under its lock, before its final state is visible. <paramref name="runner"/>
    /// is the worker a started task ran on, if it completes there.
    /// </summary>
    internal void CountFinished(int previousState, int finalState, bool failed, object? runner)
    {
        // A task that started on a thread pool worker and completes there is counted in the worker's own cells; only
        // that thread completes a future that runs on it (async work leaves its worker before it can complete elsewhere).
        if (previousState == (int)FutureState.Running && runner is ThreadPoolExecutor.Worker own)
        {
            own.Counts.CountFinished(finalState, failed);
        }
        else
        {
            _counts.CountFinished(previousState == (int)FutureState.Running, finalState, failed);
        }
    }

    /// <summary>Adds a worker's own task counts to <see cref="Progress"/>.</summary>
    private protected void AddWorkerCounts(WorkerTaskCounts counts) => _counts.Add(counts);

    /// <summary>Publishes metrics and progress for a finished future; called outside its lock.</summary>
    internal void ReportFinished(Future future, int previousState, int finalState)
    {
        if (JuggleMetrics.FinishedWanted)
        {
            RecordFinished(future, previousState, finalState);
        }

        ReportProgress();
    }

    // Out of line: with nothing listening a finished task pays the one test above, and ReportFinished stays small.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void RecordFinished(Future future, int previousState, int finalState)
    {
        if (previousState == (int)FutureState.Running)
        {
            JuggleMetrics.Running(-1, _nameTag);
        }

        if (JuggleMetrics.CompletedWanted)
        {
            var outcome = finalState == (int)FutureState.Cancelled ? "cancelled" : future.Failed ? "failed" : "succeeded";
            var errorType = future.Failed && future.GetException() is { } error ? error.GetType().FullName : null;
            JuggleMetrics.Completed(_nameTag, outcome, errorType);
        }

        if (future.StartTimestamp != 0 && JuggleMetrics.DurationWanted)
        {
            JuggleMetrics.Duration(Time.GetElapsedTime(future.StartTimestamp, future.EndTimestamp).TotalSeconds, _nameTag);
        }
    }

    internal void LogCallbackFailure(Future future, Exception exception)
    {
        if (_logger is not null)
        {
            _logger.LogError(exception, "Exception in done callback of {Future} (executor {Executor})", future, Name);
        }
        else
        {
            System.Diagnostics.Trace.TraceError($"Exception in done callback of {future} (executor {Name}): {exception}");
        }
    }

    internal void LogError(Exception exception, string message)
    {
        if (_logger is not null)
        {
            _logger.LogError(exception, "{Message} (executor {Executor})", message, Name);
        }
        else
        {
            System.Diagnostics.Trace.TraceError($"{message} (executor {Name}): {exception}");
        }
    }

    // Inlined: without a progress handler, the three reports of a task cost a test each.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private void ReportProgress()
    {
        if (_progress is not null)
        {
            ReportProgressToHandler();
        }
    }

    private void ReportProgressToHandler()
    {
        if (MustDeferUserCode)
        {
            RunUserCode(static state => ((Executor)state!).ReportProgressNow(), this);
            return;
        }

        ReportProgressNow();
    }

    private void ReportProgressNow()
    {
        try
        {
            _progress!.Report(Progress);
        }
#pragma warning disable CA1031 // A user's progress handler must not kill a worker thread (and the process) or fail a submit.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogError(ex, "The progress handler threw");
        }
    }

    // A task that shuts its own executor down returns before its worker has started the queued tasks, which still
    // need the limiter; left undisposed, it is collected with the executor.
    private void ReleaseRateLimiterUnlessOnOwnWorker()
    {
        if (!OnOwnWorker)
        {
            ReleaseRateLimiter();
        }
    }

    private void ReleaseRateLimiter()
    {
        if (_ownsRateLimiter)
        {
            _rateLimiter?.Dispose();
        }
    }
}
