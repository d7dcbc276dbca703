namespace Juggle.Tests;

/// <summary>Futures.AsCompleted / AsCompletedAsync / Wait / WaitAsync over the executor's futures.</summary>
public abstract partial class ExecutorContractTests
{
    [Fact]
    public void AsCompleted_yields_in_completion_order()
    {
        using var pool = CreateExecutor(2);
        using var gate = new CrossProcessGate();
        var slow = pool.Submit(ContractFunctions.BlockThenReturn, gate.Path, 1);
        Assert.True(gate.WaitStarted(Patience));
        var fast = pool.Submit(ContractFunctions.Square, 2);

        using var e = Futures.AsCompleted([slow, fast], Patience).GetEnumerator();
        Assert.True(e.MoveNext());
        Assert.Same(fast, e.Current);
        gate.Release();
        Assert.True(e.MoveNext());
        Assert.Same(slow, e.Current);
        Assert.False(e.MoveNext());
    }

    [Fact]
    public void AsCompleted_yields_done_futures_first_and_each_future_once()
    {
        using var pool = CreateExecutor(2);
        using var gate = new CrossProcessGate();
        var blocked = SubmitBlocked(pool, gate);
        var done = pool.Submit(ContractFunctions.Echo, "done");
        done.Wait(Patience);

        var yielded = new List<Future<string>>();
        foreach (var f in Futures.AsCompleted([blocked, done, done, blocked], Patience))
        {
            yielded.Add(f);
            if (yielded.Count == 1)
            {
                gate.Release();
            }
        }

        Assert.Equal([done, blocked], yielded);
    }

    [Fact]
    public void AsCompleted_includes_cancelled_futures()
    {
        using var pool = CreateExecutor(1);
        using var gate = new CrossProcessGate();
        var blocked = SubmitBlocked(pool, gate);
        var pending = pool.Submit(ContractFunctions.Echo, "never");

        using var e = Futures.AsCompleted([blocked, pending], Patience).GetEnumerator();
        Assert.True(pending.Cancel());
        Assert.True(e.MoveNext());
        Assert.Same(pending, e.Current);
        Assert.True(e.Current.Cancelled);
        gate.Release();
        Assert.True(e.MoveNext());
        Assert.Same(blocked, e.Current);
    }

    [Fact]
    public void AsCompleted_timeout_yields_the_finished_ones_then_says_how_many_are_unfinished()
    {
        using var pool = CreateExecutor(3);
        using var gate = new CrossProcessGate();
        var blocked1 = pool.Submit(ContractFunctions.BlockThenReturn, gate.Path, -1);
        var blocked2 = pool.Submit(ContractFunctions.BlockThenReturn, gate.Path, -2);
        Assert.True(gate.WaitStarted(Patience, count: 2));
        var finished = Enumerable.Range(1, 3).Select(i => pool.Submit(ContractFunctions.Square, i)).ToList();
        finished.ForEach(f => f.Wait(Patience));

        var yielded = new List<Future<int>>();
        var ex = Assert.Throws<TimeoutException>(() =>
        {
            foreach (var f in Futures.AsCompleted([blocked1, .. finished, blocked2, blocked1], Brief))
            {
                yielded.Add(f);
            }
        });

        Assert.Equal(finished.ToHashSet(), yielded.ToHashSet());
        Assert.Equal(3, yielded.Count);
        Assert.Contains("2 (of 5) futures unfinished", ex.Message);
        gate.Release(2);
        Assert.Equal(-1, blocked1.Result(Patience));
    }

    [Fact]
    public void AsCompleted_with_zero_timeout_yields_done_futures_without_throwing()
    {
        using var pool = CreateExecutor(2);
        var futures = Enumerable.Range(0, 5).Select(i => pool.Submit(ContractFunctions.Square, i)).ToList();
        futures.ForEach(f => f.Wait(Patience));

        Assert.Equal(5, Futures.AsCompleted(futures, TimeSpan.Zero).Count());
        Assert.Empty(Futures.AsCompleted(Array.Empty<Future<int>>(), TimeSpan.Zero));
    }

    [Fact]
    public async Task AsCompletedAsync_yields_in_completion_order_and_times_out_after_the_finished_ones()
    {
        using var pool = CreateExecutor(2);
        using var gate = new CrossProcessGate();
        var slow = pool.Submit(ContractFunctions.BlockThenReturn, gate.Path, 1);
        Assert.True(gate.WaitStarted(Patience));
        var fast = pool.Submit(ContractFunctions.Square, 2);

        var order = new List<Future<int>>();
        await foreach (var f in Futures.AsCompletedAsync([slow, fast, fast], Patience))
        {
            order.Add(f);
            if (order.Count == 1)
            {
                gate.Release();
            }
        }

        Assert.Equal([fast, slow], order);

        var blocked = pool.Submit(ContractFunctions.BlockThenReturn, gate.Path, 3);
        Assert.True(gate.WaitStarted(Patience));
        var yielded = new List<Future<int>>();
        var ex = await Assert.ThrowsAsync<TimeoutException>(async () =>
        {
            await foreach (var f in Futures.AsCompletedAsync([fast, blocked], Brief))
            {
                yielded.Add(f);
            }
        });
        Assert.Equal([fast], yielded);
        Assert.Contains("1 (of 2) futures unfinished", ex.Message);
        gate.Release();
        Assert.Equal(3, blocked.Result(Patience));
    }

    [Fact]
    public void Wait_FirstCompleted_returns_when_one_finishes()
    {
        using var pool = CreateExecutor(2);
        using var gate = new CrossProcessGate();
        var blocked = SubmitBlocked(pool, gate);
        var fast = pool.Submit(ContractFunctions.Echo, "fast");

        var (done, notDone) = Futures.Wait([blocked, fast], Patience, ReturnWhen.FirstCompleted);

        Assert.Equal([fast], done);
        Assert.Equal([blocked], notDone);
        gate.Release();
    }

    [Fact]
    public void Wait_FirstCompleted_returns_at_once_when_one_is_already_done()
    {
        using var pool = CreateExecutor(2);
        using var gate = new CrossProcessGate();
        var blocked = SubmitBlocked(pool, gate);
        var done = pool.Submit(ContractFunctions.Echo, "done");
        done.Wait(Patience);

        var result = Futures.Wait([blocked, done], Patience, ReturnWhen.FirstCompleted);
        Assert.Equal([done], result.Done);
        Assert.Equal([blocked], result.NotDone);
        gate.Release();
    }

    [Fact]
    public void Wait_FirstException_returns_when_one_fails()
    {
        using var pool = CreateExecutor(3);
        using var gate = new CrossProcessGate();
        var blocked = pool.Submit(ContractFunctions.BlockThenReturn, gate.Path, 0);
        Assert.True(gate.WaitStarted(Patience));
        var ok = pool.Submit(ContractFunctions.Square, 3);
        ok.Wait(Patience);
        var failing = pool.Submit(ContractFunctions.Fail, "first exception");

        var (done, notDone) = Futures.Wait([blocked, ok, failing], Patience, ReturnWhen.FirstException);

        Assert.Equal(new HashSet<Future<int>> { ok, failing }, done.ToHashSet());
        Assert.Equal([blocked], notDone);
        Assert.True(failing.Failed);
        gate.Release();
    }

    [Fact]
    public void Wait_FirstException_returns_at_once_when_one_already_failed()
    {
        using var pool = CreateExecutor(2);
        using var gate = new CrossProcessGate();
        var blocked = pool.Submit(ContractFunctions.BlockThenReturn, gate.Path, 0);
        Assert.True(gate.WaitStarted(Patience));
        var failed = pool.Submit(ContractFunctions.Fail, "already");
        failed.TryWait(Patience);

        var (done, notDone) = Futures.Wait([blocked, failed], Patience, ReturnWhen.FirstException);
        Assert.Equal([failed], done);
        Assert.Equal([blocked], notDone);
        gate.Release();
    }

    [Fact]
    public void Wait_FirstException_without_a_failure_waits_for_all()
    {
        using var pool = CreateExecutor(2);
        using var gate = new CrossProcessGate();
        var blocked = pool.Submit(ContractFunctions.BlockThenReturn, gate.Path, 0);
        Assert.True(gate.WaitStarted(Patience));
        var ok = pool.Submit(ContractFunctions.Square, 3);
        ok.Wait(Patience);

        var waiting = Task.Run(() => Futures.Wait([blocked, ok], Patience, ReturnWhen.FirstException));
        Assert.False(waiting.Wait(Brief), "a success is not an exception: Wait must keep waiting");
        gate.Release();
        Assert.True(waiting.Wait(Patience));
        Assert.Equal(2, waiting.Result.Done.Count);
        Assert.Empty(waiting.Result.NotDone);
    }

    [Fact]
    public void Wait_AllCompleted_waits_for_every_future_including_failed_and_cancelled()
    {
        using var pool = CreateExecutor(1);
        using var gate = new CrossProcessGate();
        var blocked = pool.Submit(ContractFunctions.BlockThenReturn, gate.Path, 7);
        Assert.True(gate.WaitStarted(Patience));
        var failing = pool.Submit(ContractFunctions.Fail, "all");
        var cancelled = pool.Submit(ContractFunctions.Square, 2);
        var ok = pool.Submit(ContractFunctions.Square, 3);
        Assert.True(cancelled.Cancel());

        var waiting = Task.Run(() => Futures.Wait([blocked, failing, cancelled, ok]));
        gate.Release();
        Assert.True(waiting.Wait(Patience));
        var (done, notDone) = waiting.Result;
        Assert.Equal(4, done.Count);
        Assert.Empty(notDone);
        Assert.Equal(7, blocked.Result(TimeSpan.Zero));
        Assert.Equal(9, ok.Result(TimeSpan.Zero));
    }

    [Fact]
    public void Wait_with_a_timeout_returns_the_not_done_ones_instead_of_throwing()
    {
        using var pool = CreateExecutor(2);
        using var gate = new CrossProcessGate();
        var blocked = SubmitBlocked(pool, gate);
        var ok = pool.Submit(ContractFunctions.Echo, "ok");
        ok.Wait(Patience);

        var (done, notDone) = Futures.Wait([blocked, ok], Brief);
        Assert.Equal([ok], done);
        Assert.Equal([blocked], notDone);

        var zero = Futures.Wait([blocked, ok], TimeSpan.Zero, ReturnWhen.AllCompleted);
        Assert.Equal([blocked], zero.NotDone);
        gate.Release();
    }

    [Fact]
    public void Wait_counts_each_future_once()
    {
        using var pool = CreateExecutor(2);
        var a = pool.Submit(ContractFunctions.Square, 1);
        var b = pool.Submit(ContractFunctions.Square, 2);

        var (done, notDone) = Futures.Wait([a, a, b, b, a], Patience);
        Assert.Equal(2, done.Count);
        Assert.Empty(notDone);
    }

    [Fact]
    public void Wait_rejects_an_unknown_ReturnWhen_and_null_entries()
    {
        using var pool = CreateExecutor(1);
        var a = pool.Submit(ContractFunctions.Square, 1);
        Assert.Equal("returnWhen", Assert.Throws<ArgumentOutOfRangeException>(() => Futures.Wait([a], Patience, (ReturnWhen)42)).ParamName);
        Assert.Equal("futures", Assert.ThrowsAny<ArgumentException>(() => Futures.Wait(new Future<int>[] { a, null! })).ParamName);
        Assert.Equal("futures", Assert.ThrowsAny<ArgumentException>(() => Futures.AsCompleted<Future<int>>(null!)).ParamName);
    }

    [Fact]
    public async Task WaitAsync_supports_the_same_modes()
    {
        using var pool = CreateExecutor(2);
        using var gate = new CrossProcessGate();
        var blocked = pool.Submit(ContractFunctions.BlockThenReturn, gate.Path, 1);
        Assert.True(gate.WaitStarted(Patience));
        var fast = pool.Submit(ContractFunctions.Square, 4);

        var first = await Futures.WaitAsync([blocked, fast], Patience, ReturnWhen.FirstCompleted);
        Assert.Equal([fast], first.Done);
        Assert.Equal([blocked], first.NotDone);

        var timedOut = await Futures.WaitAsync([blocked, fast], Brief);
        Assert.Equal([blocked], timedOut.NotDone);

        var failing = pool.Submit(ContractFunctions.Fail, "async wait");
        var firstException = await Futures.WaitAsync([blocked, failing], Patience, ReturnWhen.FirstException);
        Assert.Equal([failing], firstException.Done);

        var all = Futures.WaitAsync([blocked, fast, fast]);
        gate.Release();
        var (done, notDone) = await all.WaitAsync(Patience);
        Assert.Equal(2, done.Count);
        Assert.Empty(notDone);
    }
}
