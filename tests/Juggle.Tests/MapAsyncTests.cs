namespace Juggle.Tests;

public sealed class MapAsyncTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task MapAsync_yields_results_in_input_order()
    {
        await using var pool = new ThreadPoolExecutor(maxWorkers: 4);
        var results = new List<int>();
        await foreach (var r in pool.MapAsync(x => x * x, Enumerable.Range(0, 50), chunkSize: 3).WithCancellation(new CancellationTokenSource(Guard).Token))
        {
            results.Add(r);
        }

        Assert.Equal(Enumerable.Range(0, 50).Select(x => x * x), results);
    }

    [Fact]
    public async Task MapAsync_is_lazy_over_an_infinite_input()
    {
        await using var pool = new ThreadPoolExecutor(maxWorkers: 2);
        var pulled = 0;
        IEnumerable<int> Endless()
        {
            for (var i = 0; ; i++)
            {
                Interlocked.Increment(ref pulled);
                yield return i;
            }
        }

        var taken = new List<int>();
        await foreach (var r in pool.MapAsync(x => x + 1, Endless(), bufferSize: 3))
        {
            taken.Add(r);
            if (taken.Count == 5)
            {
                break;
            }
        }

        Assert.Equal([1, 2, 3, 4, 5], taken);
        Assert.InRange(Volatile.Read(ref pulled), 5, 5 + 3 + 1);
    }

    [Fact]
    public async Task MapOutcomesAsync_reports_each_failure_and_keeps_going()
    {
        await using var pool = new ThreadPoolExecutor(maxWorkers: 2);
        var outcomes = new List<Outcome<int, int>>();
        await foreach (var o in pool.MapOutcomesAsync(x => x % 3 == 0 ? throw new InvalidOperationException($"bad {x}") : x, Enumerable.Range(1, 9)))
        {
            outcomes.Add(o);
        }

        Assert.Equal(9, outcomes.Count);
        Assert.Equal([3, 6, 9], outcomes.Where(o => !o.Succeeded).Select(o => o.Item));
        Assert.All(outcomes.Where(o => !o.Succeeded), o => Assert.IsType<InvalidOperationException>(o.Exception));
        Assert.Equal(Enumerable.Range(0, 9).Select(i => (long)i), outcomes.Select(o => o.Index));
    }

    [Fact]
    public async Task MapAsync_cancellation_stops_and_cancels_queued_work()
    {
        await using var pool = new ThreadPoolExecutor(maxWorkers: 1);
        using var release = new ManualResetEventSlim();
        using var firstStarted = new ManualResetEventSlim();
        using var cts = new CancellationTokenSource();
        var started = 0;
        var enumerator = pool.MapAsync(
            x =>
            {
                Interlocked.Increment(ref started);
                firstStarted.Set();
                Assert.True(release.Wait(Guard));
                return x;
            },
            Enumerable.Range(0, 10),
            bufferSize: 4,
            cancellationToken: cts.Token).GetAsyncEnumerator();

        var move = enumerator.MoveNextAsync().AsTask();
        Assert.True(firstStarted.Wait(Guard)); // cancel while the first item runs and three wait behind it
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => move.WaitAsync(Guard));
        release.Set();
        await enumerator.DisposeAsync();
        await pool.ShutdownAsync().WaitAsync(Guard);
        Assert.Equal(1, Volatile.Read(ref started));
        Assert.Equal(3, pool.Progress.Cancelled);
    }

    [Fact]
    public void MapAsync_validates_arguments_eagerly()
    {
        using var pool = new ThreadPoolExecutor(maxWorkers: 1);
        Assert.Equal("chunkSize", Assert.Throws<ArgumentOutOfRangeException>(() => pool.MapAsync((int x) => x, [1], chunkSize: 0)).ParamName);
        Assert.Equal("bufferSize", Assert.Throws<ArgumentOutOfRangeException>(() => pool.MapAsync((int x) => x, [1], bufferSize: 0)).ParamName);
        Assert.Equal("fn", Assert.Throws<ArgumentNullException>(() => pool.MapAsync((Func<int, int>)null!, [1])).ParamName);
        Assert.Equal("fn", Assert.Throws<ArgumentNullException>(() => pool.MapAsync((Func<int, Task<int>>)null!, [1])).ParamName);
    }
}
