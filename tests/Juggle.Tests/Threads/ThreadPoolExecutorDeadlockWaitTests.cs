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
        var (a, b, c) = SubmitAWaitingOnBAndC(
            pool,
            (bFuture, cFuture) => Futures.Wait([bFuture, cFuture], returnWhen: ReturnWhen.AllCompleted).Done.Count,
            () => releaseC.Wait(Patience) ? 5 : -1);
        releaseC.Set();

        // Whichever of a and b closes the cycle fails with it (if a does, b rethrows it from a.Result()).
        AssertCycleOfAAndB(a, b, c, "the cycle was not broken");
        Assert.True(a.GetException() is null or DeadlockException);
    }

    [Fact]
    public void Wait_FirstCompleted_is_no_deadlock_while_another_future_can_finish()
    {
        using var pool = new ThreadPoolExecutor(3);
        using var releaseC = new ManualResetEventSlim();
        using var bWaiting = new ManualResetEventSlim();

        // b waits for a, and a waits for b or c: only c can end a's wait, and it will.
        var (a, b, _) = SubmitAWaitingOnBAndC(
            pool,
            (bFuture, cFuture) =>
            {
                Assert.True(bWaiting.Wait(Patience));
                var (done, _) = Futures.Wait([bFuture, cFuture], returnWhen: ReturnWhen.FirstCompleted);
                return done.Single() == cFuture ? 10 : -1;
            },
            () => releaseC.Wait(Patience) ? 5 : -1,
            bWaiting.Set);
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

        // a waits for the first failure among b and c; b waits for a. Once c succeeds, only b is left, and b can
        // only finish after a: the wait can never end.
        var (a, b, c) = SubmitAWaitingOnBAndC(
            pool,
            (bFuture, cFuture) => Futures.Wait([bFuture, cFuture], returnWhen: ReturnWhen.FirstException).Done.Count,
            () => releaseC.Wait(Patience) ? 5 : -1);
        releaseC.Set();

        AssertCycleOfAAndB(a, b, c, "the deadlock was not detected");
    }

    [Fact]
    public void Wait_FirstException_returns_when_a_future_fails_although_another_is_stuck()
    {
        using var pool = new ThreadPoolExecutor(3);
        using var releaseC = new ManualResetEventSlim();
        using var bWaiting = new ManualResetEventSlim();
        var (a, b, _) = SubmitAWaitingOnBAndC(
            pool,
            (bFuture, cFuture) =>
            {
                Assert.True(bWaiting.Wait(Patience));
                var (done, _) = Futures.Wait([bFuture, cFuture], returnWhen: ReturnWhen.FirstException);
                return done.Single() == cFuture ? 10 : -1;
            },
            () => releaseC.Wait(Patience) ? throw new InvalidOperationException("c failed") : -1,
            bWaiting.Set);
        Assert.True(bWaiting.Wait(Patience));
        releaseC.Set();

        Assert.Equal(10, a.Result(Patience));
        Assert.Equal(11, b.Result(Patience));
    }

    [Fact]
    public void AsCompleted_over_a_task_that_waits_for_us_fails_once_the_others_are_yielded()
    {
        using var pool = new ThreadPoolExecutor(3);
        var yielded = new List<long>();
        var (a, b, c) = SubmitAWaitingOnBAndC(
            pool,
            (bFuture, cFuture) =>
            {
                foreach (var f in Futures.AsCompleted([bFuture, cFuture]))
                {
                    yielded.Add(f.Id);
                }

                return yielded.Count;
            },
            () => 5);

        AssertCycleOfAAndB(a, b, c, "the deadlock was not detected");
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

    /// <summary>
    /// Submits a (runs <paramref name="aBody"/> with futures b and c), b (runs <paramref name="beforeBWaits"/>, then
    /// waits for a and returns its result + 1) and c (runs <paramref name="cBody"/>). Each task gets the others'
    /// futures through a TaskCompletionSource, since they are submitted one after another.
    /// </summary>
    private static (Future<int> A, Future<int> B, Future<int> C) SubmitAWaitingOnBAndC(
        ThreadPoolExecutor pool, Func<Future<int>, Future<int>, int> aBody, Func<int> cBody, Action? beforeBWaits = null)
    {
        var aRef = new TaskCompletionSource<Future<int>>();
        var bRef = new TaskCompletionSource<Future<int>>();
        var cRef = new TaskCompletionSource<Future<int>>();
        var a = pool.Submit(() => aBody(bRef.Task.Result, cRef.Task.Result));
        var b = pool.Submit(() =>
        {
            beforeBWaits?.Invoke();
            return aRef.Task.Result.Result() + 1;
        });
        var c = pool.Submit(cBody);
        aRef.SetResult(a);
        bRef.SetResult(b);
        cRef.SetResult(c);
        return (a, b, c);
    }

    /// <summary>a and b wait for each other: both end, b with the DeadlockException naming the cycle; c returned 5.</summary>
    private static void AssertCycleOfAAndB(Future<int> a, Future<int> b, Future<int> c, string message)
    {
        Assert.True(a.TryWait(Patience) && b.TryWait(Patience), message);
        var cycle = Assert.IsType<DeadlockException>(b.GetException());
        Assert.True(cycle.IsCycle);
        Assert.Equal(new HashSet<long> { a.Id, b.Id }, cycle.TaskIds.ToHashSet());
        Assert.Equal(5, c.Result(Patience));
    }
}
