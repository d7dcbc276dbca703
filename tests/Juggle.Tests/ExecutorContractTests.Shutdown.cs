namespace Juggle.Tests;

/// <summary>Shutdown, Dispose and DisposeAsync.</summary>
public abstract partial class ExecutorContractTests
{
    [Fact]
    public void Submit_after_shutdown_throws_InvalidOperationException()
    {
        using var pool = CreateExecutor(2);
        pool.Shutdown();
        Assert.True(pool.IsShutdown);

        var ex = Assert.Throws<InvalidOperationException>(() => pool.Submit(ContractFunctions.Answer));
        Assert.Contains("shut", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Throws<InvalidOperationException>(() => pool.Submit(ContractFunctions.Square, 2));
        Assert.Throws<InvalidOperationException>(() => pool.Submit(ContractFunctions.Add, 1, 2));
        Assert.Throws<InvalidOperationException>(() => pool.Submit(ContractFunctions.DoNothing));
        Assert.Throws<InvalidOperationException>(() => pool.Submit(ContractFunctions.AnswerAsync));
        Assert.Throws<InvalidOperationException>(() => pool.Map(ContractFunctions.Square, [1, 2]).ToList());
        Assert.Equal(0, pool.Progress.Submitted);
    }

    [Fact]
    public async Task Shutdown_and_dispose_can_be_called_more_than_once()
    {
        var pool = CreateExecutor(2);
        Assert.Equal(1, pool.Submit(ContractFunctions.Square, 1).Result(Patience));
        pool.Shutdown();
        pool.Shutdown(wait: false);
        pool.Shutdown(cancelFutures: true);
        await pool.ShutdownAsync();
        pool.Dispose();
        await pool.DisposeAsync();
        Assert.True(pool.IsShutdown);
    }

    [Fact]
    public void Shutdown_of_an_unused_executor_returns()
    {
        var pool = CreateExecutor(4);
        var shutdown = Task.Run(() => pool.Shutdown());
        Assert.True(shutdown.Wait(Patience));
        Assert.True(pool.IsShutdown);
    }

    [Fact]
    public void Shutdown_waits_for_running_and_pending_work()
    {
        using var pool = CreateExecutor(1);
        using var gate = new CrossProcessGate();
        var blocked = SubmitBlocked(pool, gate);
        var pending = Enumerable.Range(0, 5).Select(i => pool.Submit(ContractFunctions.Square, i)).ToList();

        var shutdown = Task.Run(() => pool.Shutdown());
        Assert.False(shutdown.Wait(Brief), "Shutdown(wait: true) returned while a task was still running");

        // On a loaded machine the Task.Run above may not have started within Brief: wait for the flag, bounded.
        Assert.True(SpinWait.SpinUntil(() => pool.IsShutdown, Patience), "Shutdown never marked the executor shut down");
        Assert.Throws<InvalidOperationException>(() => pool.Submit(ContractFunctions.Answer));

        gate.Release();
        Assert.True(shutdown.Wait(Patience));
        Assert.True(blocked.Done);
        Assert.All(pending, f => Assert.True(f.Done, "Shutdown returned before pending work ran"));
        Assert.Equal([0, 1, 4, 9, 16], pending.Select(f => f.Result(TimeSpan.Zero)));
    }

    [Fact]
    public void Shutdown_without_wait_returns_at_once_and_the_work_still_completes()
    {
        using var pool = CreateExecutor(1);
        using var gate = new CrossProcessGate();
        var blocked = SubmitBlocked(pool, gate);
        var pending = pool.Submit(ContractFunctions.Square, 6);

        var shutdown = Task.Run(() => pool.Shutdown(wait: false));
        Assert.True(shutdown.Wait(Patience), "Shutdown(wait: false) blocked");
        Assert.True(pool.IsShutdown);
        Assert.False(blocked.Done);
        Assert.False(pending.Cancelled);
        Assert.Throws<InvalidOperationException>(() => pool.Submit(ContractFunctions.Answer));

        gate.Release();
        Assert.Equal("released", blocked.Result(Patience));
        Assert.Equal(36, pending.Result(Patience));
    }

    [Fact]
    public void Shutdown_with_cancelFutures_cancels_pending_work_but_not_running_work()
    {
        using var pool = CreateExecutor(1);
        using var gate = new CrossProcessGate();
        var running = SubmitBlocked(pool, gate);
        var pending = Enumerable.Range(0, 4).Select(i => pool.Submit(ContractFunctions.Square, i)).ToList();

        pool.Shutdown(wait: false, cancelFutures: true);

        Assert.All(pending, f => Assert.True(f.Cancelled));
        Assert.All(pending, f => Assert.ThrowsAny<OperationCanceledException>(() => f.Result(TimeSpan.Zero)));
        Assert.Equal(FutureState.Running, running.State);
        gate.Release();
        Assert.Equal("released", running.Result(Patience));

        var shutdown = Task.Run(() => pool.Shutdown());
        Assert.True(shutdown.Wait(Patience));
        Assert.Equal(4, pool.Progress.Cancelled);
        Assert.Equal(1, pool.Progress.Succeeded);
    }

    [Fact]
    public async Task ShutdownAsync_with_cancelFutures_cancels_pending_and_waits_for_running()
    {
        using var pool = CreateExecutor(1);
        using var gate = new CrossProcessGate();
        var running = SubmitBlocked(pool, gate);
        var pending = pool.Submit(ContractFunctions.Square, 3);

        var shutdown = pool.ShutdownAsync(cancelFutures: true);
        Assert.True(pending.Cancelled);
        Assert.False(shutdown.IsCompleted);
        gate.Release();
        await shutdown.WaitAsync(Patience);
        Assert.True(running.Done);
        Assert.Equal("released", running.Result(TimeSpan.Zero));
    }

    [Fact]
    public void Dispose_waits_for_the_work()
    {
        var pool = CreateExecutor(1);
        using var gate = new CrossProcessGate();
        var blocked = SubmitBlocked(pool, gate);
        var pending = Enumerable.Range(0, 3).Select(i => pool.Submit(ContractFunctions.Square, i)).ToList();

        var dispose = Task.Run(pool.Dispose);
        Assert.False(dispose.Wait(Brief), "Dispose returned while a task was still running");
        gate.Release();
        Assert.True(dispose.Wait(Patience));
        Assert.True(blocked.Done);
        Assert.All(pending, f => Assert.Equal(FutureState.Finished, f.State));
        Assert.True(pool.IsShutdown);
    }

    [Fact]
    public async Task DisposeAsync_waits_for_the_work()
    {
        var pool = CreateExecutor(1);
        using var gate = new CrossProcessGate();
        var blocked = SubmitBlocked(pool, gate);
        var pending = pool.Submit(ContractFunctions.Square, 8);

        var dispose = pool.DisposeAsync().AsTask();
        Assert.False(dispose.IsCompleted);
        gate.Release();
        await dispose.WaitAsync(Patience);
        Assert.True(blocked.Done);
        Assert.Equal(64, pending.Result(TimeSpan.Zero));
        Assert.True(pool.IsShutdown);
    }

    [Fact]
    public async Task Await_using_shuts_down_at_the_end_of_the_scope()
    {
        Executor escaped;
        Future<int> future;
        await using (var pool = CreateExecutor(2))
        {
            escaped = pool;
            future = pool.Submit(ContractFunctions.Square, 9);
        }

        Assert.True(escaped.IsShutdown);
        Assert.True(future.Done);
        Assert.Equal(81, future.Result(TimeSpan.Zero));
    }
}
