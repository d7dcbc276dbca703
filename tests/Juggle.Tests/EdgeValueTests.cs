namespace Juggle.Tests;

/// <summary>
/// Edge values of the public API's timeouts, rates and sizes: each either works (a timeout of 30 days or
/// <see cref="TimeSpan.MaxValue"/> means "wait that long") or fails at once naming the parameter.
/// </summary>
public sealed class EdgeValueTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static TheoryData<TimeSpan> LongTimeouts => new() { TimeSpan.FromDays(30), TimeSpan.MaxValue, TimeSpan.FromMilliseconds(int.MaxValue) };

    [Theory]
    [MemberData(nameof(LongTimeouts))]
    public void Futures_Wait_with_a_very_long_timeout_waits_for_the_futures(TimeSpan timeout)
    {
        using var pool = new ThreadPoolExecutor(1);
        using var gate = new ManualResetEventSlim();
        var future = pool.Submit(() => gate.Wait(Patience));
        var (done, notDone) = WhileBlocked(gate, () => Futures.Wait([future], timeout));
        Assert.Equal([future], done);
        Assert.Empty(notDone);
    }

    [Theory]
    [MemberData(nameof(LongTimeouts))]
    public void Futures_AsCompleted_with_a_very_long_timeout_yields_the_futures(TimeSpan timeout)
    {
        using var pool = new ThreadPoolExecutor(1);
        using var gate = new ManualResetEventSlim();
        var future = pool.Submit(() => gate.Wait(Patience));
        var yielded = WhileBlocked(gate, () => Futures.AsCompleted([future], timeout).ToList());
        Assert.Equal([future], yielded);
    }

    [Theory]
    [MemberData(nameof(LongTimeouts))]
    public void Result_and_Map_with_a_very_long_timeout_wait_for_the_result(TimeSpan timeout)
    {
        using var pool = new ThreadPoolExecutor(1);
        using var gate = new ManualResetEventSlim();
        var future = pool.Submit(() => gate.Wait(Patience));
        Assert.True(WhileBlocked(gate, () => future.Result(timeout)));
        using var second = new ManualResetEventSlim();
        Assert.Equal([true], WhileBlocked(second, () => pool.Map(_ => second.Wait(Patience), [1], timeout).ToList()));
    }

    [Theory]
    [MemberData(nameof(LongTimeouts))]
    public async Task Async_waits_with_a_very_long_timeout_wait_for_the_futures(TimeSpan timeout)
    {
        using var pool = new ThreadPoolExecutor(1);
        using var gate = new ManualResetEventSlim();
        var future = pool.Submit(() => gate.Wait(Patience));

        // Started while the future is pending, so each really waits (a done future would skip the wait).
        var wait = Futures.WaitAsync([future], timeout);
        var asCompleted = Futures.AsCompletedAsync([future], timeout).ToListAsync().AsTask();
        var map = pool.MapAsync(x => x, [1, 2], timeout).ToListAsync().AsTask();
        gate.Set();

        Assert.Equal([future], (await wait.WaitAsync(Patience)).Done);
        Assert.Equal([future], await asCompleted.WaitAsync(Patience));
        Assert.Equal([1, 2], await map.WaitAsync(Patience));
    }

    [Theory]
    [InlineData(1e-9)]
    [InlineData(double.Epsilon)]
    public void A_rate_too_slow_for_a_timer_fails_naming_TasksPerSecond(double rate)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadPoolExecutor(new ThreadPoolExecutorOptions { TasksPerSecond = rate }));
        Assert.Equal("TasksPerSecond", ex.ParamName);
        Assert.Contains("RateLimiter", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1e-6)]
    [InlineData(1e12)]
    [InlineData(1e300)]
    [InlineData(double.MaxValue)]
    public void Slow_and_huge_rates_build_a_working_executor(double rate)
    {
        using var pool = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxWorkers = 1, TasksPerSecond = rate });

        // The bucket starts full: the first start is never delayed, at any rate.
        Assert.Equal(7, pool.Submit(() => 7).Result(Patience));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    public void Invalid_rates_fail_naming_TasksPerSecond(double rate)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadPoolExecutor(new ThreadPoolExecutorOptions { TasksPerSecond = rate }));
        Assert.Equal("TasksPerSecond", ex.ParamName);
    }

    [Fact]
    public void Negative_timeouts_fail_naming_the_parameter()
    {
        using var pool = new ThreadPoolExecutor(1);
        var future = pool.Submit(() => 1);
        var minus = TimeSpan.FromMilliseconds(-2);
        Assert.Equal("timeout", Assert.Throws<ArgumentOutOfRangeException>(() => future.Result(minus)).ParamName);
        Assert.Equal("timeout", Assert.Throws<ArgumentOutOfRangeException>(() => Futures.Wait([future], TimeSpan.MinValue)).ParamName);
        Assert.Equal("timeout", Assert.Throws<ArgumentOutOfRangeException>(() => pool.Map(x => x, [1], minus)).ParamName);
        Assert.Equal("timeout", Assert.Throws<ArgumentOutOfRangeException>(() => Futures.AsCompleted([future], minus)).ParamName);

        // Timeout.InfiniteTimeSpan (-1 ms) is the BCL's "for ever".
        Assert.Equal(1, future.Result(Timeout.InfiniteTimeSpan));
        Assert.Single(Futures.Wait([future], Timeout.InfiniteTimeSpan).Done);
    }

    [Fact]
    public void Huge_worker_counts_chunk_and_buffer_sizes_work()
    {
        using var pool = new ThreadPoolExecutor(int.MaxValue);
        Assert.Equal([1, 4, 9], pool.Map(x => x * x, [1, 2, 3]).ToList());
        Assert.Equal([1, 4, 9], pool.Map(x => x * x, [1, 2, 3], chunkSize: int.MaxValue).ToList());
        Assert.Equal([1, 4, 9], pool.Map(x => x * x, [1, 2, 3], chunkSize: int.MaxValue, bufferSize: int.MaxValue).ToList());
    }

    /// <summary>
    /// Runs <paramref name="wait"/> on this thread and sets <paramref name="gate"/> once this thread is blocked in it, so
    /// the wait is really entered with its future pending (the thread state tells, no sleep needed).
    /// </summary>
    private static T WhileBlocked<T>(ManualResetEventSlim gate, Func<T> wait)
    {
        var waiter = Thread.CurrentThread;
        using var stop = new CancellationTokenSource(Patience);
        var releaser = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested && (waiter.ThreadState & ThreadState.WaitSleepJoin) == 0)
            {
                Thread.Yield();
            }

            gate.Set();
        });
        try
        {
            return wait();
        }
        finally
        {
            stop.Cancel();
            gate.Set();
            releaser.Wait(Patience);
        }
    }
}
