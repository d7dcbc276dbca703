using BenchmarkDotNet.Attributes;

namespace Juggle.Benchmarks;

/// <summary>
/// 100 tasks that each block for 200 ms (<see cref="Thread.Sleep(int)"/>, the seeds' <c>time.sleep</c>) on
/// <c>maxWorkers: 100</c>: the whole batch, executor construction and shutdown included, must finish in about
/// 200 ms because every task gets its own thread at once. Target: ≤ 250 ms. The baseline starts 100 plain threads.
/// </summary>
[MinColumn, MedianColumn, MaxColumn]
[ShortJob(warmupCount: 1, iterationCount: 5)]
public class BlockingBenchmarks
{
    private const int Tasks = 100;
    private const int BlockMs = 200;

    [Benchmark(Baseline = true, Description = "100 x Sleep(200 ms), 100 new Threads + Join (no executor)")]
    public int HundredThreads()
    {
        var threads = new Thread[Tasks];
        for (var i = 0; i < Tasks; i++)
        {
            threads[i] = new Thread(static () => Thread.Sleep(BlockMs));
            threads[i].Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        return Tasks;
    }

    [Benchmark(Description = "100 x Sleep(200 ms), maxWorkers 100")]
    public int HundredBlockingTasks()
    {
        using var executor = new ThreadPoolExecutor(maxWorkers: Tasks);
        var futures = new Future<int>[Tasks];
        for (var i = 0; i < Tasks; i++)
        {
            futures[i] = executor.Submit(static n =>
            {
                Thread.Sleep(BlockMs);
                return n;
            }, i);
        }

        var sum = 0;
        foreach (var future in futures)
        {
            sum += future.Result();
        }

        return sum;
    }
}
