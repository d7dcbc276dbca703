namespace Juggle.Tests;

/// <summary>
/// The lock-free Submit of a fully started pool and the per-worker task counts: a Submit racing Shutdown is either
/// rejected or runs, and Progress adds up whichever thread completed a task.
/// </summary>
public sealed class ThreadPoolExecutorHandOffTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Submit_racing_shutdown_on_a_started_pool_is_rejected_or_completes(bool cancelFutures)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var pool = new ThreadPoolExecutor(maxWorkers: 2);
            using var started = new Barrier(2);

            // Both workers started: Submit takes the lock-free path.
            var warm = new[] { pool.Submit(() => started.SignalAndWait(Patience)), pool.Submit(() => started.SignalAndWait(Patience)) };
            foreach (var future in warm)
            {
                Assert.True(future.Result(Patience));
            }

            var accepted = new List<Future<int>>();
            Exception? rejection = null;
            using var go = new ManualResetEventSlim();
            var submitter = new Thread(() =>
            {
                go.Wait(Patience);
                try
                {
                    while (true)
                    {
                        accepted.Add(pool.Submit(static () => 1));
                    }
                }
                catch (InvalidOperationException ex)
                {
                    rejection = ex;
                }
            });
            submitter.Start();
            go.Set();
            while (Volatile.Read(ref rejection) is null && accepted.Count < 100 && submitter.IsAlive)
            {
                Thread.Yield();
            }

            pool.Shutdown(wait: true, cancelFutures: cancelFutures);
            Assert.True(submitter.Join(Patience), "the submitter never saw the shutdown");
            Assert.Contains("after shutdown", rejection!.Message, StringComparison.Ordinal);

            // Everything accepted before the shutdown ran (or, with cancelFutures, was cancelled): nothing is left pending.
            foreach (var future in accepted)
            {
                Assert.True(future.Done, $"{future} was accepted but never ran");
                if (!cancelFutures)
                {
                    Assert.Equal(1, future.Result(TimeSpan.Zero));
                }
            }

            var progress = pool.Progress;
            Assert.Equal(accepted.Count + warm.Length, progress.Submitted);
            Assert.Equal(progress.Submitted, progress.Succeeded + progress.Cancelled);
            Assert.Equal(0, progress.Running);
        }
    }

    [Fact]
    public async Task Progress_adds_up_tasks_completed_on_workers_elsewhere_and_never_started()
    {
        using var pool = new ThreadPoolExecutor(maxWorkers: 2);
        using var release = new ManualResetEventSlim();
        using var bothRunning = new CountdownEvent(2);
        var asyncGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // One worker blocked in a sync task, the other slot held by async work awaiting (it completes on another thread).
        var blocking = pool.Submit(() =>
        {
            bothRunning.Signal();
            release.Wait(Patience);
            return 1;
        });
        var detached = pool.Submit(async ct =>
        {
            bothRunning.Signal();
            await asyncGate.Task.WaitAsync(ct);
            return 2;
        });
        Assert.True(bothRunning.Wait(Patience));
        var queued = pool.Submit(static () => 3);
        Assert.True(queued.Cancel());

        var running = pool.Progress;
        Assert.Equal(3, running.Submitted);
        Assert.Equal(2, running.Running);
        Assert.Equal(1, running.Cancelled);

        release.Set();
        Assert.Equal(1, blocking.Result(Patience));
        asyncGate.SetResult();
        Assert.Equal(2, await detached.AsTask().WaitAsync(Patience));
        var failing = pool.Submit(new Func<int>(static () => throw new InvalidOperationException("boom")));
        Assert.IsType<InvalidOperationException>(failing.GetException(Patience));

        // Completion is counted before the future is seen done.
        var done = pool.Progress;
        Assert.Equal(4, done.Submitted);
        Assert.Equal(0, done.Running);
        Assert.Equal(2, done.Succeeded);
        Assert.Equal(1, done.Failed);
        Assert.Equal(1, done.Cancelled);
    }
}
