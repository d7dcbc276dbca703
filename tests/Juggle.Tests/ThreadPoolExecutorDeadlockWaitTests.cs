namespace Juggle.Tests;

/// <summary>
/// Deadlock detection for waits on several futures from a worker: <see cref="Futures.Wait{TFuture}"/> (stuck for
/// AllCompleted if any future can't finish, for FirstCompleted/FirstException if none can) and
/// <see cref="Futures.AsCompleted{TFuture}"/> (each step waits for any pending future).
/// </summary>
public sealed class ThreadPoolExecutorDeadlockWaitTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Brief = TimeSpan.FromMilliseconds(100);

    [Theory]
    [InlineData(ReturnWhen.AllCompleted)]
    [InlineData(ReturnWhen.FirstCompleted)]
    [InlineData(ReturnWhen.FirstException)]
    public void Wait_on_nested_submits_with_one_worker_throws_DeadlockException(ReturnWhen returnWhen)
    {
        using var pool = new ThreadPoolExecutor(1, threadNamePrefix: "starved-wait");
        Future<int>[] inner = [];
        var outer = pool.Submit(() =>
        {
            inner = [pool.Submit(() => 1), pool.Submit(() => 2)];
            return Futures.Wait(inner, returnWhen: returnWhen).Done.Count;
        });

        var ex = Assert.Throws<DeadlockException>(() => outer.Result(Patience));
        Assert.False(ex.IsCycle);
        Assert.Equal(outer.Id, ex.TaskIds[0]);
        Assert.Equal(inner.Select(f => f.Id).ToHashSet(), ex.TaskIds.Skip(1).ToHashSet());
        Assert.Contains("starved-wait_0", ex.Message);
        Assert.Contains(returnWhen == ReturnWhen.AllCompleted ? "all of several tasks" : "any of several tasks", ex.Message);

        // The worker is free again, so the inner tasks still run.
        Assert.Equal([1, 2], inner.Select(f => f.Result(Patience)));
    }

    [Fact]
    public void AsCompleted_on_nested_submits_with_one_worker_throws_DeadlockException()
    {
        using var pool = new ThreadPoolExecutor(1);
        Future<int>[] inner = [];
        var outer = pool.Submit(() =>
        {
            inner = [pool.Submit(() => 1), pool.Submit(() => 2)];
            return Futures.AsCompleted(inner).Sum(f => f.Result());
        });

        var ex = Assert.Throws<DeadlockException>(() => outer.Result(Patience));
        Assert.False(ex.IsCycle);
        Assert.Equal(outer.Id, ex.TaskIds[0]);
        Assert.Equal([1, 2], inner.Select(f => f.Result(Patience)));
    }

    [Fact]
    public void No_false_alarm_for_Wait_and_AsCompleted_when_a_free_worker_runs_the_nested_tasks()
    {
        using var pool = new ThreadPoolExecutor(2);
        var viaWait = pool.Submit(() =>
        {
            Future<int>[] inner = [pool.Submit(() => 1), pool.Submit(() => 2), pool.Submit(() => 3)];
            var (done, notDone) = Futures.Wait(inner);
            return done.Count == 3 && notDone.Count == 0 ? inner.Sum(f => f.Result()) : -1;
        });
        Assert.Equal(6, viaWait.Result(Patience));

        var viaFirst = pool.Submit(() => Futures.Wait([pool.Submit(() => 1), pool.Submit(() => 2)], returnWhen: ReturnWhen.FirstCompleted).Done.Count);
        Assert.InRange(viaFirst.Result(Patience), 1, 2);

        var viaAsCompleted = pool.Submit(() => Futures.AsCompleted([pool.Submit(() => 1), pool.Submit(() => 2), pool.Submit(() => 3)]).Sum(f => f.Result()));
        Assert.Equal(6, viaAsCompleted.Result(Patience));
    }

    [Fact]
    public void Wait_AllCompleted_on_a_task_that_waits_for_us_is_a_cycle()
    {
        using var pool = new ThreadPoolExecutor(3);
        using var releaseC = new ManualResetEventSlim();
        var aRef = new TaskCompletionSource<Future<int>>();
        var bRef = new TaskCompletionSource<Future<int>>();
        var cRef = new TaskCompletionSource<Future<int>>();
        var a = pool.Submit(() => Futures.Wait([bRef.Task.Result, cRef.Task.Result], returnWhen: ReturnWhen.AllCompleted).Done.Count);
        var b = pool.Submit(() => aRef.Task.Result.Result() + 1);
        var c = pool.Submit(() => releaseC.Wait(Patience) ? 5 : -1);
        aRef.SetResult(a);
        bRef.SetResult(b);
        cRef.SetResult(c);
        releaseC.Set();

        // Whichever of a and b closes the cycle fails with it (if a does, b rethrows it from a.Result()).
        Assert.True(a.TryWait(Patience) && b.TryWait(Patience), "the cycle was not broken");
        var cycle = Assert.IsType<DeadlockException>(b.GetException());
        Assert.True(cycle.IsCycle);
        Assert.Equal(new HashSet<long> { a.Id, b.Id }, cycle.TaskIds.ToHashSet());
        Assert.True(a.GetException() is null or DeadlockException);
        Assert.Equal(5, c.Result(Patience));
    }

    [Fact]
    public void Wait_FirstCompleted_is_no_deadlock_while_another_future_can_finish()
    {
        using var pool = new ThreadPoolExecutor(3);
        using var releaseC = new ManualResetEventSlim();
        using var bWaiting = new ManualResetEventSlim();
        var aRef = new TaskCompletionSource<Future<int>>();
        var bRef = new TaskCompletionSource<Future<int>>();
        var cRef = new TaskCompletionSource<Future<int>>();

        // b waits for a, and a waits for b or c: only c can end a's wait, and it will.
        var a = pool.Submit(() =>
        {
            Assert.True(bWaiting.Wait(Patience));
            var (done, _) = Futures.Wait([bRef.Task.Result, cRef.Task.Result], returnWhen: ReturnWhen.FirstCompleted);
            return done.Single() == cRef.Task.Result ? 10 : -1;
        });
        var b = pool.Submit(() =>
        {
            bWaiting.Set();
            return aRef.Task.Result.Result() + 1;
        });
        var c = pool.Submit(() => releaseC.Wait(Patience) ? 5 : -1);
        aRef.SetResult(a);
        bRef.SetResult(b);
        cRef.SetResult(c);
        Assert.True(bWaiting.Wait(Patience));
        Assert.False(a.TryWait(Brief)); // a waits: not a deadlock while c can finish
        releaseC.Set();

        Assert.Equal(10, a.Result(Patience));
        Assert.Equal(11, b.Result(Patience));
    }

    [Fact]
    public void Wait_FirstException_becomes_a_deadlock_when_the_futures_that_could_fail_succeed()
    {
        using var pool = new ThreadPoolExecutor(3);
        using var releaseC = new ManualResetEventSlim();
        var aRef = new TaskCompletionSource<Future<int>>();
        var bRef = new TaskCompletionSource<Future<int>>();
        var cRef = new TaskCompletionSource<Future<int>>();

        // a waits for the first failure among b and c; b waits for a. Once c succeeds, only b is left, and b can
        // only finish after a: the wait can never end.
        var a = pool.Submit(() => Futures.Wait([bRef.Task.Result, cRef.Task.Result], returnWhen: ReturnWhen.FirstException).Done.Count);
        var b = pool.Submit(() => aRef.Task.Result.Result() + 1);
        var c = pool.Submit(() => releaseC.Wait(Patience) ? 5 : -1);
        aRef.SetResult(a);
        bRef.SetResult(b);
        cRef.SetResult(c);
        releaseC.Set();

        Assert.True(a.TryWait(Patience) && b.TryWait(Patience), "the deadlock was not detected");
        var cycle = Assert.IsType<DeadlockException>(b.GetException());
        Assert.True(cycle.IsCycle);
        Assert.Equal(new HashSet<long> { a.Id, b.Id }, cycle.TaskIds.ToHashSet());
        Assert.Equal(5, c.Result(Patience));
    }

    [Fact]
    public void Wait_FirstException_returns_when_a_future_fails_although_another_is_stuck()
    {
        using var pool = new ThreadPoolExecutor(3);
        using var releaseC = new ManualResetEventSlim();
        using var bWaiting = new ManualResetEventSlim();
        var aRef = new TaskCompletionSource<Future<int>>();
        var bRef = new TaskCompletionSource<Future<int>>();
        var cRef = new TaskCompletionSource<Future<int>>();
        var a = pool.Submit(() =>
        {
            Assert.True(bWaiting.Wait(Patience));
            var (done, _) = Futures.Wait([bRef.Task.Result, cRef.Task.Result], returnWhen: ReturnWhen.FirstException);
            return done.Single() == cRef.Task.Result ? 10 : -1;
        });
        var b = pool.Submit(() =>
        {
            bWaiting.Set();
            return aRef.Task.Result.Result() + 1;
        });
        var c = pool.Submit(() => releaseC.Wait(Patience) ? throw new InvalidOperationException("c failed") : -1);
        aRef.SetResult(a);
        bRef.SetResult(b);
        cRef.SetResult(c);
        Assert.True(bWaiting.Wait(Patience));
        releaseC.Set();

        Assert.Equal(10, a.Result(Patience));
        Assert.Equal(11, b.Result(Patience));
    }

    [Fact]
    public void AsCompleted_over_a_task_that_waits_for_us_fails_once_the_others_are_yielded()
    {
        using var pool = new ThreadPoolExecutor(3);
        var aRef = new TaskCompletionSource<Future<int>>();
        var bRef = new TaskCompletionSource<Future<int>>();
        var cRef = new TaskCompletionSource<Future<int>>();
        var yielded = new List<long>();
        var a = pool.Submit(() =>
        {
            foreach (var f in Futures.AsCompleted([bRef.Task.Result, cRef.Task.Result]))
            {
                yielded.Add(f.Id);
            }

            return yielded.Count;
        });
        var b = pool.Submit(() => aRef.Task.Result.Result() + 1);
        var c = pool.Submit(() => 5);
        aRef.SetResult(a);
        bRef.SetResult(b);
        cRef.SetResult(c);

        Assert.True(a.TryWait(Patience) && b.TryWait(Patience), "the deadlock was not detected");
        var cycle = Assert.IsType<DeadlockException>(b.GetException());
        Assert.True(cycle.IsCycle);
        Assert.Equal(new HashSet<long> { a.Id, b.Id }, cycle.TaskIds.ToHashSet());
        Assert.Equal(5, c.Result(Patience));
    }

    [Fact]
    public void Wait_with_a_timeout_is_not_checked_for_deadlock()
    {
        using var pool = new ThreadPoolExecutor(1);
        Future<int>? inner = null;
        var outer = pool.Submit(() =>
        {
            inner = pool.Submit(() => 1);
            var (done, notDone) = Futures.Wait([inner], Brief);
            return done.Count * 10 + notDone.Count;
        });

        Assert.Equal(1, outer.Result(Patience));
        Assert.Equal(1, inner!.Result(Patience));
    }

    [Fact]
    public void Wait_on_futures_of_another_executor_is_not_a_deadlock()
    {
        using var first = new ThreadPoolExecutor(1);
        using var second = new ThreadPoolExecutor(1);
        var outer = first.Submit(() =>
        {
            Future<int>[] inner = [second.Submit(() => 1), second.Submit(() => 2)];
            return Futures.Wait(inner).Done.Count + Futures.AsCompleted(inner).Count();
        });
        Assert.Equal(4, outer.Result(Patience));
    }
}
