using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Juggle.Internal;

namespace Juggle;

/// <summary>
/// The eventual outcome of a task submitted to an <see cref="Executor"/> (Python's <c>concurrent.futures.Future</c>).
/// Futures are created by executors; this base type has no value, see <see cref="Future{T}"/>.
/// </summary>
/// <remarks>
/// States move pending → running → finished, or pending → cancelled (an async task that honours its
/// <see cref="CancellationToken"/> may also end cancelled from running). All members are thread-safe.
/// </remarks>
public abstract class Future
{
    private protected const int StatePending = (int)FutureState.Pending;
    private protected const int StateRunning = (int)FutureState.Running;
    private protected const int StateFinished = (int)FutureState.Finished;
    private protected const int StateCancelled = (int)FutureState.Cancelled;

    private int _state;
    private int _waiters;
    // A single callback or a List<object>; Action<Future> or IFutureListener. Once done, only the AsTask source (or null).
    private object? _callbacks;

    // The task's exception once it failed, else the token source of running async work (kept after the end only by a
    // future cancelled while running, which has no exception): never both at once, so one slot, 8 bytes less a future.
    private object? _errorOrCancellation;

    // The TaskTrace while something listens, else the ICancelGate of an executor that sets one (the trace holds the
    // gate when there are both): one slot, so a future costs nothing more than before tracing when nothing listens.
    private object? _traceOrGate;

    private protected Future(Executor? owner, long id)
    {
        Owner = owner;
        Id = id;
    }

    /// <summary>A number identifying the task within its executor, in submission order from 1.</summary>
    public long Id { get; }

    /// <summary>The current state.</summary>
    public FutureState State => (FutureState)Volatile.Read(ref _state);

    /// <summary><see langword="true"/> once finished or cancelled (Python's <c>done()</c>).</summary>
    public bool Done => Volatile.Read(ref _state) >= StateFinished;

    /// <summary><see langword="true"/> while a worker executes it (Python's <c>running()</c>).</summary>
    public bool Running => Volatile.Read(ref _state) == StateRunning;

    /// <summary><see langword="true"/> once cancelled (Python's <c>cancelled()</c>).</summary>
    public bool Cancelled => Volatile.Read(ref _state) == StateCancelled;

    /// <summary><see langword="true"/> when finished with an exception.</summary>
    public bool Failed => Volatile.Read(ref _state) == StateFinished && _errorOrCancellation is ExceptionDispatchInfo;

    /// <summary>The name of the worker that ran (or runs) the task, or <see langword="null"/> if it never started.</summary>
    public string? WorkerName { get; private set; }

    /// <summary>When the task started, as a <see cref="TimeProvider.GetTimestamp"/> value of the executor's time provider; 0 if it never started.</summary>
    public long StartTimestamp { get; private set; }

    /// <summary>When the task finished or was cancelled, as a <see cref="TimeProvider.GetTimestamp"/> value; 0 while not done.</summary>
    public long EndTimestamp { get; private set; }

    internal Executor? Owner { get; }

    /// <summary>The task's telemetry while something listens (tracing, the dashboard); null otherwise. Set once, before the future is published.</summary>
    internal TaskTrace? Trace
    {
#if JUGGLE_NO_TRACING_HOOKS
        get => null; // bench/tracing-ab's copy without the hooks (JuggleTracingHooks=false)
#else
        get => _traceOrGate as TaskTrace;
#endif
        set
        {
            System.Diagnostics.Debug.Assert(_traceOrGate is null, "The trace is set before anything else uses the slot.");
            _traceOrGate = value;
        }
    }

    /// <summary><see langword="true"/> when the slot holds a trace, a deferred trace or a cancel gate: only then may the task's run enter a span.</summary>
    private protected bool HasTrace
    {
#if JUGGLE_NO_TRACING_HOOKS
        get => _traceOrGate is not null && false; // bench/tracing-ab's copy without the hooks (JuggleTracingHooks=false); an instance read keeps CA1822 quiet
#else
        get => _traceOrGate is not null;
#endif
    }

    /// <summary>Puts back the worker's own context after <see cref="EnterTrace"/>.</summary>
    private protected static void RestoreContext(ExecutionContext? outer)
    {
        if (outer is not null)
        {
            ExecutionContext.Restore(outer);
        }
    }

    /// <summary>Leaves the tracing decision to the task's start (see <see cref="TaskTelemetry.Decide"/>); called before the future is published.</summary>
    internal void DeferTrace(Delegate? callable) =>
        _traceOrGate = new DeferredTrace(callable, ExecutionContext.Capture(), System.Diagnostics.Stopwatch.GetTimestamp());

    /// <summary>The worker executing the task; used by deadlock detection.</summary>
    internal object? RunningOn { get; private set; }

    /// <summary>Set by an executor that may commit a pending call to run before it starts (the process pool); see <see cref="Cancel"/>.</summary>
    internal ICancelGate? CancelGate
    {
        get => _traceOrGate is TaskTrace trace ? trace.CancelGate : _traceOrGate as ICancelGate;
        set
        {
            if (_traceOrGate is TaskTrace trace)
            {
                trace.CancelGate = value;
            }
            else
            {
                _traceOrGate = value;
            }
        }
    }

    /// <summary>
    /// Attempts to cancel the task (Python's <c>cancel()</c>). Returns <see langword="true"/> if it is cancelled:
    /// it was still pending, or was already cancelled. Returns <see langword="false"/> once running or finished;
    /// a running async task still has its <see cref="CancellationToken"/> signalled, and ends cancelled if it honours
    /// it. Running synchronous code cannot be interrupted in-process (use the process pool to stop it by force).
    /// <see langword="true"/> always means the function never runs. A process pool call already sent ahead to a
    /// worker cannot be promised that (the worker may be starting it): <c>Cancel()</c> returns <see langword="false"/>
    /// and asks the worker to skip it; if it had not started, the future ends cancelled a moment later without running.
    /// </summary>
    public bool Cancel()
    {
        while (true)
        {
            var state = Volatile.Read(ref _state);
            switch (state)
            {
                case StateCancelled:
                    return true;
                case StateFinished:
                    return false;
                case StateRunning:
                    RequestRunningCancellation();
                    return false;
                default:
                    if (CancelGate is { } gate && !gate.TryWithdraw())
                    {
                        // Already committed to a worker: it may be starting now, so no promise (the worker was asked to skip it).
                        return false;
                    }

                    object? callbacks;
                    lock (SyncRoot)
                    {
                        // CAS: TrySetRunning moves pending → running without the lock.
                        if (Interlocked.CompareExchange(ref _state, StateCancelled, StatePending) != StatePending)
                        {
                            break;
                        }

                        callbacks = CompleteLocked(StateCancelled, StatePending);
                    }

                    AfterCompleted(StatePending, callbacks);
                    return true;
            }
        }
    }

    /// <summary>
    /// Waits until done, then rethrows the task's exception if it failed (the void counterpart of
    /// <see cref="Future{T}.Result(TimeSpan?)"/>).
    /// </summary>
    /// <param name="timeout">How long to wait; <see langword="null"/> waits for ever.</param>
    /// <exception cref="TimeoutException">Not done within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException">The future was cancelled.</exception>
    /// <exception cref="DeadlockException">Waiting from a worker on a task of the same executor that can never complete.</exception>
    public void Wait(TimeSpan? timeout = null)
    {
        WaitOrThrowTimeout(timeout);
        ThrowIfFailedOrCancelled();
    }

    /// <summary>Waits up to <paramref name="timeout"/>; returns <see langword="true"/> when done, never throws the task's exception.</summary>
    public bool TryWait(TimeSpan timeout)
    {
        ValidateTimeout(timeout, nameof(timeout));
        return WaitCore(timeout);
    }

    /// <summary>
    /// Waits until done and returns the task's exception, or <see langword="null"/> if it succeeded (Python's
    /// <c>exception()</c>); reads the failure without throwing it.
    /// </summary>
    /// <exception cref="TimeoutException">Not done within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException">The future was cancelled.</exception>
    public Exception? GetException(TimeSpan? timeout = null)
    {
        WaitOrThrowTimeout(timeout);
        if (Volatile.Read(ref _state) == StateCancelled)
        {
            throw NewCancelledException();
        }

        return ErrorInfo?.SourceException;
    }

    /// <summary>
    /// Calls <paramref name="callback"/> with this future when it is done (Python's <c>add_done_callback</c>);
    /// at once, on this thread, if it already is. Callbacks run in the order added, on the thread that completes the
    /// future — for a process pool, a .NET thread pool thread, never the thread reading the worker's answers, so a
    /// callback may wait on the same pool. A callback that throws is logged and does not stop the others.
    /// </summary>
    public void AddDoneCallback(Action<Future> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        AddCallbackCore(callback);
    }

    /// <summary>A <see cref="Task"/> that completes with this future (faulted or cancelled likewise).</summary>
    public Task AsTask() => AsTaskCore();

    /// <summary>Makes the future awaitable: <c>await future</c>.</summary>
    public TaskAwaiter GetAwaiter() => AsTaskCore().GetAwaiter();

    /// <inheritdoc/>
    public override string ToString()
    {
        var state = State;
        var detail = state == FutureState.Finished && ErrorInfo is { } error ? $" raised {error.SourceException.GetType().Name}" : string.Empty;
        return $"<Future #{Id} state={state.ToString().ToLowerInvariant()}{detail}>";
    }

    internal void AddListener(IFutureListener listener) => AddCallbackCore(listener);

    internal void RemoveListener(IFutureListener listener)
    {
        lock (SyncRoot)
        {
            if (ReferenceEquals(_callbacks, listener))
            {
                _callbacks = null;
            }
            else if (_callbacks is List<object> list)
            {
                list.Remove(listener);
            }
        }
    }

    /// <summary>Pending → running. Returns <see langword="false"/> if the future was cancelled first.</summary>
    internal bool TrySetRunning(object worker, string workerName, long timestamp, CancellationTokenSource? cancellation)
    {
#if !JUGGLE_NO_TRACING_HOOKS
        if (_traceOrGate is DeferredTrace deferred)
        {
            ResolveDeferredTrace(deferred, worker, workerName);
        }
#endif

        // Publish the token source before the transition so a racing Cancel() can see it (only async work has one:
        // the field starts null, and a sync task's start skips the store).
        // Only into an empty slot: a failure the executor stored meanwhile (TryFailPending) stays, and the CAS below fails.
        if (cancellation is not null)
        {
            Interlocked.CompareExchange(ref _errorOrCancellation, cancellation, null);
        }

        RunningOn = worker;
        WorkerName = workerName;
        StartTimestamp = timestamp;
        if (Interlocked.CompareExchange(ref _state, StateRunning, StatePending) != StatePending)
        {
            return NeverStarted();
        }

        Trace?.OnStarted(worker, workerName);
        Owner?.OnStarted(worker);
        return true;
    }

    // Submitted while the activity source was still being created: decide now, before the task runs, if the source
    // exists by now. If not, the task does not wait for it (that can take tens of milliseconds, and would delay the first
    // tasks of a process): it runs in its submitter's context and its span is made when it ends (FinishTrace). Out of
    // line, like NeverStarted: TrySetRunning stays small for the JIT to inline into every task's run.
    private void ResolveDeferredTrace(DeferredTrace deferred, object worker, string workerName)
    {
        if (TaskTelemetry.IsSourceReady)
        {
            _traceOrGate = TaskTelemetry.TryCreateDeferred(Owner!, this, deferred);
        }
        else
        {
            deferred.StartedBeforeSource(worker, workerName, System.Diagnostics.Stopwatch.GetTimestamp());
        }
    }

    /// <summary>
    /// Makes the task's span (or, for a task that started before the activity source existed, its submitter's context)
    /// current on this worker thread. Returns the context to restore when the work leaves the thread, or null when the
    /// span stays current until it ends. Called only when the future carries a trace.
    /// </summary>
    private protected ExecutionContext? EnterTrace(bool async)
    {
        switch (_traceOrGate)
        {
            case TaskTrace trace:
                if (!async)
                {
                    trace.Enter(); // ends with the task, on this thread (TaskTrace.OnFinished)
                    return null;
                }

                // Async work carries the span in its awaits' context; this thread goes back to its own.
                var outerOfAsync = ExecutionContext.Capture();
                trace.Enter();
                return outerOfAsync;
            case DeferredTrace { Context: { } context }:
                var outer = ExecutionContext.Capture();
                if (outer is not null)
                {
                    ExecutionContext.Restore(context);
                }

                return outer;
            default:
                return null;
        }
    }

    /// <summary>Ends the task's span, or makes it now for a task that started before the activity source existed.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void FinishTrace(object slot, int finalState, int previousState)
    {
        var error = ErrorInfo;
        var outcome = finalState == StateCancelled ? TaskOutcome.Cancelled : error is null ? TaskOutcome.Succeeded : TaskOutcome.Failed;
        if (slot is TaskTrace trace)
        {
            trace.OnFinished(outcome, error?.SourceException);
        }
        else if (slot is DeferredTrace { Worker: { } worker } late && previousState == StateRunning
            && TaskTelemetry.TryCreateDeferred(Owner!, this, late) is { } made)
        {
            _traceOrGate = made;
            made.OnStarted(worker, late.WorkerName!, late.StartTimestamp);
            made.OnFinished(outcome, error?.SourceException);
        }
    }

    private bool NeverStarted()
    {
        // Cancelled first: it never ran.
        RunningOn = null;
        WorkerName = null;
        StartTimestamp = 0;
        return false;
    }

    internal bool TrySetException(Exception exception)
    {
        object? callbacks;
        int previous;
        lock (SyncRoot)
        {
            previous = ClaimForCompletion();
            if (previous < 0)
            {
                return false;
            }

            _errorOrCancellation = ExceptionDispatchInfo.Capture(exception);
            callbacks = CompleteLocked(StateFinished, previous);
        }

        AfterCompleted(previous, callbacks);
        return true;
    }

    /// <summary>Running → cancelled, when async work honoured its token.</summary>
    internal bool TrySetCancelledWhileRunning()
    {
        object? callbacks;
        lock (SyncRoot)
        {
            if (_state != StateRunning)
            {
                return false;
            }

            callbacks = CompleteLocked(StateCancelled, StateRunning);
        }

        AfterCompleted(StateRunning, callbacks);
        return true;
    }

    /// <summary>Pending or running → cancelled, when the executor knows the function did not run (a worker skipped it).</summary>
    internal bool TryCancelNotRun()
    {
        object? callbacks;
        int previous;
        lock (SyncRoot)
        {
            while (true)
            {
                previous = _state;
                if (previous >= StateFinished)
                {
                    return false;
                }

                if (previous == StateRunning || Interlocked.CompareExchange(ref _state, StateCancelled, StatePending) == StatePending)
                {
                    break;
                }
            }

            callbacks = CompleteLocked(StateCancelled, previous);
        }

        AfterCompleted(previous, callbacks);
        return true;
    }

    /// <summary>Running async work left its worker: it runs on no thread of the executor until it completes.</summary>
    internal void DetachFromWorker() => RunningOn = null;

    /// <summary>
    /// Pending → cancelled, silently: for an executor taking back a future its Submit is about to reject (the caller
    /// never saw it, so no callbacks, counts or trace). <see langword="false"/> if a worker started it first.
    /// </summary>
    internal bool TryWithdraw() => Interlocked.CompareExchange(ref _state, StateCancelled, StatePending) == StatePending;

    /// <summary>Pending → cancelled by the executor (shutdown with cancelFutures).</summary>
    internal bool TryCancelPending() => Volatile.Read(ref _state) == StatePending && Cancel();

    /// <summary>Pending → failed by the executor (for example, broken before the task could start).</summary>
    internal bool TryFailPending(Exception exception)
    {
        object? callbacks;
        lock (SyncRoot)
        {
            if (Interlocked.CompareExchange(ref _state, StateFinished, StatePending) != StatePending)
            {
                return false;
            }

            _errorOrCancellation = ExceptionDispatchInfo.Capture(exception);
            callbacks = CompleteLocked(StateFinished, StatePending);
        }

        AfterCompleted(StatePending, callbacks);
        return true;
    }

    /// <summary>For the typed future: call under <see cref="SyncRoot"/> after storing the value.</summary>
    private protected object? CompleteLocked(int finalState, int previousState)
    {
        EndTimestamp = Owner?.Time.GetTimestamp() ?? 0;
        var runner = RunningOn;
        RunningOn = null;
        if (finalState == StateFinished && _errorOrCancellation is CancellationTokenSource)
        {
            // Only a cancelled future needs its token again (for its OperationCanceledException).
            _errorOrCancellation = null;
        }

        // Count before publishing the state: whoever sees this future done also sees it in Executor.Progress.
        Owner?.CountFinished(previousState, finalState, finalState == StateFinished && _errorOrCancellation is ExceptionDispatchInfo, runner);

        // The span ends before the state is published: whoever sees this future done finds its span exported.
#if !JUGGLE_NO_TRACING_HOOKS
        if (_traceOrGate is { } slot)
        {
            FinishTrace(slot, finalState, previousState);
        }
#endif
        Volatile.Write(ref _state, finalState);
        var callbacks = _callbacks;
        _callbacks = callbacks is null ? null : FindTaskSource(callbacks); // no callback is added once done
        if (_waiters > 0)
        {
            Monitor.PulseAll(SyncRoot);
        }

        return callbacks;
    }

    /// <summary>
    /// Under the lock: returns the state a completion moves from (running, or pending — claimed by CAS because
    /// <see cref="TrySetRunning"/> runs without the lock), or -1 if the future is already done.
    /// </summary>
    private protected int ClaimForCompletion()
    {
        while (true)
        {
            var state = _state;
            if (state >= StateFinished)
            {
                return -1;
            }

            if (state == StateRunning || Interlocked.CompareExchange(ref _state, StateFinished, StatePending) == StatePending)
            {
                return state;
            }
        }
    }

    // The future is its own monitor: no extra object per task. Juggle never hands it to user code as a lock.
    private protected object SyncRoot => this;

    private protected int RawState => _state;

    /// <summary>The source of <see cref="AsTask"/>'s task, if one was made: read without the lock, it is found only once done or when it is the sole callback.</summary>
    private protected IFutureTaskSource? TaskSourceIfAlone => Volatile.Read(ref _callbacks) as IFutureTaskSource;

    /// <summary>Under <see cref="SyncRoot"/>: the source of <see cref="AsTask"/>'s task, if one was made.</summary>
    private protected IFutureTaskSource? TaskSourceLocked => _callbacks is { } callbacks ? FindTaskSource(callbacks) : null;

    /// <summary>Under <see cref="SyncRoot"/>: keeps <paramref name="source"/>, among the callbacks while not done (it then runs as one that does nothing).</summary>
    private protected void AddTaskSourceLocked(IFutureTaskSource source)
    {
        if (_state >= StateFinished)
        {
            _callbacks = source;
        }
        else
        {
            AddCallbackLocked(source);
        }
    }

    private static IFutureTaskSource? FindTaskSource(object callbacks)
    {
        if (callbacks is List<object> list)
        {
            foreach (var callback in list)
            {
                if (callback is IFutureTaskSource source)
                {
                    return source;
                }
            }

            return null;
        }

        return callbacks as IFutureTaskSource;
    }

    private protected ExceptionDispatchInfo? Error => ErrorInfo;

    private ExceptionDispatchInfo? ErrorInfo => _errorOrCancellation as ExceptionDispatchInfo;

    private CancellationTokenSource? RunningCancellation => _errorOrCancellation as CancellationTokenSource;

    private protected abstract Task AsTaskCore();

    /// <summary>Runs the work on the calling worker. Returns <see langword="false"/> if the future was cancelled before it could start.</summary>
    internal abstract bool Run(object worker, string workerName, IRunHooks hooks);

    /// <summary><see langword="true"/> while not started, when the work is async (returns a task).</summary>
    internal abstract bool IsAsyncWork { get; }

    private protected void WaitOrThrowTimeout(TimeSpan? timeout)
    {
        if (timeout is { } t)
        {
            ValidateTimeout(t, nameof(timeout));
        }

        if (!WaitCore(timeout))
        {
            throw new TimeoutException($"Future #{Id} did not complete within {timeout!.Value.TotalSeconds:0.###} s (state: {State.ToString().ToLowerInvariant()}).");
        }
    }

    private protected void ThrowIfFailedOrCancelled()
    {
        if (Volatile.Read(ref _state) == StateCancelled)
        {
            throw NewCancelledException();
        }

        ErrorInfo?.Throw();
    }

    private protected OperationCanceledException NewCancelledException() =>
        new($"Future #{Id} was cancelled.", RunningCancellation?.Token ?? new CancellationToken(true));

    internal static void ValidateTimeout(TimeSpan timeout, string paramName) => Timeouts.Validate(timeout, paramName);

    /// <summary>Blocks until done or timed out. Returns whether the future is done.</summary>
    internal bool WaitCore(TimeSpan? timeout)
    {
        if (Done)
        {
            return true;
        }

        var infinite = timeout is null || timeout == Timeout.InfiniteTimeSpan;
        if (infinite && Owner is not null)
        {
            // Registers this wait in the owner's wait-for graph and throws DeadlockException if it can never end.
            using var _ = Owner.EnterBlockingWait(this);
            return WaitOnLock(Timeout.Infinite);
        }

        if (infinite)
        {
            return WaitOnLock(Timeout.Infinite);
        }

        // Waits beyond what one Monitor.Wait takes (about 24.8 days) are waited in slices.
        var left = timeout!.Value;
        while (left > Timeouts.MaxSlice)
        {
            if (WaitOnLock(ToMilliseconds(Timeouts.MaxSlice)))
            {
                return true;
            }

            left -= Timeouts.MaxSlice;
        }

        return WaitOnLock(ToMilliseconds(left));
    }

    private static int ToMilliseconds(TimeSpan timeout)
    {
        var ms = Math.Ceiling(timeout.TotalMilliseconds);
        return ms >= int.MaxValue ? int.MaxValue - 1 : (int)ms;
    }

    private bool WaitOnLock(int millisecondsTimeout)
    {
        var spinner = default(SpinWait);
        while (!spinner.NextSpinWillYield)
        {
            if (Done)
            {
                return true;
            }

            spinner.SpinOnce();
        }

        var deadline = millisecondsTimeout == Timeout.Infinite ? long.MaxValue : Environment.TickCount64 + millisecondsTimeout;
        lock (SyncRoot)
        {
            _waiters++;
            try
            {
                while (!Done)
                {
                    if (millisecondsTimeout == Timeout.Infinite)
                    {
                        Monitor.Wait(SyncRoot);
                        continue;
                    }

                    var remaining = deadline - Environment.TickCount64;
                    if (remaining <= 0 || !Monitor.Wait(SyncRoot, (int)Math.Min(remaining, int.MaxValue - 1)))
                    {
                        return Done;
                    }
                }

                return true;
            }
            finally
            {
                _waiters--;
            }
        }
    }

    private void RequestRunningCancellation()
    {
        var cts = RunningCancellation;
        if (cts is null)
        {
            return;
        }

        try
        {
            cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The task finished meanwhile.
        }
        catch (AggregateException ex)
        {
            Owner?.LogCallbackFailure(this, ex);
        }
    }

    private void AddCallbackCore(object callback)
    {
        lock (SyncRoot)
        {
            if (_state < StateFinished)
            {
                AddCallbackLocked(callback);
                return;
            }
        }

        Invoke(callback);
    }

    private void AddCallbackLocked(object callback)
    {
        if (_callbacks is null)
        {
            _callbacks = callback;
        }
        else if (_callbacks is List<object> list)
        {
            list.Add(callback);
        }
        else
        {
            _callbacks = new List<object>(4) { _callbacks, callback };
        }
    }

    private protected void AfterCompleted(int previousState, object? callbacks)
    {
        Owner?.ReportFinished(this, previousState, Volatile.Read(ref _state));
        OnCompletedCore();

        if (callbacks is not null && Owner is { MustDeferUserCode: true } owner)
        {
            DeferCallbacks(owner, callbacks);
            return;
        }

        if (callbacks is List<object> list)
        {
            foreach (var callback in list)
            {
                Invoke(callback);
            }
        }
        else if (callbacks is not null)
        {
            Invoke(callbacks);
        }
    }

    /// <summary>
    /// On a thread that must not run user code (a process pool's reader): Juggle's own listeners run here, the user's
    /// callbacks in one work item elsewhere, in the order they were added.
    /// </summary>
    private void DeferCallbacks(Executor owner, object callbacks)
    {
        if (callbacks is IFutureListener listener)
        {
            Invoke(listener);
            return;
        }

        if (callbacks is not List<object> list)
        {
            owner.RunUserCode(static state => { var (future, callback) = ((Future, object))state!; future.Invoke(callback); }, (this, callbacks));
            return;
        }

        List<object>? user = null;
        foreach (var callback in list)
        {
            if (callback is IFutureListener own)
            {
                Invoke(own);
            }
            else
            {
                (user ??= []).Add(callback);
            }
        }

        if (user is not null)
        {
            owner.RunUserCode(
                static state =>
                {
                    var (future, callbacks) = ((Future, List<object>))state!;
                    foreach (var callback in callbacks)
                    {
                        future.Invoke(callback);
                    }
                },
                (this, user));
        }
    }

    /// <summary>Lets the typed future complete its task, before callbacks run.</summary>
    private protected abstract void OnCompletedCore();

    private void Invoke(object callback)
    {
        try
        {
            switch (callback)
            {
                case IFutureListener listener:
                    listener.OnDone(this);
                    break;
                case Action<Future> action:
                    action(this);
                    break;
                default:
                    InvokeTyped(callback);
                    break;
            }
        }
#pragma warning disable CA1031 // A user callback must never stop the others or the worker (Python logs and goes on).
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (Owner is null)
            {
                System.Diagnostics.Trace.TraceError($"Exception in done callback of {this}: {ex}");
            }
            else
            {
                Owner.LogCallbackFailure(this, ex);
            }
        }
    }

    private protected abstract void InvokeTyped(object callback);

    private protected void AddTypedCallback(object callback) => AddCallbackCore(callback);

}
