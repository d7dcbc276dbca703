using System.Diagnostics;
using System.Globalization;

namespace Juggle.Benchmarks;

/// <summary>
/// <c>peak-map [items] [chunkSize] [maxWorkers] [bufferSize]</c>: maps a no-op over a lazy input of 10,000,000 items (by
/// default) and prints the process's peak working set (Linux VmHWM) and the largest GC heap seen. BenchmarkDotNet's
/// MemoryDiagnoser counts allocations, not peak memory, hence this separate mode. Target: peak ≤ 100 MB.
/// </summary>
public static class PeakMapMemory
{
    public static int Run(string[] args)
    {
        var items = args.Length > 0 ? long.Parse(args[0], NumberStyles.AllowThousands, CultureInfo.InvariantCulture) : 10_000_000;
        var chunkSize = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1;
        var maxWorkers = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2;
        int? bufferSize = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : null;

        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var before = process.PeakWorkingSet64;

        long maxHeap = 0;
        using var stop = new ManualResetEventSlim();
        var sampler = new Thread(() =>
        {
            do
            {
                var heap = GC.GetTotalMemory(forceFullCollection: false);
                if (heap > maxHeap)
                {
                    maxHeap = heap;
                }
            }
            while (!stop.Wait(10));
        }) { IsBackground = true, Name = "heap-sampler" };
        sampler.Start();

        var ci = CultureInfo.InvariantCulture;
        var stopwatch = Stopwatch.StartNew();
        long sum = 0;
        long count = 0;
        using (var executor = new ThreadPoolExecutor(maxWorkers))
        {
            foreach (var value in executor.Map(static x => x * 2, Range(items), chunkSize: chunkSize, bufferSize: bufferSize))
            {
                sum += value;
                count++;
            }
        }

        stopwatch.Stop();
        stop.Set();
        sampler.Join();
        process.Refresh();
        var peak = process.PeakWorkingSet64;

        var expected = items * (items - 1);
        if (count != items || sum != expected)
        {
            Console.Error.WriteLine($"Wrong result: {count} items, sum {sum}, expected {items} items, sum {expected}.");
            return 1;
        }

        Console.WriteLine(string.Create(ci, $"Map over {items:N0} items, chunkSize {chunkSize}, maxWorkers {maxWorkers}, bufferSize {(bufferSize is { } b ? b.ToString(ci) : "default")}: {stopwatch.Elapsed.TotalSeconds:0.00} s ({stopwatch.Elapsed.TotalMilliseconds * 1000 / items:0.000} µs/item)"));
        Console.WriteLine(string.Create(ci, $"peak working set before Map: {before / 1048576.0:0.0} MB"));
        Console.WriteLine(string.Create(ci, $"peak working set (VmHWM) at end: {peak / 1048576.0:0.0} MB"));
        Console.WriteLine(string.Create(ci, $"largest managed heap sampled every 10 ms: {maxHeap / 1048576.0:0.0} MB"));
        Console.WriteLine(string.Create(ci, $"total allocated: {GC.GetTotalAllocatedBytes() / 1048576.0:0} MB, gen0/1/2 collections: {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}"));
        Console.WriteLine(peak <= 100L * 1024 * 1024 ? "target peak <= 100 MB: MET" : "target peak <= 100 MB: MISSED");
        return 0;
    }

    private static IEnumerable<long> Range(long count)
    {
        for (long i = 0; i < count; i++)
        {
            yield return i;
        }
    }
}
