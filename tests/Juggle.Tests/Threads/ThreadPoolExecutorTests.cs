using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace Juggle.Tests;

/// <summary>Behaviour specific to <see cref="ThreadPoolExecutor"/> (in-process threads, so lambdas and shared state are fine).</summary>
public sealed class ThreadPoolExecutorTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Brief = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void Default_max_workers_is_min_32_cores_plus_4()
    {
        using var pool = new ThreadPoolExecutor();
        var expected = Math.Min(32, Environment.ProcessorCount + 4);
        Assert.Equal(expected, pool.MaxWorkers);
        Assert.Equal(expected, ThreadPoolExecutorOptions.DefaultMaxWorkers);
        using var fromOptions = new ThreadPoolExecutor(new ThreadPoolExecutorOptions());
        Assert.Equal(expected, fromOptions.MaxWorkers);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void MaxWorkers_must_be_positive(int maxWorkers)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadPoolExecutor(maxWorkers));
        Assert.Equal("maxWorkers", ex.ParamName);
        var viaOptions = Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxWorkers = maxWorkers }));
        Assert.Equal("MaxWorkers", viaOptions.ParamName);
        Assert.Throws<ArgumentNullException>(() => new ThreadPoolExecutor((ThreadPoolExecutorOptions)null!));
    }

    [Fact]
    public void Worker_threads_are_named_prefix_N()
    {
        using var pool = new ThreadPoolExecutor(3, threadNamePrefix: "juggle-names");
        using var barrier = new Barrier(3);
        var futures = Enumerable.Range(0, 3).Select(_ => pool.Submit(() =>
        {
            Assert.True(barrier.SignalAndWait(Patience));
            return Thread.CurrentThread.Name;
        })).ToList();

        var names = futures.Select(f => f.Result(Patience)).ToHashSet();
        Assert.Equal(new HashSet<string?> { "juggle-names_0", "juggle-names_1", "juggle-names_2" }, names);
        Assert.Equal(names, futures.Select(f => f.WorkerName).ToHashSet());
        Assert.True(Thread.CurrentThread.Name is null || !Thread.CurrentThread.Name.StartsWith("juggle-names", StringComparison.Ordinal));
    }

    [Fact]
    public void The_default_prefix_names_the_executor()
    {
        using var pool = new ThreadPoolExecutor(1);
        var name = pool.Submit(() => Thread.CurrentThread.Name).Result(Patience);
        Assert.Matches(new Regex(@"^ThreadPoolExecutor-\d+_0$"), name);
        Assert.StartsWith("ThreadPoolExecutor-", pool.Name, StringComparison.Ordinal);
    }

    [Fact]
    public void Threads_start_on_demand_and_an_idle_one_is_reused()
    {
        using var pool = new ThreadPoolExecutor(8);
        Assert.Equal(0, pool.WorkerCount);

        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(i, pool.Submit(() => i).Result(Patience));
        }

        Assert.Equal(1, pool.WorkerCount);
        pool.Shutdown();
        Assert.Equal(0, pool.WorkerCount);
    }

    [Fact]
    public void Threads_grow_only_up_to_max_workers()
    {
        using var pool = new ThreadPoolExecutor(3);
        using var gate = new ManualResetEventSlim();
        var futures = Enumerable.Range(0, 10).Select(i => pool.Submit(() =>
        {
            Assert.True(gate.Wait(Patience));
            return i;
        })).ToList();

        Assert.Equal(3, pool.WorkerCount);
        gate.Set();
        Assert.Equal(Enumerable.Range(0, 10), futures.Select(f => f.Result(Patience)));
        Assert.Equal(3, pool.WorkerCount);
    }

    [Fact]
    public void One_worker_runs_tasks_in_submission_order()
    {
        using var pool = new ThreadPoolExecutor(1);
        using var gate = new ManualResetEventSlim();
        var order = new ConcurrentQueue<int>();
        pool.Submit(() => gate.Wait(Patience));
        var futures = Enumerable.Range(0, 200).Select(i => pool.Submit(() => order.Enqueue(i))).ToList();
        gate.Set();
        futures.ForEach(f => f.Wait(Patience));
        Assert.Equal(Enumerable.Range(0, 200), order);
    }

    [Fact]
    public void One_worker_runs_tasks_in_submission_order_across_processes_style_file_log()
    {
        using var pool = new ThreadPoolExecutor(1);
        var path = Path.GetTempFileName();
        try
        {
            var futures = Enumerable.Range(0, 30).Select(i => pool.Submit(ContractFunctions.AppendLine, path, i.ToString())).ToList();
            futures.ForEach(f => f.Wait(Patience));
            Assert.Equal(Enumerable.Range(0, 30).Select(i => i.ToString()), File.ReadAllLines(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Blocking_work_runs_max_workers_wide_at_once()
    {
        const int width = 64;
        using var pool = new ThreadPoolExecutor(width);
        using var barrier = new Barrier(width);

        // The barrier opens only when all 64 tasks are inside it at the same time.
        var futures = Enumerable.Range(0, width).Select(_ => pool.Submit(() => barrier.SignalAndWait(Patience))).ToList();

        Assert.All(futures, f => Assert.True(f.Result(Patience), "not every task ran at once"));
        Assert.Equal(width, pool.WorkerCount);
    }

    [Fact]
    public void The_initializer_runs_once_on_each_worker_thread_before_its_tasks()
    {
        var initialized = new ThreadLocal<bool>();
        var threads = new ConcurrentBag<int>();
        using var barrier = new Barrier(3);
        using var pool = new ThreadPoolExecutor(3, initializer: () =>
        {
            Assert.False(initialized.Value);
            initialized.Value = true;
            threads.Add(Environment.CurrentManagedThreadId);
        });

        var futures = Enumerable.Range(0, 3).Select(_ => pool.Submit(() =>
        {
            Assert.True(barrier.SignalAndWait(Patience));
            return initialized.Value;
        })).ToList();
        Assert.All(futures, f => Assert.True(f.Result(Patience)));

        for (var i = 0; i < 20; i++)
        {
            Assert.True(pool.Submit(() => initialized.Value).Result(Patience));
        }

        Assert.Equal(3, threads.Count);
        Assert.Equal(3, threads.Distinct().Count());
    }

    [Fact]
    public void A_failing_initializer_breaks_the_executor()
    {
        using var initializerEntered = new ManualResetEventSlim();
        using var fail = new ManualResetEventSlim();
        using var pool = new ThreadPoolExecutor(1, initializer: () =>
        {
            initializerEntered.Set();
            Assert.True(fail.Wait(Patience));
            throw new InvalidOperationException("no database");
        });

        var pending = Enumerable.Range(0, 3).Select(i => pool.Submit(() => i)).ToList();
        Assert.True(initializerEntered.Wait(Patience));
        fail.Set();

        foreach (var future in pending)
        {
            var ex = Assert.Throws<BrokenExecutorException>(() => future.Result(Patience));
            Assert.IsType<InvalidOperationException>(ex.InnerException);
            Assert.Contains("no database", ex.Message);
            Assert.True(future.Failed);
        }

        Assert.True(pool.IsBroken);
        var later = Assert.Throws<BrokenExecutorException>(() => pool.Submit(() => 1));
        Assert.Contains("initializer", later.Message);

        var shutdown = Task.Run(() => pool.Shutdown());
        Assert.True(shutdown.Wait(Patience));
        Assert.Equal(3, pool.Progress.Failed);
    }

    [Fact]
    public async Task Cancel_on_a_running_async_task_signals_its_token()
    {
        using var pool = new ThreadPoolExecutor(1);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var observed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var future = pool.Submit(async ct =>
        {
            ct.Register(() => observed.TrySetResult(true));
            started.SetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return 0;
        });

        await started.Task.WaitAsync(Patience);
        Assert.False(future.Cancel());
        Assert.True(await observed.Task.WaitAsync(Patience));
        Assert.True(future.TryWait(Patience));
        Assert.Equal(FutureState.Cancelled, future.State);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await future);
        await pool.ShutdownAsync().WaitAsync(Patience); // counts are final once the workers are done
        Assert.Equal(1, pool.Progress.Cancelled);
    }

    [Fact]
    public void An_async_task_that_ignores_its_token_still_finishes_with_its_value()
    {
        using var pool = new ThreadPoolExecutor(1);
        using var started = new ManualResetEventSlim();
        var finish = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var future = pool.Submit(async _ =>
        {
            started.Set();
            return await finish.Task;
        });

        Assert.True(started.Wait(Patience));
        Assert.False(future.Cancel());
        finish.SetResult(7);
        Assert.Equal(7, future.Result(Patience));
        Assert.False(future.Cancelled);
    }

    [Fact]
    public void An_OperationCanceledException_without_a_cancel_request_is_a_failure()
    {
        using var pool = new ThreadPoolExecutor(1);
        var future = pool.Submit(async ct =>
        {
            await Task.Yield();
            throw new OperationCanceledException("gave up on its own");
#pragma warning disable CS0162 // Unreachable code: keeps the lambda a Func<CancellationToken, Task<int>>.
            return 0;
#pragma warning restore CS0162
        });

        Assert.True(future.TryWait(Patience));
        Assert.True(future.Failed);
        Assert.False(future.Cancelled);
        Assert.Equal("gave up on its own", Assert.IsType<OperationCanceledException>(future.GetException(Patience)).Message);
    }

    [Fact]
    public void Shutdown_with_cancelFutures_leaves_running_async_work_alone()
    {
        using var pool = new ThreadPoolExecutor(1);
        using var started = new ManualResetEventSlim();
        var finish = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        CancellationToken token = default;
        var running = pool.Submit(async ct =>
        {
            token = ct;
            started.Set();
            return await finish.Task.WaitAsync(ct);
        });
        Assert.True(started.Wait(Patience));
        var pending = pool.Submit(() => 1);

        pool.Shutdown(wait: false, cancelFutures: true);

        Assert.True(pending.Cancelled);
        Assert.False(token.IsCancellationRequested, "shutdown must not cancel running work");
        finish.SetResult(5);
        Assert.Equal(5, running.Result(Patience));
    }

    [Fact]
    public void The_exception_keeps_its_original_stack_trace()
    {
        using var pool = new ThreadPoolExecutor(1);
        var future = pool.Submit(ThrowFromDeepInside);

        var ex = Assert.Throws<InvalidOperationException>(() => future.Result(Patience));
        Assert.Contains(nameof(ThrowFromDeepInside), ex.StackTrace);
        Assert.Contains(nameof(The_exception_keeps_its_original_stack_trace), ex.StackTrace); // and where it was rethrown
        Assert.Same(ex, future.GetException(TimeSpan.Zero));

        var awaited = Assert.ThrowsAsync<InvalidOperationException>(async () => await future).GetAwaiter().GetResult();
        Assert.Contains(nameof(ThrowFromDeepInside), awaited.StackTrace);
    }

    [Fact]
    public void Map_exception_keeps_its_original_stack_trace()
    {
        using var pool = new ThreadPoolExecutor(2);
        var ex = Assert.Throws<InvalidOperationException>(() => pool.Map(x => x < 2 ? x : ThrowFromDeepInside(), [0, 1, 2]).ToList());
        Assert.Contains(nameof(ThrowFromDeepInside), ex.StackTrace);
    }

    [Fact]
    public void Starvation_a_task_waiting_on_a_nested_submit_with_one_worker_throws_DeadlockException()
    {
        using var pool = new ThreadPoolExecutor(1, threadNamePrefix: "starved");
        Future<int>? inner = null;
        var outer = pool.Submit(() =>
        {
            inner = pool.Submit(() => 1);
            return inner.Result();
        });

        var ex = Assert.Throws<DeadlockException>(() => outer.Result(Patience));
        Assert.False(ex.IsCycle);
        Assert.Equal([outer.Id, inner!.Id], ex.TaskIds);
        Assert.Contains($"task #{outer.Id}", ex.Message);
        Assert.Contains($"task #{inner.Id}", ex.Message);
        Assert.Contains("starved_0", ex.Message);
        Assert.Contains("maxWorkers", ex.Message);

        // The worker is free again, so the inner task still runs.
        Assert.Equal(1, inner.Result(Patience));
    }

    [Fact]
    public void Cycle_two_tasks_waiting_on_each_other_throw_DeadlockException()
    {
        using var pool = new ThreadPoolExecutor(2);
        using var bothRunning = new Barrier(2);
        var aRef = new TaskCompletionSource<Future<int>>();
        var bRef = new TaskCompletionSource<Future<int>>();
        var a = pool.Submit(() =>
        {
            Assert.True(bothRunning.SignalAndWait(Patience));
            return bRef.Task.Result.Result() + 1;
        });
        var b = pool.Submit(() =>
        {
            Assert.True(bothRunning.SignalAndWait(Patience));
            return aRef.Task.Result.Result() + 1;
        });
        aRef.SetResult(a);
        bRef.SetResult(b);

        Assert.True(a.TryWait(Patience) && b.TryWait(Patience), "the cycle was not broken");
        var errors = new[] { a.GetException(), b.GetException() };
        Assert.All(errors, e => Assert.IsType<DeadlockException>(e));

        // The task that closed the cycle gets the cycle; the other one rethrows it from its wait.
        var cycle = Assert.Single(errors.Cast<DeadlockException>().Distinct());
        Assert.True(cycle.IsCycle);
        Assert.Equal(new HashSet<long> { a.Id, b.Id }, cycle.TaskIds.ToHashSet());
        Assert.Contains($"task #{a.Id}", cycle.Message);
        Assert.Contains($"task #{b.Id}", cycle.Message);
        Assert.Contains("wait on each other", cycle.Message);
    }

    [Fact]
    public void No_false_alarm_when_a_free_worker_can_run_the_nested_task()
    {
        using var pool = new ThreadPoolExecutor(2);
        var outer = pool.Submit(() => pool.Submit(() => 21).Result() * 2);
        Assert.Equal(42, outer.Result(Patience));

        using var deep = new ThreadPoolExecutor(3);
        var nested = deep.Submit(() => deep.Submit(() => deep.Submit(() => 1).Result() + 1).Result() + 1);
        Assert.Equal(3, nested.Result(Patience));
    }

    [Fact]
    public void No_false_alarm_when_the_awaited_task_is_already_running_on_another_worker()
    {
        using var pool = new ThreadPoolExecutor(2);
        using var innerStarted = new ManualResetEventSlim();
        using var releaseInner = new ManualResetEventSlim();
        var inner = pool.Submit(() =>
        {
            innerStarted.Set();
            Assert.True(releaseInner.Wait(Patience));
            return 5;
        });
        Assert.True(innerStarted.Wait(Patience));

        using var outerWaiting = new ManualResetEventSlim();
        var outer = pool.Submit(() =>
        {
            outerWaiting.Set();
            return inner.Result() + 1;
        });
        Assert.True(outerWaiting.Wait(Patience));
        releaseInner.Set();
        Assert.Equal(6, outer.Result(Patience));
    }

    [Fact]
    public void Only_the_last_worker_to_block_on_queued_work_is_told_about_starvation()
    {
        using var pool = new ThreadPoolExecutor(2);
        using var bothRunning = new Barrier(2);
        var first = pool.Submit(() =>
        {
            Assert.True(bothRunning.SignalAndWait(Patience));
            return pool.Submit(() => 1).Result();
        });
        var second = pool.Submit(() =>
        {
            Assert.True(bothRunning.SignalAndWait(Patience));
            return pool.Submit(() => 2).Result();
        });

        // Both workers block on queued tasks. The first to block is fine (a worker is still free); the second would
        // leave no worker for either queued task, so it fails, which frees its worker for the other one's task.
        Assert.True(first.TryWait(Patience) && second.TryWait(Patience), "starvation was not detected");
        var failed = Assert.Single(new[] { first, second }, f => f.Failed);
        var ex = Assert.IsType<DeadlockException>(failed.GetException());
        Assert.False(ex.IsCycle);
        var succeeded = Assert.Single(new[] { first, second }, f => !f.Failed);
        Assert.Equal(succeeded == first ? 1 : 2, succeeded.Result());
    }

    [Fact]
    public void No_false_alarm_when_the_other_blocked_worker_is_just_waking_up()
    {
        // Worker A waits on x; x completes on worker B, which at once takes t, and t waits on a nested task. A is
        // still registered as blocked until it wakes up, but its future is done, so it is about to be free: no
        // starvation. (Before the fix this failed a few times in a few hundred rounds.)
        var falseAlarms = new List<Exception>();
        for (var round = 0; round < 200; round++)
        {
            using var pool = new ThreadPoolExecutor(2);
            using var xGo = new ManualResetEventSlim();
            using var outerWaiting = new ManualResetEventSlim();
            Future<int>? t = null;
            var outer = pool.Submit(() =>
            {
                var x = pool.Submit(() => xGo.Wait(Patience) ? 1 : -1);
                t = pool.Submit(() => pool.Submit(() => 2).Result());
                outerWaiting.Set();
                return x.Result();
            });
            Assert.True(outerWaiting.Wait(Patience));
            xGo.Set();
            Assert.Equal(1, outer.Result(Patience));
            Assert.True(t!.TryWait(Patience));
            if (t.GetException() is { } error)
            {
                falseAlarms.Add(error);
            }
        }

        Assert.Empty(falseAlarms);
    }

    [Fact]
    public void Waits_with_a_timeout_are_not_checked_for_deadlock()
    {
        using var pool = new ThreadPoolExecutor(1);
        Future<int>? inner = null;
        var outer = pool.Submit(() =>
        {
            inner = pool.Submit(() => 1);
            try
            {
                return inner.Result(Brief);
            }
            catch (TimeoutException)
            {
                return -1;
            }
        });

        Assert.Equal(-1, outer.Result(Patience));
        Assert.Equal(1, inner!.Result(Patience));
    }

    [Fact]
    public void Waiting_on_another_executors_future_is_not_a_deadlock()
    {
        using var first = new ThreadPoolExecutor(1);
        using var second = new ThreadPoolExecutor(1);
        Assert.Equal(5, first.Submit(() => second.Submit(() => 5).Result()).Result(Patience));
    }

    [Fact]
    public void Waiting_on_a_done_future_of_the_same_executor_is_not_a_deadlock()
    {
        using var pool = new ThreadPoolExecutor(1);
        var done = pool.Submit(() => 3);
        done.Wait(Patience);
        Assert.Equal(4, pool.Submit(() => done.Result() + 1).Result(Patience));
    }

    [Fact]
    public void Callbacks_run_on_the_worker_that_completes_the_future_in_the_order_added()
    {
        using var pool = new ThreadPoolExecutor(1, threadNamePrefix: "callbacks");
        using var gate = new ManualResetEventSlim();
        using var allRan = new ManualResetEventSlim();
        var future = pool.Submit(() => gate.Wait(Patience));
        var calls = new ConcurrentQueue<(int Order, string? Thread)>();
        for (var i = 0; i < 5; i++)
        {
            var order = i;
            future.AddDoneCallback(_ => calls.Enqueue((order, Thread.CurrentThread.Name)));
        }

        future.AddDoneCallback(_ => allRan.Set());
        gate.Set();
        Assert.True(allRan.Wait(Patience));
        Assert.Equal([0, 1, 2, 3, 4], calls.Select(c => c.Order));
        Assert.All(calls, c => Assert.Equal("callbacks_0", c.Thread));
    }

    [Fact]
    public void Wait_and_AsCompleted_accept_futures_of_different_result_types()
    {
        using var pool = new ThreadPoolExecutor(3);
        using var gate = new ManualResetEventSlim();
        Future number = pool.Submit(() => 1);
        Future text = pool.Submit(() => "two");
        Future action = pool.Submit(() => { Assert.True(gate.Wait(Patience)); });
        number.Wait(Patience);
        text.Wait(Patience);

        var (done, notDone) = Futures.Wait([number, text, action], Patience, ReturnWhen.FirstCompleted);
        Assert.Equal(new HashSet<Future> { number, text }, done.ToHashSet());
        Assert.Equal([action], notDone);

        using var e = Futures.AsCompleted([action, number, text, number], Patience).GetEnumerator();
        var firstTwo = new HashSet<Future>();
        Assert.True(e.MoveNext());
        firstTwo.Add(e.Current);
        Assert.True(e.MoveNext());
        firstTwo.Add(e.Current);
        Assert.Equal(new HashSet<Future> { number, text }, firstTwo);
        gate.Set();
        Assert.True(e.MoveNext());
        Assert.Same(action, e.Current);
        Assert.False(e.MoveNext());
    }

    [Fact]
    public void Map_with_closures_runs_maxWorkers_wide()
    {
        using var pool = new ThreadPoolExecutor(4);
        using var barrier = new Barrier(4);
        var results = pool.Map(i => barrier.SignalAndWait(Patience) ? i : -1, Enumerable.Range(0, 8), bufferSize: 4).ToList();
        Assert.Equal(Enumerable.Range(0, 8), results);
    }

    [Fact]
    public void A_task_can_shut_down_its_own_executor()
    {
        var pool = new ThreadPoolExecutor(2);
        var future = pool.Submit(() => pool.Shutdown());
        future.Wait(Patience);
        Assert.True(pool.IsShutdown);
        var dispose = Task.Run(pool.Dispose);
        Assert.True(dispose.Wait(Patience));
        Assert.Equal(0, pool.WorkerCount);
    }

    [Fact]
    public async Task A_task_can_shut_down_its_own_executor_asynchronously()
    {
        var pool = new ThreadPoolExecutor(1);
        var future = pool.Submit(async ct =>
        {
            await pool.ShutdownAsync(cancellationToken: ct);
            return pool.IsShutdown;
        });
        Assert.True(await future.AsTask().WaitAsync(Patience));
        await pool.DisposeAsync().AsTask().WaitAsync(Patience);
    }

    [Fact]
    public void A_task_shutting_down_its_rate_limited_executor_leaves_the_queued_work_runnable()
    {
        // The executor owns the TasksPerSecond limiter and disposes it at shutdown, but not while its own worker
        // (the caller) still has queued tasks to start.
        var pool = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxWorkers = 1, TasksPerSecond = 1000 });
        using var go = new ManualResetEventSlim();
        var first = pool.Submit(() =>
        {
            Assert.True(go.Wait(Patience));
            pool.Shutdown();
            return 0;
        });
        var queued = Enumerable.Range(1, 3).Select(i => pool.Submit(() => i)).ToList();
        go.Set();

        Assert.Equal(0, first.Result(Patience));
        Assert.Equal([1, 2, 3], queued.Select(f => f.Result(Patience)));
        var dispose = Task.Run(pool.Dispose);
        Assert.True(dispose.Wait(Patience));
    }

    [Fact]
    public void Shutdown_waits_until_the_workers_have_left()
    {
        var pool = new ThreadPoolExecutor(4);
        var futures = Enumerable.Range(0, 20).Select(i => pool.Submit(() => i)).ToList();
        pool.Shutdown();
        Assert.Equal(0, pool.WorkerCount);
        Assert.All(futures, f => Assert.True(f.Done));
    }

    [Fact]
    public void Task_durations_are_recorded_on_the_meter()
    {
        using var metrics = new MetricsRecorder();
        var pool = new ThreadPoolExecutor(1);
        metrics.Track(pool.Name);
        pool.Submit(() => 1).Wait(Patience);
        pool.Dispose();
        Assert.Contains("juggle.task.duration", metrics.Instruments);
    }

    [Fact]
    public void A_limiter_that_refuses_a_permit_fails_only_that_task()
    {
        using var limiter = new System.Threading.RateLimiting.ConcurrencyLimiter(new System.Threading.RateLimiting.ConcurrencyLimiterOptions { PermitLimit = 1, QueueLimit = 0 });
        using var held = limiter.AttemptAcquire();
        Assert.True(held.IsAcquired);
        using var pool = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxWorkers = 1, RateLimiter = limiter });

        var refused = pool.Submit(() => 1);
        var ex = Assert.Throws<InvalidOperationException>(() => refused.Result(Patience));
        Assert.Contains("QueueLimit", ex.Message);

        held.Dispose();
        Assert.Equal(2, pool.Submit(() => 2).Result(Patience));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int ThrowFromDeepInside() => throw new InvalidOperationException("deep failure");
}
