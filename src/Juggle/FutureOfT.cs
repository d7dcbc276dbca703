using System.Runtime.CompilerServices;
using Juggle.Internal;

namespace Juggle;

/// <summary>The eventual value of a task submitted to an <see cref="Executor"/> (Python's <c>Future</c>).</summary>
/// <typeparam name="T">The task's result type.</typeparam>
public sealed class Future<T> : Future
{
    private object? _work; // a WorkItem<T>, or a bare Func<T> for in-process executors
    private T? _value;

    internal Future(Executor? owner, long id, WorkItem<T>? work)
        : base(owner, id)
    {
        _work = work;
    }

    internal Future(Executor? owner, long id, Func<T> fn)
        : base(owner, id)
    {
        _work = fn;
    }

    /// <summary>The work item, for executors that ship work elsewhere (they always get one).</summary>
    internal WorkItem<T>? Work => _work as WorkItem<T>;

    /// <summary>The user's delegate, until the task starts.</summary>
    internal Delegate? Callable => _work as Delegate ?? (_work as WorkItem<T>)?.Callable;

    /// <summary>
    /// Waits until done and returns the value (Python's <c>result()</c>), or rethrows the task's own exception
    /// (same type, original stack preserved).
    /// </summary>
    /// <param name="timeout">How long to wait; <see langword="null"/> waits for ever.</param>
    /// <exception cref="TimeoutException">Not done within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException">The future was cancelled.</exception>
    /// <exception cref="DeadlockException">Waiting from a worker on a task of the same executor that can never complete.</exception>
    public T Result(TimeSpan? timeout = null)
    {
        // A negative timeout takes the slow path too, so it is rejected whatever the state.
        if (RawState != StateFinished || Error is not null || timeout < TimeSpan.Zero)
        {
            WaitOrThrowTimeout(timeout);
            ThrowIfFailedOrCancelled();
        }

        return _value!;
    }

    /// <summary>Returns the value if the task finished successfully; never blocks or throws.</summary>
    public bool TryGetResult(out T value)
    {
        if (RawState == StateFinished && Error is null)
        {
            value = _value!;
            return true;
        }

        value = default!;
        return false;
    }

    /// <summary>Like <see cref="Future.AddDoneCallback(Action{Future})"/>, with the typed future.</summary>
    public void AddDoneCallback(Action<Future<T>> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        AddTypedCallback(callback);
    }

    /// <summary>A <see cref="Task{TResult}"/> that completes with this future (faulted or cancelled likewise).</summary>
    public new Task<T> AsTask()
    {
        if (TaskSourceIfAlone is TaskSource existing)
        {
            return existing.Task;
        }

        lock (SyncRoot)
        {
            if (TaskSourceLocked is not TaskSource source)
            {
                source = new TaskSource();
                if (Done)
                {
                    SetTaskFromState(source);
                }

                AddTaskSourceLocked(source);
            }

            return source.Task;
        }
    }

    /// <summary>Makes the future awaitable: <c>var value = await future;</c>.</summary>
    public new TaskAwaiter<T> GetAwaiter() => AsTask().GetAwaiter();

    internal bool TrySetResult(T value)
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

            _value = value;
            callbacks = CompleteLocked(StateFinished, previous);
        }

        AfterCompleted(previous, callbacks);
        return true;
    }

    /// <summary><see langword="true"/> until started when the work is async (returns a task).</summary>
    internal override bool IsAsyncWork => _work is WorkItem<T> { IsAsync: true };

    /// <inheritdoc/>
    internal override bool Run(object worker, string workerName, IRunHooks hooks)
    {
        var work = _work;
        var fn = work as Func<T>;
        var item = fn is null ? (WorkItem<T>)work! : null;
        if (item is { IsAsync: true })
        {
            return RunAsync(item, worker, workerName, hooks);
        }

        if (!TrySetRunning(worker, workerName, Owner?.Time.GetTimestamp() ?? 0, cancellation: null))
        {
            return false;
        }

        // Like CPython's work item: once started, the future no longer holds the callable and its arguments.
        _work = null;
        var outer = HasTrace ? EnterTrace(async: false) : null;

        T value;
        try
        {
            value = fn is not null ? fn() : item!.Invoke(CancellationToken.None);
        }
#pragma warning disable CA1031 // The task's exception is the future's outcome.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            RestoreContext(outer);
            hooks.BeforeComplete();
            TrySetException(ex);
            return true;
        }

        RestoreContext(outer);
        hooks.BeforeComplete();
        TrySetResult(value);
        return true;
    }

    /// <summary>
    /// Starts async work on the worker. If its task is not complete when the function returns, the work detaches:
    /// the worker goes on with other work and the future completes from the task's continuation.
    /// </summary>
    private bool RunAsync(WorkItem<T> item, object worker, string workerName, IRunHooks hooks)
    {
        var cancellation = new CancellationTokenSource();
        if (!TrySetRunning(worker, workerName, Owner?.Time.GetTimestamp() ?? 0, cancellation))
        {
            return false;
        }

        _work = null;
        var outer = HasTrace ? EnterTrace(async: true) : null;
        Task task;
        try
        {
            task = item.StartAsync(cancellation.Token);
        }
#pragma warning disable CA1031 // The task's exception is the future's outcome.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            RestoreContext(outer);
            hooks.BeforeComplete();
            CompleteFailed(ex, cancellation);
            return true;
        }

        RestoreContext(outer);
        if (!task.IsCompleted)
        {
            // Deadlock detection must not take this future for work of the worker's next task.
            DetachFromWorker();
            var detached = new DetachedRun(this, item, task, cancellation, hooks, hooks.Detach(this));
            task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(detached.OnCompleted);
            return true;
        }

        hooks.BeforeComplete();
        CompleteFromTask(item, task, cancellation);
        return true;
    }

    private void CompleteFromTask(WorkItem<T> item, Task task, CancellationTokenSource cancellation)
    {
        T value;
        try
        {
            value = item.GetAsyncResult(task);
        }
#pragma warning disable CA1031 // The task's exception is the future's outcome.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            CompleteFailed(ex, cancellation);
            return;
        }

        TrySetResult(value);
    }

    private void CompleteFailed(Exception exception, CancellationTokenSource cancellation)
    {
        if (exception is OperationCanceledException && cancellation.IsCancellationRequested)
        {
            TrySetCancelledWhileRunning();
        }
        else
        {
            TrySetException(exception);
        }
    }

    private protected override Task AsTaskCore() => AsTask();

    private protected override void OnCompletedCore()
    {
        if (TaskSourceIfAlone is TaskSource source)
        {
            SetTaskFromState(source);
        }
    }

    private protected override void InvokeTyped(object callback) => ((Action<Future<T>>)callback)(this);

    /// <summary>The source of <see cref="AsTask"/>'s task; among the callbacks it does nothing, as <see cref="OnCompletedCore"/> completes it first.</summary>
    private sealed class TaskSource() : TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously), IFutureTaskSource
    {
        public void OnDone(Future future)
        {
        }
    }

    /// <summary>Async work that left its worker: completes the future when the task completes, then tells the executor.</summary>
    private sealed class DetachedRun(Future<T> future, WorkItem<T> item, Task task, CancellationTokenSource cancellation, IRunHooks hooks, object? state)
    {
        public void OnCompleted()
        {
            try
            {
                future.CompleteFromTask(item, task, cancellation);
            }
            finally
            {
                hooks.DetachedCompleted(state);
            }
        }
    }

    private void SetTaskFromState(TaskCompletionSource<T> tcs)
    {
        if (Cancelled)
        {
            tcs.TrySetCanceled();
        }
        else if (Error is { } error)
        {
            tcs.TrySetException(error.SourceException);
        }
        else
        {
            tcs.TrySetResult(_value!);
        }
    }
}
