using BenchmarkDotNet.Attributes;

namespace Juggle.Benchmarks;

/// <summary>
/// 20 fetches of 200 ms pages on a 20-worker <see cref="ThreadPoolExecutor"/> (construction and shutdown
/// included), results taken with <see cref="Futures.AsCompleted{TFuture}"/>. Target: ≤ 220 ms. The baseline is the
/// same fetches as plain async I/O without any executor: what the machine and the server allow; 20 plain threads
/// doing the same blocking fetches separate the executor's cost from blocking HttpClient's.
/// </summary>
[MinColumn, MedianColumn, MaxColumn]
[ShortJob(warmupCount: 1, iterationCount: 5)]
public class FetchBenchmarks : FetchBenchmarksBase
{
    [GlobalSetup]
    public void Setup() => StartServer();

    [GlobalCleanup]
    public void Cleanup() => StopServer();

    [Benchmark(Baseline = true, Description = "20 fetches, async HttpClient + Task.WhenAll (no executor)")]
    public int AsyncWhenAll()
    {
        var titles = Task.WhenAll(Urls.Select(async url => Fetcher.ExtractTitle(await Client.GetStringAsync(url)))).GetAwaiter().GetResult();
        return titles.Sum(t => t.Length);
    }

    [Benchmark(Description = "20 fetches, 20 plain Threads, blocking Send (no executor)")]
    public int PlainThreads()
    {
        var titles = new string[Pages];
        var threads = new Thread[Pages];
        for (var i = 0; i < Pages; i++)
        {
            var n = i;
            threads[i] = new Thread(() => titles[n] = Fetcher.FetchTitle(Client, Urls[n]));
            threads[i].Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        return titles.Sum(t => t.Length);
    }

    [Benchmark(Description = "20 fetches, ThreadPoolExecutor(20)")]
    public int Pooled()
    {
        using var executor = new ThreadPoolExecutor(maxWorkers: Pages);
        var futures = new Future<string>[Pages];
        for (var i = 0; i < Pages; i++)
        {
            futures[i] = executor.Submit(static (client, url) => Fetcher.FetchTitle(client, url), Client, Urls[i]);
        }

        var total = 0;
        foreach (var done in Futures.AsCompleted(futures))
        {
            total += done.Result().Length;
        }

        return total;
    }

    [Benchmark(Description = "20 fetches, ThreadPoolExecutor(20), async Submit")]
    public int PooledAsync()
    {
        using var executor = new ThreadPoolExecutor(maxWorkers: Pages);
        var futures = new Future<string>[Pages];
        for (var i = 0; i < Pages; i++)
        {
            var url = Urls[i];
            futures[i] = executor.Submit(async ct => Fetcher.ExtractTitle(await Client.GetStringAsync(url, ct).ConfigureAwait(false)));
        }

        var total = 0;
        foreach (var done in Futures.AsCompleted(futures))
        {
            total += done.Result().Length;
        }

        return total;
    }
}
