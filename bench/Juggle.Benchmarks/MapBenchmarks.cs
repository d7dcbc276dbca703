using BenchmarkDotNet.Attributes;

namespace Juggle.Benchmarks;

/// <summary>
/// Per-item overhead of <c>Executor.Map</c> with a no-op function on a 2-worker
/// executor: one task per item (chunkSize 1) with the default window (starts at 2 × MaxWorkers tasks, grows up to
/// 4096 items while its tasks are short), with a fixed window of 4 (the former default) and with a
/// fixed wide one, and 100 items per task. Figures are per item.
/// </summary>
[MemoryDiagnoser]
[MinColumn, MedianColumn, MaxColumn]
[ShortJob(warmupCount: 1, iterationCount: 5)]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet disposes it in [GlobalCleanup].")]
public class MapBenchmarks
{
    public const int N = 100_000;

    private static readonly Func<int, int> Identity = static x => x;

    private readonly int[] _items = Enumerable.Range(0, N).ToArray();
    private ThreadPoolExecutor _executor = null!;

    [GlobalSetup]
    public void Setup()
    {
        _executor = new ThreadPoolExecutor(maxWorkers: 2);
        _ = Consume(_executor.Map(Identity, _items.Take(100)));
    }

    [GlobalCleanup]
    public void Cleanup() => _executor.Dispose();

    [Benchmark(OperationsPerInvoke = N, Description = "Map, chunkSize 1 (default window)")]
    public long Map1() => Consume(_executor.Map(Identity, _items, chunkSize: 1));

    [Benchmark(OperationsPerInvoke = N, Description = "Map, chunkSize 1, bufferSize 4")]
    public long Map1Window4() => Consume(_executor.Map(Identity, _items, chunkSize: 1, bufferSize: 4));

    [Benchmark(OperationsPerInvoke = N, Description = "Map, chunkSize 1, bufferSize 1024")]
    public long Map1Buffered() => Consume(_executor.Map(Identity, _items, chunkSize: 1, bufferSize: 1024));

    [Benchmark(OperationsPerInvoke = N, Description = "Map, chunkSize 100 (default window)")]
    public long Map100() => Consume(_executor.Map(Identity, _items, chunkSize: 100));

    private static long Consume(IEnumerable<int> results)
    {
        long sum = 0;
        foreach (var r in results)
        {
            sum += r;
        }

        return sum;
    }
}
