namespace Juggle.Tests;

/// <summary>
/// Async work (<c>Submit(async ct => …)</c>) on <see cref="ThreadPoolExecutor"/>: it holds one of the
/// <see cref="Executor.MaxWorkers"/> slots while it awaits, but not a thread.
/// </summary>
public sealed class ThreadPoolExecutorAsyncTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public void MaxWorkers_bounds_sync_and_async_work_together()
    {
        const int maxWorkers = 3;
        using var pool = new ThreadPoolExecutor(maxWorkers);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var syncGate = new ManualResetEventSlim();
        using var entered = new SemaphoreSlim(0);
        var running = 0;
        var most = 0;

        void Enter()
        {
            var now = Interlocked.Increment(ref running);
            int seen;
            while (now > (seen = Volatile.Read(ref most)) && Interlocked.CompareExchange(ref most, now, seen) != seen)
            {
            }

            entered.Release();
        }

        var futures = new List<Future<int>>();
        for (var i = 0; i < 6; i++)
        {
            var n = i;
            futures.Add(pool.Submit(async ct =>
            {
                Enter();
                await gate.Task.WaitAsync(ct);
                Interlocked.Decrement(ref running);
                return n;
            }));
            futures.Add(pool.Submit(() =>
            {
                Enter();
                Assert.True(syncGate.Wait(Patience));
                Interlocked.Decrement(ref running);
                return 100 + n;
            }));
        }

        for (var i = 0; i < maxWorkers; i++)
        {
            Assert.True(entered.Wait(Patience));
        }

        // Every slot is held (async work awaiting, sync work blocked): nothing else may start.
        Assert.Equal(maxWorkers, pool.Progress.Running);
        Assert.Equal(maxWorkers, futures.Count(f => f.State == FutureState.Running));
        Assert.Equal(futures.Count - maxWorkers, futures.Count(f => f.State == FutureState.Pending));

        gate.SetResult();
        syncGate.Set();
        Assert.Equal(
            Enumerable.Range(0, 6).SelectMany(i => new[] { i, 100 + i }),
            futures.Select(f => f.Result(Patience)));
        Assert.Equal(maxWorkers, most);
    }

    [Fact]
    public void Awaiting_async_work_frees_its_thread_for_sync_work()
    {
        const int asyncTasks = 50;
        using var pool = new ThreadPoolExecutor(asyncTasks + 1);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var entered = new CountdownEvent(asyncTasks);
        var awaiting = Enumerable.Range(0, asyncTasks).Select(i => pool.Submit(async ct =>
        {
            entered.Signal();
            await gate.Task.WaitAsync(ct);
            return i;
        })).ToList();

        Assert.True(entered.Wait(Patience));

        // All 50 run at once, yet they took only a few threads: the ones that started them, now free again.
        Assert.All(awaiting, f => Assert.Equal(FutureState.Running, f.State));
        Assert.Equal(asyncTasks, pool.Progress.Running);
        Assert.InRange(pool.WorkerCount, 1, asyncTasks / 2);

        // The last slot runs sync work while the async work still awaits.
        var sync = pool.Submit(() => Thread.CurrentThread.Name);
        Assert.StartsWith("ThreadPoolExecutor-", sync.Result(Patience), StringComparison.Ordinal);
        Assert.All(awaiting, f => Assert.False(f.Done));

        gate.SetResult();
        Assert.Equal(Enumerable.Range(0, asyncTasks), awaiting.Select(f => f.Result(Patience)));
    }

    [Fact]
    public void Cancel_reaches_the_token_of_async_work_that_awaits_without_a_thread()
    {
        using var pool = new ThreadPoolExecutor(2);
        var started = new TaskCompletionSource<Thread>(TaskCreationOptions.RunContinuationsAsynchronously);
        var future = pool.Submit(async ct =>
        {
            started.SetResult(Thread.CurrentThread);
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return 0;
        });

        var worker = started.Task.WaitAsync(Patience).GetAwaiter().GetResult();
        WaitUntilBlocked(worker); // the worker went back to sleep: the work awaits without it
        Assert.Equal(FutureState.Running, future.State);
        Assert.Equal(1, pool.Submit(() => 1).Result(Patience));

        Assert.False(future.Cancel());
        Assert.True(future.TryWait(Patience));
        Assert.Equal(FutureState.Cancelled, future.State);
        Assert.ThrowsAny<OperationCanceledException>(() => future.Result(Patience));
        pool.Shutdown();
        Assert.Equal(1, pool.Progress.Cancelled);
        Assert.Equal(0, pool.Progress.Running);
    }

    [Fact]
    public void No_false_deadlock_alarm_when_sync_work_waits_for_async_work_its_thread_started()
    {
        // The async task was started by the same thread that later blocks on it; it no longer runs there, so the
        // wait can end and must not be reported as a cycle or starvation.
        using var pool = new ThreadPoolExecutor(2);
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource<Thread>(TaskCreationOptions.RunContinuationsAsynchronously);
        var awaited = pool.Submit(async ct =>
        {
            started.SetResult(Thread.CurrentThread);
            return await gate.Task.WaitAsync(ct);
        });
        var starter = started.Task.WaitAsync(Patience).GetAwaiter().GetResult();
        WaitUntilBlocked(starter); // asleep in the pool, with its idle token released: it takes the next task

        var waiterThread = new TaskCompletionSource<Thread>(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiter = pool.Submit(() =>
        {
            waiterThread.SetResult(Thread.CurrentThread);
            return awaited.Result() + 1;
        });

        var thread = waiterThread.Task.WaitAsync(Patience).GetAwaiter().GetResult();
        Assert.Same(starter, thread);
        Assert.True(SpinWait.SpinUntil(() => waiter.Done || (thread.ThreadState & ThreadState.WaitSleepJoin) != 0, Patience));
        Assert.False(waiter.Done, waiter.Failed ? waiter.GetException()!.ToString() : "finished early");

        gate.SetResult(41);
        Assert.Equal(42, waiter.Result(Patience));
    }

    [Fact]
    public void A_blocking_wait_inside_async_work_after_its_first_await_is_not_tracked()
    {
        // After an await the work runs on a .NET thread-pool thread, not on a worker: its blocking wait on a task of
        // the same executor is no worker's wait, and the other slot runs the awaited task.
        using var pool = new ThreadPoolExecutor(2);
        var outer = pool.Submit(async ct =>
        {
            await Task.Yield();
            var onWorker = Thread.CurrentThread.Name?.StartsWith("ThreadPoolExecutor-", StringComparison.Ordinal) == true;
            return (onWorker, pool.Submit(() => 5).Result());
        });

        var (onWorker, value) = outer.Result(Patience);
        Assert.False(onWorker);
        Assert.Equal(5, value);
    }

    [Fact]
    public void Shutdown_waits_for_async_work_that_awaits_without_a_thread()
    {
        var pool = new ThreadPoolExecutor(2);
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var future = pool.Submit(async ct =>
        {
            started.SetResult();
            return await gate.Task.WaitAsync(ct);
        });
        Assert.True(started.Task.Wait(Patience));

        var shutdown = Task.Factory.StartNew(
            () =>
            {
                pool.Shutdown(wait: true);
                return future.Done;
            },
            TaskCreationOptions.LongRunning);
        var shutdownAsync = pool.ShutdownAsync();

        // The worker threads leave at once (nothing queued), yet both shutdowns wait for the awaiting work.
        Assert.True(SpinWait.SpinUntil(() => pool.WorkerCount == 0, Patience));
        Assert.False(shutdown.IsCompleted);
        Assert.False(shutdownAsync.IsCompleted);

        gate.SetResult(3);
        Assert.True(shutdown.Wait(Patience));
        Assert.True(shutdown.Result, "Shutdown(wait: true) returned before the async work finished");
        Assert.True(shutdownAsync.Wait(Patience));
        Assert.Equal(3, future.Result(TimeSpan.Zero));
    }

    [Fact]
    public void Queued_work_runs_after_shutdown_as_async_work_frees_slots()
    {
        using var pool = new ThreadPoolExecutor(1);
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = pool.Submit(async ct => await gate.Task.WaitAsync(ct));
        var queued = Enumerable.Range(0, 5).Select(i => pool.Submit(() => i)).ToList();

        var shutdown = Task.Factory.StartNew(() => pool.Shutdown(wait: true), TaskCreationOptions.LongRunning);
        Assert.All(queued, f => Assert.Equal(FutureState.Pending, f.State));
        gate.SetResult(9);

        Assert.True(shutdown.Wait(Patience));
        Assert.Equal(9, first.Result(TimeSpan.Zero));
        Assert.Equal(Enumerable.Range(0, 5), queued.Select(f => f.Result(TimeSpan.Zero)));
    }

    [Fact]
    public void One_hundred_thousand_async_tasks_at_a_concurrency_of_ten_thousand()
    {
        const int tasks = 100_000;
        const int concurrency = 10_000;
        using var pool = new ThreadPoolExecutor(concurrency);
        var running = 0;
        var most = 0;
        var futures = new Future<int>[tasks];
        for (var i = 0; i < tasks; i++)
        {
            var n = i;
            futures[i] = pool.Submit(async ct =>
            {
                var now = Interlocked.Increment(ref running);
                int seen;
                while (now > (seen = Volatile.Read(ref most)) && Interlocked.CompareExchange(ref most, now, seen) != seen)
                {
                }

                await Task.Delay(1, ct);
                Interlocked.Decrement(ref running);
                return n;
            });
        }

        long sum = 0;
        foreach (var future in futures)
        {
            sum += future.Result(Patience);
        }

        Assert.Equal((long)tasks * (tasks - 1) / 2, sum);
        Assert.InRange(most, 1, concurrency);
        Assert.InRange(pool.WorkerCount, 1, concurrency / 10);
        pool.Shutdown();
        Assert.Equal(tasks, pool.Progress.Succeeded);
    }

    [Fact]
    public void Async_work_queued_behind_async_work_starts_where_it_completes_but_sync_work_waits_for_a_worker()
    {
        using var pool = new ThreadPoolExecutor(1, threadNamePrefix: "handoff");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource<Thread>(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = pool.Submit(async ct =>
        {
            started.SetResult(Thread.CurrentThread);
            await gate.Task.WaitAsync(ct);
            return Thread.CurrentThread.Name;
        });
        var next = pool.Submit(async ct =>
        {
            var startedOn = Thread.CurrentThread.Name;
            await Task.Yield();
            return startedOn;
        });
        var sync = pool.Submit(() => Thread.CurrentThread.Name);
        WaitUntilBlocked(started.Task.WaitAsync(Patience).GetAwaiter().GetResult()); // the worker sleeps: no free slot

        gate.SetResult();
        first.Result(Patience);
        Assert.Equal("handoff_0", first.WorkerName);

        // The only slot passed from the completed work to the next async work, on the thread where the first completed.
        var nextStartedOn = next.Result(Patience);
        Assert.False(nextStartedOn?.StartsWith("handoff", StringComparison.Ordinal));
        Assert.Equal(".NET thread pool", next.WorkerName);
        Assert.Equal("handoff_0", sync.Result(Patience)); // blocking work never runs on the thread pool
    }

    [Fact]
    public void With_an_initializer_all_async_work_starts_on_initialized_workers()
    {
        var initialized = new ThreadLocal<bool>();
        using var pool = new ThreadPoolExecutor(2, initializer: () => initialized.Value = true);
        var futures = Enumerable.Range(0, 50).Select(i => pool.Submit(async ct =>
        {
            var onInitializedThread = initialized.Value;
            await Task.Yield();
            return onInitializedThread;
        })).ToList();

        Assert.All(futures, f => Assert.True(f.Result(Patience)));
        Assert.All(futures, f => Assert.StartsWith("ThreadPoolExecutor-", f.WorkerName, StringComparison.Ordinal));
    }

    /// <summary>Waits until <paramref name="thread"/> blocks (sleeps in the pool, or waits on a lock or event).</summary>
    private static void WaitUntilBlocked(Thread thread) =>
        Assert.True(SpinWait.SpinUntil(() => (thread.ThreadState & ThreadState.WaitSleepJoin) != 0, Patience), $"{thread.Name} never blocked");
}
