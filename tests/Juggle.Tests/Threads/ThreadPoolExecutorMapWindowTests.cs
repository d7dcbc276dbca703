namespace Juggle.Tests;

/// <summary>
/// The thread pool's default Map window: it starts at 2 × MaxWorkers tasks and grows (up to 4096 items) only while
/// its tasks are short (under 100 µs). These tests pass <c>chunkSize: 1</c> to watch the window alone (without it, Map
/// also batches short items, see <c>ExecutorContractTests.MapChunks</c>); the input is an iterator, read by
/// Map's reader thread, so a count is awaited until it reaches the window's bound. Task durations come from the executor's <see cref="TimeProvider"/>, so a
/// frozen clock makes every task "short" and a clock that jumps a second per reading makes every task "slow".
/// </summary>
public sealed class ThreadPoolExecutorMapWindowTests
{
    private const int WindowLimit = 4096;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public void Default_window_doubles_while_the_tasks_are_short()
    {
        var progress = new ProgressRecorder();
        using var pool = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxWorkers = 2, TimeProvider = new TestClocks.Frozen(), Progress = progress });
        using var releaseFirst = new ManualResetEventSlim();
        var source = new CountingSource();

        // Item 0 blocks one worker until items 1-3 (the rest of the initial window of 4) are done on the other.
        var releaser = Task.Run(() =>
        {
            Assert.True(progress.WaitFor(p => p.Succeeded >= 3, Patience));
            releaseFirst.Set();
        });
        using var e = pool.Map(x => x == 0 && !releaseFirst.Wait(Patience) ? -1 : x, source, chunkSize: 1).GetEnumerator();

        Assert.True(e.MoveNext());
        Assert.Equal(0, e.Current);

        // The head task was short: when the window was topped up it doubled to 8 and was filled (and no further).
        Assert.True(SpinWait.SpinUntil(() => source.Pulled >= 1 + 8, Patience));
        Assert.Equal(1 + 8, source.Pulled);
        Assert.True(releaser.Wait(Patience));
    }

    [Fact]
    public void Default_window_stays_at_twice_MaxWorkers_for_slow_tasks()
    {
        var progress = new ProgressRecorder();
        using var pool = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxWorkers = 2, TimeProvider = new TestClocks.Jumping(), Progress = progress });
        using var releaseFirst = new ManualResetEventSlim();
        var source = new CountingSource();
        var releaser = Task.Run(() =>
        {
            Assert.True(progress.WaitFor(p => p.Succeeded >= 3, Patience));
            releaseFirst.Set();
        });
        using var e = pool.Map(x => x == 0 && !releaseFirst.Wait(Patience) ? -1 : x, source, chunkSize: 1).GetEnumerator();

        for (var consumed = 1; consumed <= 200; consumed++)
        {
            Assert.True(e.MoveNext());
            Assert.Equal(consumed - 1, e.Current);

            // Every task "took" at least a second: never more than the initial window of 4 ahead.
            Assert.InRange(source.Pulled, consumed, consumed + 4);
        }

        Assert.True(releaser.Wait(Patience));
    }

    [Fact]
    public void Default_window_never_exceeds_its_limit_in_items()
    {
        using var pool = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxWorkers = 2, TimeProvider = new TestClocks.Frozen() });
        var source = new CountingSource();
        var consumed = 0;
        foreach (var value in pool.Map(x => x, source, chunkSize: 1).Take(3 * WindowLimit))
        {
            Assert.Equal(consumed, value);
            consumed++;
            Assert.InRange(source.Pulled, consumed, consumed + WindowLimit);
        }

        // With chunks the limit counts items: 4096 / 1000 < 4 chunks, so the window keeps its initial 4 chunks.
        var chunked = new CountingSource();
        consumed = 0;
        foreach (var value in pool.Map(x => x, chunked, chunkSize: 1000).Take(20_000))
        {
            consumed++;
            var chunksStarted = (consumed + 999) / 1000;
            Assert.InRange(chunked.Pulled, consumed, (chunksStarted + 4) * 1000);
        }
    }

    [Fact]
    public void An_explicit_bufferSize_never_grows()
    {
        using var pool = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxWorkers = 2, TimeProvider = new TestClocks.Frozen() });
        var source = new CountingSource();
        var consumed = 0;
        foreach (var value in pool.Map(x => x, source, bufferSize: 3).Take(2000))
        {
            consumed++;
            Assert.InRange(source.Pulled, consumed, consumed + 3);
        }
    }

    [Fact]
    public async Task MapAsync_uses_the_same_growing_window()
    {
        var progress = new ProgressRecorder();
        using var pool = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxWorkers = 2, TimeProvider = new TestClocks.Frozen(), Progress = progress });
        using var releaseFirst = new ManualResetEventSlim();
        var source = new CountingSource();
        var releaser = Task.Run(() =>
        {
            Assert.True(progress.WaitFor(p => p.Succeeded >= 3, Patience));
            releaseFirst.Set();
        });
        await using var e = pool.MapAsync(x => x == 0 && !releaseFirst.Wait(Patience) ? -1 : x, source, chunkSize: 1).GetAsyncEnumerator();

        Assert.True(await e.MoveNextAsync().AsTask().WaitAsync(Patience));
        Assert.Equal(0, e.Current);
        Assert.True(SpinWait.SpinUntil(() => source.Pulled >= 1 + 8, Patience));
        Assert.Equal(1 + 8, source.Pulled);
        await releaser.WaitAsync(Patience);
    }
}
