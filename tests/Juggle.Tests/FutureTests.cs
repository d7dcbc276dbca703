using System.Runtime.CompilerServices;

namespace Juggle.Tests;

/// <summary>The future's state machine on its own (through the internal completion API), including races.</summary>
public sealed class FutureTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly object Worker = new();

    private static Future<int> NewFuture(long id = 1) => new(owner: null, id, work: null);

    [Fact]
    public void A_result_is_set_once()
    {
        var future = NewFuture();
        Assert.Equal(FutureState.Pending, future.State);
        Assert.Throws<TimeoutException>(() => future.Result(TimeSpan.Zero));

        Assert.True(future.TrySetRunning(Worker, "w_0", 0, null));
        Assert.Equal(FutureState.Running, future.State);
        Assert.Equal("w_0", future.WorkerName);

        Assert.True(future.TrySetResult(1));
        Assert.False(future.TrySetResult(2));
        Assert.False(future.TrySetException(new InvalidOperationException()));
        Assert.False(future.TrySetCancelledWhileRunning());
        Assert.False(future.Cancel());
        Assert.Equal(1, future.Result(TimeSpan.Zero));
        Assert.Equal(FutureState.Finished, future.State);
    }

    [Fact]
    public void A_failure_is_rethrown_as_the_same_exception_with_its_original_stack()
    {
        var future = NewFuture();
        future.TrySetRunning(Worker, "w_0", 0, null);
        var original = Capture(ThrowHere);
        Assert.True(future.TrySetException(original));

        var first = Assert.Throws<InvalidOperationException>(() => future.Result(TimeSpan.Zero));
        Assert.Same(original, first);
        Assert.Contains(nameof(ThrowHere), first.StackTrace);
        Assert.Same(original, future.GetException(TimeSpan.Zero));
        Assert.True(future.Failed);
        Assert.Same(original, future.AsTask().Exception!.InnerException);
        Assert.Contains("raised InvalidOperationException", future.ToString());
    }

    [Fact]
    public void A_pending_future_can_be_failed_by_its_executor_without_running()
    {
        var future = NewFuture();
        var broken = new BrokenExecutorException("broken");
        Assert.True(future.TryFailPending(broken));
        Assert.False(future.TryFailPending(new BrokenExecutorException("again")));
        Assert.Same(broken, Assert.Throws<BrokenExecutorException>(() => future.Result(TimeSpan.Zero)));
        Assert.Null(future.WorkerName);
        Assert.False(future.TrySetRunning(Worker, "w_0", 0, null));
    }

    [Fact]
    public void Only_a_running_future_can_end_cancelled_by_its_token()
    {
        var pending = NewFuture();
        Assert.False(pending.TrySetCancelledWhileRunning());
        Assert.Equal(FutureState.Pending, pending.State);

        var running = NewFuture();
        using var cts = new CancellationTokenSource();
        running.TrySetRunning(Worker, "w_0", 0, cts);
        Assert.False(running.Cancel());
        Assert.True(cts.IsCancellationRequested, "Cancel() on a running async task signals its token");
        Assert.True(running.TrySetCancelledWhileRunning());
        Assert.True(running.Cancelled);
        var ex = Assert.ThrowsAny<OperationCanceledException>(() => running.Result(TimeSpan.Zero));
        Assert.Equal(cts.Token, ex.CancellationToken);
    }

    [Fact]
    public void A_cancelled_future_never_runs_and_its_task_is_cancelled()
    {
        var future = NewFuture(7);
        var task = future.AsTask();
        Assert.True(future.Cancel());
        Assert.False(future.TrySetRunning(Worker, "w_0", 0, null));
        Assert.True(task.IsCanceled);
        Assert.True(future.AsTask().IsCanceled);
        Assert.Null(future.WorkerName);
        Assert.Equal(0, future.StartTimestamp);
        Assert.Equal("<Future #7 state=cancelled>", future.ToString());
        Assert.Contains("#7", Assert.ThrowsAny<OperationCanceledException>(() => future.Result()).Message);
    }

    [Fact]
    public void Every_blocked_waiter_wakes_up_with_the_result()
    {
        var future = NewFuture();
        var waiters = Enumerable.Range(0, 8).Select(_ => Task.Factory.StartNew(() => future.Result(Patience), TaskCreationOptions.LongRunning)).ToArray();
        future.TrySetRunning(Worker, "w_0", 0, null);
        future.TrySetResult(99);
        Assert.True(Task.WaitAll(waiters, Patience));
        Assert.All(waiters, w => Assert.Equal(99, w.Result));
    }

    [Fact]
    public void Cancel_racing_the_start_has_exactly_one_winner()
    {
        Future<int> future = null!;
        var callbacks = 0;
        var started = false;
        var cancelled = false;
        Race(
            rounds: 2000,
            setup: i =>
            {
                future = NewFuture(i);
                callbacks = 0;
                future.AddDoneCallback(_ => Interlocked.Increment(ref callbacks));
            },
            left: _ => cancelled = future.Cancel(),
            right: i =>
            {
                started = future.TrySetRunning(Worker, "w_0", 0, null);
                if (started)
                {
                    future.TrySetResult(i);
                }
            },
            check: _ =>
            {
                Assert.NotEqual(cancelled, started);
                Assert.Equal(cancelled ? FutureState.Cancelled : FutureState.Finished, future.State);
                Assert.Equal(1, Volatile.Read(ref callbacks));
            });
    }

    [Fact]
    public void A_callback_added_while_the_future_completes_runs_exactly_once()
    {
        Future<int> future = null!;
        Task<int> task = null!;
        var calls = 0;
        Race(
            rounds: 2000,
            setup: i =>
            {
                future = NewFuture(i);
                future.TrySetRunning(Worker, "w_0", 0, null);
                calls = 0;
            },
            left: _ =>
            {
                future.AddDoneCallback((Future<int> f) => Interlocked.Increment(ref calls));
                task = future.AsTask();
            },
            right: i => future.TrySetResult(i),
            check: i =>
            {
                Assert.Equal(1, Volatile.Read(ref calls));
                Assert.True(task.Wait(Patience), "a task created while the future completed never completed");
                Assert.Equal(i, task.Result);
            });
    }

    /// <summary>
    /// Runs <paramref name="left"/> (on this thread) and <paramref name="right"/> (on a second thread) at the same
    /// moment, <paramref name="rounds"/> times; <paramref name="setup"/> before and <paramref name="check"/> after each round.
    /// </summary>
    private static void Race(int rounds, Action<int> setup, Action<int> left, Action<int> right, Action<int> check)
    {
        using var barrier = new Barrier(2);
        var round = 0;
        Exception? failure = null;
        var partner = new Thread(() =>
        {
            try
            {
                while (true)
                {
                    Assert.True(barrier.SignalAndWait(Patience)); // start
                    if (Volatile.Read(ref round) < 0)
                    {
                        return;
                    }

                    right(Volatile.Read(ref round));
                    Assert.True(barrier.SignalAndWait(Patience)); // end
                }
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        }) { IsBackground = true };
        partner.Start();

        try
        {
            for (var i = 0; i < rounds; i++)
            {
                setup(i);
                Volatile.Write(ref round, i);
                Assert.True(barrier.SignalAndWait(Patience), "partner thread gone: " + failure);
                left(i);
                Assert.True(barrier.SignalAndWait(Patience), "partner thread gone: " + failure);
                check(i);
            }
        }
        finally
        {
            Volatile.Write(ref round, -1);
            barrier.SignalAndWait(Patience);
            partner.Join(Patience);
        }

        Assert.Null(failure);
    }

    [Fact]
    public void Callbacks_are_checked_for_null()
    {
        var future = NewFuture();
        Assert.Equal("callback", Assert.Throws<ArgumentNullException>(() => future.AddDoneCallback((Action<Future>)null!)).ParamName);
        Assert.Equal("callback", Assert.Throws<ArgumentNullException>(() => future.AddDoneCallback((Action<Future<int>>)null!)).ParamName);
    }

    [Fact]
    public void A_throwing_callback_without_an_executor_is_swallowed()
    {
        var future = NewFuture();
        var after = false;
        future.AddDoneCallback(_ => throw new InvalidOperationException("callback"));
        future.AddDoneCallback(_ => after = true);
        future.TrySetRunning(Worker, "w_0", 0, null);
        Assert.True(future.TrySetResult(1));
        Assert.True(after);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowHere() => throw new InvalidOperationException("thrown here");

    private static Exception Capture(Action action)
    {
        try
        {
            action();
        }
        catch (Exception ex)
        {
            return ex;
        }

        throw new InvalidOperationException("did not throw");
    }
}
