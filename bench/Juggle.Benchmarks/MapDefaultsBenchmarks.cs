using BenchmarkDotNet.Attributes;

namespace Juggle.Benchmarks;

/// <summary>
/// <c>Map</c> with default arguments against what a .NET user would otherwise write for fine-grained CPU work: a plain
/// sequential loop, PLINQ (<c>AsParallel().AsOrdered().Select</c>) and <c>Parallel.For</c> into an array, on 1,000,000
/// items of about 1 µs of CPU each. A 2-worker <see cref="ThreadPoolExecutor"/> runs <c>Map</c> with defaults (the
/// chunk size chosen from measured task time), with <c>chunkSize: 1</c> (one task per item, the former default) and
/// with <c>chunkSize: 1000</c>. Figures are per item.
/// </summary>
[MinColumn, MedianColumn, MaxColumn]
[ShortJob(warmupCount: 1, iterationCount: 5)]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet disposes it in [GlobalCleanup].")]
public class MapDefaultsBenchmarks
{
    public const int N = 1_000_000;

    private static readonly Func<int, int> Work = CpuWork;

    private readonly int[] _items = Enumerable.Range(0, N).ToArray();
    private ThreadPoolExecutor _executor = null!;

    [GlobalSetup]
    public void Setup()
    {
        _executor = new ThreadPoolExecutor(maxWorkers: 2);
        _ = Consume(_executor.Map(Work, _items.Take(10_000).ToArray()));
    }

    [GlobalCleanup]
    public void Cleanup() => _executor.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = N, Description = "sequential foreach")]
    public long Sequential()
    {
        long sum = 0;
        foreach (var item in _items)
        {
            sum += Work(item);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = N, Description = "PLINQ AsParallel().AsOrdered().Select")]
    public long Plinq() => Consume(_items.AsParallel().AsOrdered().Select(Work));

    [Benchmark(OperationsPerInvoke = N, Description = "Parallel.For into an array")]
    public long ParallelFor()
    {
        var results = new int[N];
        Parallel.For(0, N, i => results[i] = Work(_items[i]));
        return Consume(results);
    }

    [Benchmark(OperationsPerInvoke = N, Description = "ThreadPoolExecutor(2).Map, defaults")]
    public long MapDefault() => Consume(_executor.Map(Work, _items));

    [Benchmark(OperationsPerInvoke = N, Description = "ThreadPoolExecutor(2).Map, chunkSize 1")]
    public long MapChunk1() => Consume(_executor.Map(Work, _items, chunkSize: 1));

    [Benchmark(OperationsPerInvoke = N, Description = "ThreadPoolExecutor(2).Map, chunkSize 1000")]
    public long MapChunk1000() => Consume(_executor.Map(Work, _items, chunkSize: 1000));

    /// <summary>About a microsecond of integer mixing that the JIT cannot fold away.</summary>
    public static int CpuWork(int x)
    {
        var h = (uint)x;
        for (var i = 0; i < 400; i++)
        {
            h = unchecked((h ^ (h >> 15)) * 2246822519u) + (uint)i;
        }

        return (int)h;
    }

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
