using System.Collections.Concurrent;

namespace Juggle.Tests;

/// <summary>
/// The behaviour every <see cref="Executor"/> must have (CPython's test_concurrent_futures, plus Juggle's additions).
/// Subclass it per executor. Tasks are only static methods of <see cref="ContractFunctions"/> with JSON-serialisable
/// arguments, so executors that run work in other processes pass the same tests; handshakes use
/// <see cref="CrossProcessGate"/> (declare the gate after the executor, so it is disposed first and frees any task
/// still blocked on it before the executor waits for its workers).
/// </summary>
public abstract partial class ExecutorContractTests
{
    /// <summary>
    /// The guard for every wait: long enough never to fire on a healthy run, short enough to fail fast. It covers one
    /// cluster redelivery: a worker whose claim goes unanswered hands its task back after its 30 s claim timeout.
    /// </summary>
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    /// <summary>For waits that are expected to time out.</summary>
    protected static readonly TimeSpan Brief = TimeSpan.FromMilliseconds(100);

    /// <summary>Creates the executor under test with <paramref name="maxWorkers"/> workers.</summary>
    protected abstract Executor CreateExecutor(int maxWorkers);

    /// <summary>Creates the executor under test with <paramref name="maxWorkers"/> workers and options set by <paramref name="configure"/>.</summary>
    protected abstract Executor CreateExecutor(int maxWorkers, Action<ExecutorOptions> configure);

    /// <summary>
    /// <see langword="true"/> for executors that stop running synchronous work when its future is cancelled (the
    /// process pool kills the worker process). <see cref="Future.Cancel"/> still returns <see langword="false"/> for a
    /// running task; the future then ends cancelled instead of finishing.
    /// </summary>
    protected virtual bool CancelStopsRunningWork => false;

    /// <summary>Submits a task that blocks on <paramref name="gate"/> and waits until it runs.</summary>
    protected static Future<string> SubmitBlocked(Executor pool, CrossProcessGate gate)
    {
        var future = pool.Submit(ContractFunctions.BlockUntilReleased, gate.Path);
        Assert.True(gate.WaitStarted(Patience), "the blocking task did not start");
        return future;
    }

    [Fact]
    public void Submit_returns_the_value()
    {
        using var pool = CreateExecutor(2);
        Assert.Equal(42, pool.Submit(ContractFunctions.Answer).Result(Patience));
        Assert.Equal(9, pool.Submit(ContractFunctions.Square, 3).Result(Patience));
        Assert.Equal(5, pool.Submit(ContractFunctions.Add, 2, 3).Result(Patience));
    }

    [Fact]
    public void Submit_carries_strings_arrays_and_records()
    {
        using var pool = CreateExecutor(2);
        Assert.Equal("héllo wörld ✓ \"quoted\"\n", pool.Submit(ContractFunctions.Echo, "héllo wörld ✓ \"quoted\"\n").Result(Patience));
        Assert.Equal(10, pool.Submit(ContractFunctions.Sum, new[] { 1, 2, 3, 4 }).Result(Patience));
        Assert.Equal("(1, 2) p", pool.Submit(ContractFunctions.Describe, new ContractPoint(1, 2, "p")).Result(Patience));
        Assert.Equal(new ContractPoint(2, 1, "m"), pool.Submit(ContractFunctions.Mirror, new ContractPoint(1, 2, "m")).Result(Patience));
    }

    [Fact]
    public void Many_tasks_all_complete_with_their_own_values()
    {
        using var pool = CreateExecutor(4);
        var futures = Enumerable.Range(0, 200).Select(i => pool.Submit(ContractFunctions.Square, i)).ToList();
        Assert.Equal(Enumerable.Range(0, 200).Select(i => i * i), futures.Select(f => f.Result(Patience)));
        Assert.All(futures, f => Assert.Equal(FutureState.Finished, f.State));
    }

    [Fact]
    public void Ids_increase_in_submission_order()
    {
        using var pool = CreateExecutor(2);
        var ids = Enumerable.Range(0, 10).Select(i => pool.Submit(ContractFunctions.Square, i).Id).ToList();
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(10, ids.Distinct().Count());
    }

    [Fact]
    public void Submit_action_completes_and_Wait_rethrows_its_exception()
    {
        using var pool = CreateExecutor(2);
        var ok = pool.Submit(ContractFunctions.DoNothing);
        ok.Wait(Patience);
        Assert.Equal(FutureState.Finished, ok.State);
        Assert.Null(ok.GetException(Patience));

        var bad = pool.Submit(ContractFunctions.FailAction);
        var ex = Assert.Throws<InvalidOperationException>(() => bad.Wait(Patience));
        Assert.Equal(ContractFunctions.FailurePrefix + "action", ex.Message);
        Assert.True(bad.Failed);
    }

    [Fact]
    public async Task Async_work_returns_its_value_or_exception()
    {
        using var pool = CreateExecutor(2);
        Assert.Equal(42, pool.Submit(ContractFunctions.AnswerAsync).Result(Patience));
        var bad = pool.Submit(ContractFunctions.FailAsync);
        var ex = Assert.Throws<InvalidOperationException>(() => bad.Wait(Patience));
        Assert.Equal(ContractFunctions.FailurePrefix + "async", ex.Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => bad.AsTask().WaitAsync(Patience));
    }

    [Fact]
    public void Result_rethrows_the_tasks_own_exception()
    {
        using var pool = CreateExecutor(2);
        var future = pool.Submit(ContractFunctions.Fail, "boom");

        var ex = Assert.Throws<InvalidOperationException>(() => future.Result(Patience));
        Assert.Equal(ContractFunctions.FailurePrefix + "boom", ex.Message);
        Assert.Equal(FutureState.Finished, future.State);
        Assert.True(future.Done);
        Assert.True(future.Failed);
        Assert.False(future.Cancelled);
        Assert.False(future.TryGetResult(out _));

        // Every read rethrows, not just the first.
        Assert.Throws<InvalidOperationException>(() => future.Result(Patience));
        Assert.Contains("InvalidOperationException", future.ToString());
    }

    [Fact]
    public void GetException_reads_the_failure_without_throwing()
    {
        using var pool = CreateExecutor(2);
        var failed = pool.Submit(ContractFunctions.Fail, "read me");
        var ok = pool.Submit(ContractFunctions.Square, 4);

        var error = failed.GetException(Patience);
        Assert.IsType<InvalidOperationException>(error);
        Assert.Equal(ContractFunctions.FailurePrefix + "read me", error.Message);
        Assert.Null(ok.GetException(Patience));
        Assert.True(ok.TryGetResult(out var value));
        Assert.Equal(16, value);
    }

    [Fact]
    public void Result_GetException_and_Wait_time_out_while_the_task_runs()
    {
        using var pool = CreateExecutor(1);
        using var gate = new CrossProcessGate();
        var future = SubmitBlocked(pool, gate);

        var ex = Assert.Throws<TimeoutException>(() => future.Result(Brief));
        Assert.Contains($"#{future.Id}", ex.Message);
        Assert.Throws<TimeoutException>(() => future.GetException(Brief));
        Assert.Throws<TimeoutException>(() => future.Wait(Brief));
        Assert.Throws<TimeoutException>(() => future.Result(TimeSpan.Zero));
        Assert.False(future.TryWait(TimeSpan.Zero));
        Assert.True(future.Running);
        Assert.Equal(FutureState.Running, future.State);

        gate.Release();
        Assert.Equal("released", future.Result(Patience));
        Assert.Equal("released", future.Result(TimeSpan.Zero));
        Assert.True(future.TryWait(TimeSpan.Zero));
    }

    [Fact]
    public void Negative_timeouts_are_rejected_naming_the_parameter()
    {
        using var pool = CreateExecutor(1);
        var future = pool.Submit(ContractFunctions.Answer);
        future.Wait(Patience);
        var negative = TimeSpan.FromSeconds(-2);

        Assert.Equal("timeout", Assert.Throws<ArgumentOutOfRangeException>(() => future.Result(negative)).ParamName);
        Assert.Equal("timeout", Assert.Throws<ArgumentOutOfRangeException>(() => future.Wait(negative)).ParamName);
        Assert.Equal("timeout", Assert.Throws<ArgumentOutOfRangeException>(() => future.GetException(negative)).ParamName);
        Assert.Equal("timeout", Assert.Throws<ArgumentOutOfRangeException>(() => future.TryWait(negative)).ParamName);
        Assert.Equal("timeout", Assert.Throws<ArgumentOutOfRangeException>(() => Futures.AsCompleted([future], negative)).ParamName);
        Assert.Equal("timeout", Assert.Throws<ArgumentOutOfRangeException>(() => Futures.Wait([future], negative)).ParamName);

        // Infinite is fine.
        Assert.Equal(42, future.Result(Timeout.InfiniteTimeSpan));
    }

    [Fact]
    public void States_move_from_pending_to_running_to_finished()
    {
        using var pool = CreateExecutor(1);
        using var gate = new CrossProcessGate();
        var first = SubmitBlocked(pool, gate);
        var second = pool.Submit(ContractFunctions.Square, 5);

        Assert.Equal(FutureState.Running, first.State);
        Assert.True(first.Running);
        Assert.False(first.Done);
        Assert.NotNull(first.WorkerName);
        Assert.NotEqual(0, first.StartTimestamp);
        Assert.Equal(0, first.EndTimestamp);

        Assert.Equal(FutureState.Pending, second.State);
        Assert.False(second.Running);
        Assert.False(second.Done);
        Assert.False(second.Cancelled);
        Assert.False(second.TryGetResult(out _));
        Assert.Null(second.WorkerName);
        Assert.Equal(0, second.StartTimestamp);

        gate.Release();
        Assert.Equal(25, second.Result(Patience));
        Assert.Equal("released", first.Result(Patience));
        Assert.Equal(FutureState.Finished, first.State);
        Assert.Equal(FutureState.Finished, second.State);
        Assert.True(first.EndTimestamp >= first.StartTimestamp);
        Assert.True(second.StartTimestamp >= first.EndTimestamp, "with one worker the second task starts after the first ends");
        Assert.NotNull(second.WorkerName);
    }

    [Fact]
    public void Cancel_a_pending_future()
    {
        using var pool = CreateExecutor(1);
        using var gate = new CrossProcessGate();
        var running = SubmitBlocked(pool, gate);
        var pending = pool.Submit(ContractFunctions.Square, 5);
        var after = pool.Submit(ContractFunctions.Square, 6);

        Assert.True(pending.Cancel());
        Assert.Equal(FutureState.Cancelled, pending.State);
        Assert.True(pending.Cancelled);
        Assert.True(pending.Done);
        Assert.False(pending.Running);
        Assert.False(pending.Failed);
        Assert.True(pending.Cancel(), "cancelling twice still reports cancelled");

        Assert.ThrowsAny<OperationCanceledException>(() => pending.Result(Patience));
        Assert.ThrowsAny<OperationCanceledException>(() => pending.Result(TimeSpan.Zero));
        Assert.ThrowsAny<OperationCanceledException>(() => pending.GetException(Patience));
        Assert.ThrowsAny<OperationCanceledException>(() => pending.Wait(Patience));
        Assert.True(pending.TryWait(TimeSpan.Zero));

        gate.Release();
        Assert.Equal("released", running.Result(Patience));
        Assert.Equal(36, after.Result(Patience));
        Assert.True(pending.Cancelled);
        Assert.Null(pending.WorkerName);
    }

    [Fact]
    public void Cancel_returns_false_for_a_running_future()
    {
        using var pool = CreateExecutor(1);
        using var gate = new CrossProcessGate();
        var running = SubmitBlocked(pool, gate);

        Assert.False(running.Cancel());
        if (CancelStopsRunningWork)
        {
            // The executor stops the work: the future ends cancelled, and the executor still runs new work.
            Assert.True(running.TryWait(Patience), "cancelled running work was not stopped");
            Assert.True(running.Cancelled);
            Assert.ThrowsAny<OperationCanceledException>(() => running.Result(TimeSpan.Zero));
            Assert.True(running.Cancel());
        }
        else
        {
            // Running synchronous code cannot be interrupted in-process: it finishes with its value.
            Assert.Equal(FutureState.Running, running.State);
            Assert.False(running.Cancelled);
            gate.Release();
            Assert.Equal("released", running.Result(Patience));
            Assert.False(running.Cancelled);
            Assert.False(running.Cancel());
        }

        Assert.Equal(9, pool.Submit(ContractFunctions.Square, 3).Result(Patience));
    }

    [Fact]
    public void Cancel_returns_false_for_a_finished_future()
    {
        using var pool = CreateExecutor(1);
        var ok = pool.Submit(ContractFunctions.Answer);
        var failed = pool.Submit(ContractFunctions.Fail, "x");
        ok.Wait(Patience);
        failed.TryWait(Patience);

        Assert.False(ok.Cancel());
        Assert.False(failed.Cancel());
        Assert.Equal(42, ok.Result(TimeSpan.Zero));
        Assert.Equal(FutureState.Finished, failed.State);
    }

    [Fact]
    public void Cancel_on_a_running_async_task_signals_its_token_and_the_future_ends_cancelled()
    {
        var progress = new ProgressRecorder();
        using var pool = CreateExecutor(1, o => o.Progress = progress);
        var future = pool.Submit(ContractFunctions.WaitForCancellationAsync);
        Assert.True(progress.WaitFor(p => p.Running == 1, Patience), "the async task did not start");

        Assert.False(future.Cancel(), "a running task is not cancelled synchronously");
        Assert.True(future.TryWait(Patience), "the async task did not observe its token");
        Assert.True(future.Cancelled);
        Assert.Equal(FutureState.Cancelled, future.State);
        Assert.ThrowsAny<OperationCanceledException>(() => future.Result(TimeSpan.Zero));
        Assert.True(future.Cancel());

        // The worker is free again.
        Assert.Equal(9, pool.Submit(ContractFunctions.Square, 3).Result(Patience));
    }

    [Fact]
    public void Done_callbacks_run_in_order_and_a_throwing_one_does_not_stop_the_others()
    {
        using var pool = CreateExecutor(1);
        using var gate = new CrossProcessGate();
        var future = SubmitBlocked(pool, gate);
        var calls = new ConcurrentQueue<string>();
        using var allRan = new ManualResetEventSlim();

        future.AddDoneCallback(f =>
        {
            Assert.Same(future, f);
            calls.Enqueue("first");
        });
        future.AddDoneCallback(_ =>
        {
            calls.Enqueue("second");
            throw new InvalidOperationException("callback failure");
        });
        future.AddDoneCallback((Future<string> f) => calls.Enqueue("third:" + f.Result(TimeSpan.Zero)));
        future.AddDoneCallback(_ => allRan.Set());
        Assert.Empty(calls);

        gate.Release();
        Assert.True(allRan.Wait(Patience));
        Assert.Equal(["first", "second", "third:released"], calls);
        Assert.Equal("released", future.Result(Patience));
    }

    [Fact]
    public void A_callback_added_to_a_done_future_runs_at_once_on_the_calling_thread()
    {
        using var pool = CreateExecutor(1);
        var future = pool.Submit(ContractFunctions.Square, 7);
        future.Wait(Patience);
        var thread = Environment.CurrentManagedThreadId;
        int? ranOn = null;
        var seen = 0;

        future.AddDoneCallback(_ => ranOn = Environment.CurrentManagedThreadId);
        future.AddDoneCallback((Future<int> f) => seen = f.Result(TimeSpan.Zero));

        Assert.Equal(thread, ranOn);
        Assert.Equal(49, seen);

        // A throwing callback on a done future is swallowed (logged) too.
        future.AddDoneCallback(_ => throw new InvalidOperationException("late callback failure"));
    }

    [Fact]
    public void Callbacks_see_failure_and_cancellation()
    {
        using var pool = CreateExecutor(1);
        using var gate = new CrossProcessGate();
        var blocker = SubmitBlocked(pool, gate);
        var failing = pool.Submit(ContractFunctions.Fail, "cb");
        var cancelled = pool.Submit(ContractFunctions.Square, 1);
        Exception? failure = null;
        var wasCancelled = false;
        using var failureSeen = new ManualResetEventSlim();

        failing.AddDoneCallback(f =>
        {
            failure = f.GetException(TimeSpan.Zero);
            failureSeen.Set();
        });
        cancelled.AddDoneCallback(f => wasCancelled = f.Cancelled);

        Assert.True(cancelled.Cancel());
        Assert.True(wasCancelled, "a cancel callback runs during Cancel()");

        gate.Release();
        Assert.True(failureSeen.Wait(Patience));
        Assert.IsType<InvalidOperationException>(failure);
        Assert.Equal("released", blocker.Result(Patience));
    }

    [Fact]
    public async Task A_future_is_awaitable_and_converts_to_a_task()
    {
        using var pool = CreateExecutor(2);
        Assert.Equal(9, await pool.Submit(ContractFunctions.Square, 3).AsTask().WaitAsync(Patience));
        Assert.Equal(16, await pool.Submit(ContractFunctions.Square, 4));
        await pool.Submit(ContractFunctions.DoNothing);

        var failing = pool.Submit(ContractFunctions.Fail, "awaited");
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(async () => await failing);
        Assert.Equal(ContractFunctions.FailurePrefix + "awaited", ex.Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => ((Future)failing).AsTask().WaitAsync(Patience));

        // The task of a future that completes later.
        using var gate = new CrossProcessGate();
        var later = pool.Submit(ContractFunctions.BlockThenReturn, gate.Path, 5);
        var task = later.AsTask();
        Assert.False(task.IsCompleted);
        gate.Release();
        Assert.Equal(5, await task.WaitAsync(Patience));
    }

    [Fact]
    public async Task Awaiting_a_cancelled_future_throws_OperationCanceledException()
    {
        using var pool = CreateExecutor(1);
        using var gate = new CrossProcessGate();
        var blocker = SubmitBlocked(pool, gate);
        var pending = pool.Submit(ContractFunctions.Square, 2);
        var task = pending.AsTask();
        Assert.True(pending.Cancel());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task.WaitAsync(Patience));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pending);
        Assert.True(pending.AsTask().IsCanceled);
        gate.Release();
        Assert.Equal("released", await blocker.AsTask().WaitAsync(Patience));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void MaxWorkers_must_be_positive(int maxWorkers)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => CreateExecutor(maxWorkers));
        Assert.Equal("maxworkers", ex.ParamName?.ToLowerInvariant());
        Assert.Contains("maxWorkers", ex.Message);

        var viaOptions = Assert.ThrowsAny<ArgumentException>(() => CreateExecutor(1, o => o.MaxWorkers = maxWorkers));
        Assert.Equal("maxworkers", viaOptions.ParamName?.ToLowerInvariant());
    }

    [Fact]
    public void Null_callables_are_rejected_naming_the_parameter()
    {
        using var pool = CreateExecutor(1);
        Assert.Equal("fn", Assert.Throws<ArgumentNullException>(() => pool.Submit((Func<int>)null!)).ParamName);
        Assert.Equal("fn", Assert.Throws<ArgumentNullException>(() => pool.Submit((Func<int, int>)null!, 1)).ParamName);
        Assert.Equal("fn", Assert.Throws<ArgumentNullException>(() => pool.Submit((Func<int, int, int>)null!, 1, 2)).ParamName);
        Assert.Equal("fn", Assert.Throws<ArgumentNullException>(() => pool.Submit((Action)null!)).ParamName);
        Assert.Equal("fn", Assert.Throws<ArgumentNullException>(() => pool.Submit((Func<CancellationToken, Task<int>>)null!)).ParamName);
        Assert.Equal("fn", Assert.Throws<ArgumentNullException>(() => pool.Submit((Func<CancellationToken, Task>)null!)).ParamName);
        Assert.Equal("fn", Assert.Throws<ArgumentNullException>(() => pool.Submit((Func<Task<int>>)null!)).ParamName);
        Assert.Equal("fn", Assert.Throws<ArgumentNullException>(() => pool.Submit((Func<Task>)null!)).ParamName);
        Assert.Equal("fn", Assert.Throws<ArgumentNullException>(() => pool.Submit((Func<int, Task<int>>)null!, 1)).ParamName);
        Assert.Equal("fn", Assert.Throws<ArgumentNullException>(() => pool.Submit((Func<int, int, Task<int>>)null!, 1, 2)).ParamName);
        Assert.Equal("fn", Assert.Throws<ArgumentNullException>(() => pool.Submit((Func<int, Task>)null!, 1)).ParamName);
        Assert.Equal("fn", Assert.Throws<ArgumentNullException>(() => pool.Map((Func<int, Task<int>>)null!, [1])).ParamName);
        Assert.Equal("fn", Assert.Throws<ArgumentNullException>(() => pool.MapOutcomes((Func<int, Task<int>>)null!, [1])).ParamName);
        Assert.Equal(0, pool.Progress.Submitted);
    }

    [Fact]
    public void MaxWorkers_and_Name_are_reported()
    {
        using var pool = CreateExecutor(3);
        Assert.Equal(3, pool.MaxWorkers);
        Assert.False(string.IsNullOrEmpty(pool.Name));
        Assert.False(pool.IsShutdown);

        using var named = CreateExecutor(2, o => o.Name = "contract-named");
        Assert.Equal("contract-named", named.Name);
        Assert.Equal(2, named.MaxWorkers);
    }
}
