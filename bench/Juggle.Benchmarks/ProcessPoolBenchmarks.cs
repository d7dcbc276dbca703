using BenchmarkDotNet.Attributes;

namespace Juggle.Benchmarks;

/// <summary>
/// <see cref="ProcessPoolExecutor"/> on 2 worker processes: per-item overhead of Map over 20,000 no-op items (one
/// task per item, and 500 items per task), and a CPU-bound loop, 20 tasks, against the same loop run sequentially
/// in this process. Figures for Map are per item.
/// </summary>
[MemoryDiagnoser]
[MinColumn, MedianColumn, MaxColumn]
[ShortJob(warmupCount: 2, iterationCount: 7)]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet disposes it in [GlobalCleanup].")]
public class ProcessPoolBenchmarks
{
    public const int N = 20_000;
    public const int CpuTasks = 20;
    public const int CpuIterations = 3_000_000;

    private readonly int[] _items = Enumerable.Range(0, N).ToArray();
    private ProcessPoolExecutor _pool = null!;

    [GlobalSetup]
    public void Setup()
    {
        _pool = new ProcessPoolExecutor(maxWorkers: 2);

        // Fresh workers reach full speed after about a second of work (tiered JIT): warm both of them on every path
        // measured here, so the figures are steady-state per-task costs (start-up has its own benchmark below).
        for (var round = 0; round < 3; round++)
        {
            _ = Consume(_pool.Map(NoOp, _items, chunkSize: 1));
            _ = Consume(_pool.Map(NoOp, _items, chunkSize: 500));
        }

        _ = Consume(_pool.Map(CpuLoop, Enumerable.Repeat(CpuIterations / 10, 8)));
    }

    [GlobalCleanup]
    public void Cleanup() => _pool.Dispose();

    [Benchmark(OperationsPerInvoke = N, Description = "Map 20k no-op, chunkSize 1")]
    public long Map1() => Consume(_pool.Map(NoOp, _items, chunkSize: 1));

    [Benchmark(OperationsPerInvoke = N, Description = "Map 20k no-op, chunkSize 1, bufferSize 256")]
    public long Map1Buffered() => Consume(_pool.Map(NoOp, _items, chunkSize: 1, bufferSize: 256));

    [Benchmark(OperationsPerInvoke = N, Description = "Map 20k no-op, chunkSize 500")]
    public long Map500() => Consume(_pool.Map(NoOp, _items, chunkSize: 500));

    [Benchmark(Description = "CPU loop x20, sequential in-process")]
    public long CpuSequential()
    {
        long sum = 0;
        for (var i = 0; i < CpuTasks; i++)
        {
            sum += CpuLoop(CpuIterations + i);
        }

        return sum;
    }

    [Benchmark(Description = "CPU loop x20, process pool (2 workers)")]
    public long CpuPool() => Consume(_pool.Map(CpuLoop, Enumerable.Range(CpuIterations, CpuTasks)));

    [Benchmark(Description = "Constructor to first result, then Dispose")]
    public int StartToFirstResult()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        return pool.Submit(NoOp, 1).Result();
    }

    public static int NoOp(int x) => x;

    /// <summary>Seed 003's CPU-bound loop: floating-point math, no allocation.</summary>
    public static int CpuLoop(int iterations)
    {
        var acc = 0.0;
        for (var i = 1; i <= iterations; i++)
        {
            acc += Math.Sqrt(i) * Math.Sin(i);
        }

        return (int)acc;
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
