namespace Juggle.Tests;

/// <summary>
/// <see cref="Future.Cancel"/> on calls the process pool has sent ahead to a busy worker: <see langword="true"/> must
/// mean the function never runs. Each call creates a file, a side effect visible across processes; a gate holds the
/// worker in the task ahead so the calls are queued in the worker (or in the parent's outbox) when cancelled.
/// </summary>
public sealed class ProcessPoolCancelTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly DirectoryInfo _markers = Directory.CreateTempSubdirectory("juggle-cancel-");

    public void Dispose() => _markers.Delete(recursive: true);

    [Fact]
    public void A_call_sent_ahead_is_not_reported_cancelled_and_then_run()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1) { AlwaysPipeline = true };
        using var gate = new CrossProcessGate();
        var head = pool.Submit(ContractFunctions.BlockUntilReleased, gate.Path);
        Assert.True(gate.WaitStarted(Patience));
        var marker = Marker(0);
        var victim = pool.Submit(ProcessPoolFunctions.CreateFile, marker);

        // Written to the busy worker: the parent cannot promise it will not start.
        Assert.False(victim.Cancel(), "Cancel() promised a call the worker may already be starting");

        // The worker, still held by the gate, skips it and says so: the future ends cancelled before anything runs.
        Assert.True(victim.TryWait(Patience), "the skipped call never completed");
        Assert.True(victim.Cancelled);
        Assert.True(victim.Cancel());

        gate.Release();
        Assert.Equal("released", head.Result(Patience));
        Assert.Equal(16, pool.Submit(ProcessPoolFunctions.Square, 4).Result(Patience)); // runs after the skipped call (FIFO)
        Assert.False(File.Exists(marker), "the cancelled function ran");
        Assert.Equal(1, pool.Progress.Cancelled);
    }

    [Fact]
    public void True_from_Cancel_means_the_function_never_runs_for_every_call_queued_behind_a_busy_worker()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1) { AlwaysPipeline = true };
        using var gate = new CrossProcessGate();
        var head = pool.Submit(ContractFunctions.BlockUntilReleased, gate.Path);
        Assert.True(gate.WaitStarted(Patience));

        // Enough calls that the first ones are written to the worker and the rest wait in the parent's outbox.
        var futures = Enumerable.Range(0, 40).Select(i => pool.Submit(ProcessPoolFunctions.CreateFile, Marker(i))).ToList();
        // Last first: cancelling a call already written flushes the outbox, which commits the calls behind it.
        var promised = new bool[futures.Count];
        for (var i = futures.Count - 1; i >= 0; i--)
        {
            promised[i] = futures[i].Cancel();
        }

        Assert.Contains(true, promised);
        Assert.Contains(false, promised);

        gate.Release();
        Assert.Equal("released", head.Result(Patience));
        Assert.True(Futures.Wait(futures, Patience).NotDone.Count == 0, "some calls never completed");
        Assert.Equal(4, pool.Submit(ProcessPoolFunctions.Square, 2).Result(Patience));

        for (var i = 0; i < futures.Count; i++)
        {
            if (promised[i])
            {
                Assert.False(File.Exists(Marker(i)), $"call {i}: Cancel() returned true, yet the function ran");
            }

            // Whatever Cancel() said, a cancelled future's function never ran and a finished one's did.
            Assert.Equal(!futures[i].Cancelled, File.Exists(Marker(i)));
        }
    }

    [Fact]
    public void Leaving_a_Map_early_never_runs_a_call_it_reports_cancelled()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1) { AlwaysPipeline = true };
        using var first = new CrossProcessGate();
        using var second = new CrossProcessGate();
        var items = Enumerable.Range(0, 30)
            .Select(i => new MarkedItem(Marker(i), i switch { 0 => first.Path, 1 => second.Path, _ => null }))
            .ToList();

        using (var results = pool.Map(ProcessPoolFunctions.CreateFileAfterGate, items, bufferSize: 30).GetEnumerator())
        {
            var moved = Task.Run(results.MoveNext);
            Assert.True(first.WaitStarted(Patience));
            first.Release();
            Assert.True(moved.Wait(Patience) && moved.Result);

            // Item 1 now holds the worker, items 2.. wait behind it (in the worker or the parent): leaving cancels them.
            Assert.True(second.WaitStarted(Patience));
        }

        // The worker, held by item 1, acknowledges every skip before it could start any of them.
        Assert.True(SpinWait.SpinUntil(() => pool.Progress.Cancelled == 28, Patience), $"cancelled: {pool.Progress.Cancelled} of 28");
        second.Release();
        Assert.Equal(4, pool.Submit(ProcessPoolFunctions.Square, 2).Result(Patience));
        pool.Shutdown();
        Assert.True(File.Exists(Marker(0)) && File.Exists(Marker(1)));
        Assert.Equal(28, pool.Progress.Cancelled);
        Assert.All(Enumerable.Range(2, 28), i => Assert.False(File.Exists(Marker(i)), $"item {i} ran after Map cancelled it"));
    }

    [Fact]
    public void Shutdown_with_cancelFutures_cancels_calls_already_sent_to_a_worker()
    {
        var pool = new ProcessPoolExecutor(maxWorkers: 1) { AlwaysPipeline = true };
        using var gate = new CrossProcessGate();
        var head = pool.Submit(ContractFunctions.BlockUntilReleased, gate.Path);
        Assert.True(gate.WaitStarted(Patience));
        var futures = Enumerable.Range(0, 10).Select(i => pool.Submit(ProcessPoolFunctions.CreateFile, Marker(i))).ToList();

        pool.Shutdown(wait: false, cancelFutures: true);

        // The worker is still held by the gate, so every one of them is skipped before it can start.
        Assert.True(Futures.Wait(futures, Patience).NotDone.Count == 0, "calls sent ahead were not cancelled");
        Assert.All(futures, f => Assert.True(f.Cancelled));
        gate.Release();
        Assert.Equal("released", head.Result(Patience));
        pool.Dispose();
        Assert.All(Enumerable.Range(0, 10), i => Assert.False(File.Exists(Marker(i)), $"call {i} ran after shutdown cancelled it"));
    }

    private string Marker(int i) => Path.Combine(_markers.FullName, $"ran-{i}");
}
