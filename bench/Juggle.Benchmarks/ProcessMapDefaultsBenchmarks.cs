using BenchmarkDotNet.Attributes;

namespace Juggle.Benchmarks;

/// <summary>
/// <see cref="ProcessPoolExecutor"/> <c>Map</c> of 100,000 no-op items on 2 worker processes with default arguments
/// (the chunk size chosen from measured task time) against <c>chunkSize: 1</c> (the former default) and the
/// hand-tuned <c>chunkSize: 500</c>. Figures are per item.
/// </summary>
[MinColumn, MedianColumn, MaxColumn]
[ShortJob(warmupCount: 1, iterationCount: 5)]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet disposes it in [GlobalCleanup].")]
public class ProcessMapDefaultsBenchmarks
{
    public const int N = 100_000;

    private readonly int[] _items = Enumerable.Range(0, N).ToArray();
    private ProcessPoolExecutor _pool = null!;

    [GlobalSetup]
    public void Setup()
    {
        _pool = new ProcessPoolExecutor(maxWorkers: 2);

        // Fresh workers reach full speed after about a second of work (tiered JIT): warm both on every path measured.
        for (var round = 0; round < 2; round++)
        {
            _ = Consume(_pool.Map(ProcessPoolBenchmarks.NoOp, _items));
            _ = Consume(_pool.Map(ProcessPoolBenchmarks.NoOp, _items.Take(20_000).ToArray(), chunkSize: 1));
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _pool.Dispose();

    [Benchmark(OperationsPerInvoke = N, Description = "ProcessPoolExecutor(2).Map no-op, defaults")]
    public long MapDefault() => Consume(_pool.Map(ProcessPoolBenchmarks.NoOp, _items));

    [Benchmark(OperationsPerInvoke = N, Description = "ProcessPoolExecutor(2).Map no-op, chunkSize 1")]
    public long MapChunk1() => Consume(_pool.Map(ProcessPoolBenchmarks.NoOp, _items, chunkSize: 1));

    [Benchmark(OperationsPerInvoke = N, Description = "ProcessPoolExecutor(2).Map no-op, chunkSize 500")]
    public long MapChunk500() => Consume(_pool.Map(ProcessPoolBenchmarks.NoOp, _items, chunkSize: 500));

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
