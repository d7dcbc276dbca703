namespace Juggle.Tests;

/// <summary>
/// Map without a chunkSize chooses it from the measured task time (the executor's clock): slow items keep one item per
/// task, short ones are batched, an explicit chunkSize is always used.
/// </summary>
public abstract partial class ExecutorContractTests
{
    [Fact]
    public void Map_keeps_one_item_per_task_for_slow_items()
    {
        // Every reading of this clock is a second later: each task "takes" at least a second.
        using var pool = CreateExecutor(2, o => o.TimeProvider = new TestClocks.Jumping());
        var items = Enumerable.Range(0, 60).ToArray();
        Assert.Equal(items.Select(i => i * i), pool.Map(ContractFunctions.Square, items).ToList());
        pool.Shutdown();
        Assert.Equal(60, pool.Progress.Submitted);
    }

    [Fact]
    public void Map_batches_short_items_and_keeps_their_order()
    {
        // A clock that never moves: every task "takes" no time.
        using var pool = CreateExecutor(2, o => o.TimeProvider = new TestClocks.Frozen());
        var items = Enumerable.Range(0, 5000).ToArray();
        Assert.Equal(items.Select(i => i * i), pool.Map(ContractFunctions.Square, items).ToList());

        var outcomes = pool.MapOutcomes(ContractFunctions.SquareOrFail, items.Select(i => i == 4321 ? -1 : i).ToArray()).ToList();
        Assert.Equal(5000, outcomes.Count);
        Assert.Equal(Enumerable.Range(0, 5000).Select(i => (long)i), outcomes.Select(o => o.Index));
        Assert.Equal("bad item -1", outcomes[4321].Exception!.Message);
        pool.Shutdown();
        Assert.InRange(pool.Progress.Submitted, 2, 2 * 5000 / 10);
    }

    [Fact]
    public void An_explicit_chunkSize_is_used_even_for_short_items()
    {
        using var pool = CreateExecutor(2, o => o.TimeProvider = new TestClocks.Frozen());
        var items = Enumerable.Range(0, 100).ToArray();
        Assert.Equal(items.Select(i => i * i), pool.Map(ContractFunctions.Square, items, chunkSize: 1).ToList());
        Assert.Equal(items.Select(i => i * i), pool.Map(ContractFunctions.Square, items, chunkSize: 30).ToList());
        pool.Shutdown();
        Assert.Equal(100 + 4, pool.Progress.Submitted);
    }

    [Fact]
    public void Stopping_a_batched_Map_early_cancels_what_has_not_started()
    {
        using var pool = CreateExecutor(2, o => o.TimeProvider = new TestClocks.Frozen());
        var source = new CountingSource();
        Assert.Equal(Enumerable.Range(0, 3000).Select(i => i * i), pool.Map(ContractFunctions.Square, source).Take(3000).ToList());
        pool.Shutdown();
        var progress = pool.Progress;
        Assert.Equal(progress.Submitted, progress.Done);
        Assert.Equal(progress.Submitted, progress.Succeeded + progress.Cancelled);

        // Bounded: the window (thread pool: 4096 items; process pool: 8 chunks of at most 2,048) plus the chunk being yielded.
        Assert.InRange(source.Pulled, 3000, 3000 + (9 * 2048));
    }
}
