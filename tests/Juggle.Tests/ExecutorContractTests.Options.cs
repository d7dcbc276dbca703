using System.Threading.RateLimiting;

namespace Juggle.Tests;

/// <summary>Options every executor honours: progress, rate limiting, metrics, validation.</summary>
public abstract partial class ExecutorContractTests
{
    [Fact]
    public void Progress_counts_submitted_running_succeeded_failed_and_cancelled()
    {
        var progress = new ProgressRecorder();
        using var pool = CreateExecutor(1, o => o.Progress = progress);
        using var gate = new CrossProcessGate();
        var blocked = SubmitBlocked(pool, gate);
        var ok = pool.Submit(ContractFunctions.Square, 2);
        var failing = pool.Submit(ContractFunctions.Fail, "counted");
        var cancelled = pool.Submit(ContractFunctions.Square, 3);

        Assert.True(progress.WaitFor(p => p is { Submitted: 4, Running: 1 }, Patience));
        var snapshot = pool.Progress;
        Assert.Equal(4, snapshot.Submitted);
        Assert.Equal(1, snapshot.Running);
        Assert.Equal(3, snapshot.Pending);
        Assert.Equal(0, snapshot.Done);

        Assert.True(cancelled.Cancel());
        Assert.Equal(1, pool.Progress.Cancelled);
        Assert.Equal(2, pool.Progress.Pending);

        gate.Release();
        pool.Shutdown();
        var expected = new ExecutorProgress(Submitted: 4, Running: 0, Succeeded: 2, Failed: 1, Cancelled: 1);
        Assert.Equal(expected, pool.Progress);
        Assert.Equal(4, pool.Progress.Done);
        Assert.Equal(0, pool.Progress.Pending);
        Assert.True(progress.WaitFor(p => p == expected, Patience), "IProgress never saw the final counts");
        Assert.Equal(1, progress.MaxRunning);
        Assert.True(blocked.Done && ok.Done && failing.Done);
    }

    [Fact]
    public void Progress_reports_each_submission()
    {
        var progress = new ProgressRecorder();
        using var pool = CreateExecutor(2, o => o.Progress = progress);
        for (var i = 0; i < 5; i++)
        {
            pool.Submit(ContractFunctions.Square, i);
        }

        pool.Shutdown();
        for (var n = 1; n <= 5; n++)
        {
            Assert.True(progress.WaitFor(p => p.Submitted == n, TimeSpan.Zero), $"no report with {n} submitted");
        }

        Assert.True(progress.WaitFor(p => p is { Submitted: 5, Succeeded: 5, Running: 0 }, TimeSpan.Zero));
    }

    [Fact]
    public void A_throwing_progress_handler_is_logged_and_breaks_nothing()
    {
        var progress = new ThrowingProgress();
        using var pool = CreateExecutor(2, o => o.Progress = progress);

        var futures = Enumerable.Range(0, 5).Select(i => pool.Submit(ContractFunctions.Square, i)).ToList();
        var failing = pool.Submit(ContractFunctions.Fail, "with throwing progress");

        Assert.Equal([0, 1, 4, 9, 16], futures.Select(f => f.Result(Patience)));
        Assert.Throws<InvalidOperationException>(() => failing.Result(Patience));
        Assert.Equal([0, 1, 4], pool.Map(ContractFunctions.Square, [0, 1, 2]).ToList());
        pool.Shutdown();
        Assert.True(progress.Calls > 0);
        Assert.Equal(new ExecutorProgress(Submitted: 9, Running: 0, Succeeded: 8, Failed: 1, Cancelled: 0), pool.Progress);
    }

    [Fact]
    public void A_throwing_done_callback_is_logged_with_its_exception()
    {
        var logger = new ListLogger();
        using var pool = CreateExecutor(1, o => o.Logger = logger);
        var future = pool.Submit(ContractFunctions.Square, 2);
        future.Wait(Patience);
        var failure = new InvalidOperationException("callback failure to log");

        future.AddDoneCallback(_ => throw failure);

        var entry = Assert.Single(logger.Entries, e => ReferenceEquals(e.Exception, failure));
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, entry.Level);
        Assert.Contains("callback", entry.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"#{future.Id}", entry.Message);
    }

    [Fact]
    public void Work_accepted_before_a_concurrent_shutdown_is_all_done_when_Shutdown_returns()
    {
        using var pool = CreateExecutor(3);
        using var start = new Barrier(5);
        var accepted = new System.Collections.Concurrent.ConcurrentBag<Future<int>>();
        var rejected = 0;
        var submitters = Enumerable.Range(0, 4).Select(t => Task.Factory.StartNew(() =>
        {
            Assert.True(start.SignalAndWait(Patience));
            for (var i = 0; i < 200; i++)
            {
                try
                {
                    accepted.Add(pool.Submit(ContractFunctions.Square, i));
                }
                catch (InvalidOperationException)
                {
                    Interlocked.Increment(ref rejected);
                }
            }
        }, TaskCreationOptions.LongRunning)).ToArray();

        Assert.True(start.SignalAndWait(Patience));
        pool.Shutdown();
        var seenAtShutdown = accepted.ToArray();
        Assert.All(seenAtShutdown, f => Assert.True(f.Done, $"{f} was accepted but not done when Shutdown returned"));
        Assert.True(Task.WaitAll(submitters, Patience));

        // Everything accepted was run (Shutdown waited for it); everything else was rejected.
        Assert.Equal(800, accepted.Count + rejected);
        Assert.All(accepted, f => Assert.Equal(FutureState.Finished, f.State));
        Assert.Equal(accepted.Count, pool.Progress.Succeeded);
    }

    [Fact]
    public void A_RateLimiter_decides_when_tasks_start()
    {
        var limiter = new ManualRateLimiter();
        var progress = new ProgressRecorder();
        using var pool = CreateExecutor(2, o =>
        {
            o.RateLimiter = limiter;
            o.Progress = progress;
        });
        using var disposeLimiterFirst = limiter; // disposed before the pool, so a failure here frees the workers

        var first = pool.Submit(ContractFunctions.Answer);
        var second = pool.Submit(ContractFunctions.Square, 3);
        Assert.True(limiter.WaitForQueued(1, Patience), "the executor did not ask the limiter for a permit");
        Assert.Equal(FutureState.Pending, first.State);
        Assert.Equal(FutureState.Pending, second.State);
        Assert.Equal(0, pool.Progress.Running);

        limiter.Grant(1);
        Assert.True(Futures.Wait([first, second], Patience, ReturnWhen.FirstCompleted).Done.Count == 1);
        Assert.Equal(1, new[] { first, second }.Count(f => f.State == FutureState.Pending));
        // Counts are updated just after a future is published as done: wait for them before the next start.
        Assert.True(progress.WaitFor(p => p is { Succeeded: 1, Running: 0 }, Patience));

        limiter.Grant(1);
        Assert.Equal(42, first.Result(Patience));
        Assert.Equal(9, second.Result(Patience));

        pool.Shutdown();
        Assert.False(limiter.IsDisposed, "the executor must not dispose a limiter it was given");
        Assert.Equal(1, progress.MaxRunning);
    }

    [Fact]
    public void Shutdown_with_cancelFutures_cancels_tasks_still_waiting_for_a_permit()
    {
        var limiter = new ManualRateLimiter();
        using var pool = CreateExecutor(2, o => o.RateLimiter = limiter);
        using var disposeLimiterFirst = limiter; // disposed before the pool, so a failure here frees the workers
        var futures = Enumerable.Range(0, 4).Select(i => pool.Submit(ContractFunctions.Square, i)).ToList();
        Assert.True(limiter.WaitForQueued(1, Patience), "the executor did not ask the limiter for a permit");

        var shutdown = Task.Run(() => pool.Shutdown(cancelFutures: true));
        Assert.True(shutdown.Wait(Patience), "Shutdown(cancelFutures: true) waited for permits of tasks it should have cancelled");
        Assert.All(futures, f => Assert.True(f.Cancelled, $"{f} was not started, so it should be cancelled"));
        Assert.Equal(4, pool.Progress.Cancelled);
        Assert.Equal(0, limiter.GetStatistics()!.CurrentQueuedCount);
    }

    [Fact]
    public void Cancelling_a_task_that_waits_for_a_permit_gives_the_worker_back()
    {
        var limiter = new ManualRateLimiter();
        using var pool = CreateExecutor(1, o => o.RateLimiter = limiter);
        using var disposeLimiterFirst = limiter;
        var first = pool.Submit(ContractFunctions.Square, 2);
        Assert.True(limiter.WaitForQueued(1, Patience));
        var second = pool.Submit(ContractFunctions.Square, 3);

        Assert.True(first.Cancel());
        // The worker stops waiting for the cancelled task's permit and asks one for the next task.
        Assert.True(limiter.WaitForQueued(1, Patience));
        Assert.True(limiter.Requests >= 2);
        limiter.Grant(1);
        Assert.Equal(9, second.Result(Patience));
        Assert.True(first.Cancelled);
    }

    [Fact]
    public void A_ConcurrencyLimiter_of_one_runs_tasks_one_at_a_time()
    {
        using var limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = 1, QueueLimit = 100 });
        var progress = new ProgressRecorder();
        using var pool = CreateExecutor(3, o =>
        {
            o.RateLimiter = limiter;
            o.Progress = progress;
        });
        using var gate = new CrossProcessGate();
        var futures = Enumerable.Range(0, 3).Select(i => pool.Submit(ContractFunctions.BlockThenReturn, gate.Path, i)).ToList();

        for (var i = 0; i < 3; i++)
        {
            Assert.True(gate.WaitStarted(Patience), $"task {i} did not start");
            Assert.False(gate.WaitStarted(Brief), "a second task started while the only permit was held");
            gate.Release();
        }

        Assert.Equal([0, 1, 2], futures.Select(f => f.Result(Patience)).Order());
        Assert.Equal(1, progress.MaxRunning);
    }

    [Fact]
    public void TasksPerSecond_spaces_out_task_starts()
    {
        using var pool = CreateExecutor(4, o => o.TasksPerSecond = 20); // one start every 50 ms

        // Warm up first, so workers that start slowly (processes) don't bunch the measured starts together.
        Assert.Equal(4, pool.Map(ContractFunctions.Square, Enumerable.Range(0, 4)).Count());

        var futures = Enumerable.Range(0, 11).Select(i => pool.Submit(ContractFunctions.Square, i)).ToList();
        Assert.Equal(Enumerable.Range(0, 11).Select(i => i * i), futures.Select(f => f.Result(Patience)));

        var starts = futures.Select(f => f.StartTimestamp).Order().ToList();
        var span = pool.Time.GetElapsedTime(starts[0], starts[^1]);
        // Eleven starts at 20/s: ten periods of 50 ms after the first (500 ms nominal; unlimited, they start within a
        // few ms). A start is stamped where the executor sees it (for a remote worker, when its claim is granted), so a
        // first start delayed by a busy machine shortens the span: allow 100 ms of that.
        Assert.True(span >= TimeSpan.FromMilliseconds(400), $"11 starts at 20/s took only {span.TotalMilliseconds} ms");
    }

    [Fact]
    public void Rate_limit_options_are_validated()
    {
        using var limiter = new ManualRateLimiter();
        var both = Assert.ThrowsAny<ArgumentException>(() => CreateExecutor(1, o =>
        {
            o.RateLimiter = limiter;
            o.TasksPerSecond = 5;
        }));
        Assert.Equal("TasksPerSecond", both.ParamName);

        foreach (var bad in new[] { 0, -1, double.NaN, double.PositiveInfinity })
        {
            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => CreateExecutor(1, o => o.TasksPerSecond = bad));
            Assert.Equal("TasksPerSecond", ex.ParamName);
        }
    }

    [Fact]
    public void Metrics_are_published_on_the_Juggle_meter()
    {
        using var metrics = new MetricsRecorder();
        var pool = CreateExecutor(1);
        metrics.Track(pool.Name);
        using var gate = new CrossProcessGate();
        var blocked = SubmitBlocked(pool, gate);
        var ok = Enumerable.Range(0, 3).Select(i => pool.Submit(ContractFunctions.Square, i)).ToList();
        var failing = pool.Submit(ContractFunctions.Fail, "metric");
        var cancelled = pool.Submit(ContractFunctions.Square, 9);
        Assert.True(cancelled.Cancel());
        gate.Release();
        pool.Dispose();

        Assert.Equal("Juggle", Executor.MeterName);
        Assert.Contains("juggle.tasks.submitted", metrics.Instruments);
        Assert.Contains("juggle.tasks.running", metrics.Instruments);
        Assert.Contains("juggle.tasks.completed", metrics.Instruments);
        Assert.Equal(6, metrics.Sum("juggle.tasks.submitted"));
        Assert.Equal(6, metrics.Sum("juggle.tasks.completed"));
        Assert.Equal(4, metrics.Sum("juggle.tasks.completed", "succeeded"));
        Assert.Equal(1, metrics.Sum("juggle.tasks.completed", "failed"));
        Assert.Equal(1, metrics.Sum("juggle.tasks.completed", "cancelled"));
        Assert.Equal(0, metrics.Sum("juggle.tasks.running"));
        Assert.Equal(1, metrics.PeakOf("juggle.tasks.running"));
        Assert.True(blocked.Done && failing.Failed && ok.All(f => f.Done));
    }
}
