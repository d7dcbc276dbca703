using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Juggle.Benchmarks;

/// <summary>
/// <c>processes</c>: the C# half of <c>bench/processes/run.py</c>. Runs the same measurements as
/// <c>bench/processes/cpython_processes.py</c> on <see cref="ProcessPoolExecutor"/> and prints one JSON object:
/// Map of 20,000 no-op items on 2 workers at chunkSize 1 (default window) and 500 (µs per item), seed 003's CPU
/// loop ×20 on 2 workers against the same loop sequentially, constructor to first result, and the idle RSS of the
/// worker processes (VmRSS from /proc/PID/status).
/// </summary>
/// <remarks>
/// Arguments: <c>processes [repeats=5] [items=20000]</c>. The functions are the ones of
/// <see cref="ProcessPoolBenchmarks"/>, so the figures compare with the BenchmarkDotNet suite.
/// </remarks>
public static class ProcessesSideBySide
{
    /// <summary>
    /// <c>processes cold [repeats=5] [recycleTasks=200] [recycleRepeats=1] [firstMapChunk=1|auto]</c>: the start-up paths only, as
    /// <c>cpython_processes.py cold</c>. Constructor to first result (the first pool of the process, then later ones),
    /// tasks per second with <c>maxTasksPerChild: 1</c> (every task in a fresh worker; <c>recycleTasks</c> 0 skips it),
    /// and the first Map of 20,000 no-op items right after a fresh pool's first result (µs per item).
    /// </summary>
    private static int Cold(string[] args)
    {
        var repeats = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        var recycleTasks = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
        var recycleRepeats = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1;

        // "auto": the first Map with default arguments (Juggle picks the chunk size), the way most code calls it.
        var firstMapDefaults = args.Length > 3 && args[3] == "auto";
        var result = new Dictionary<string, object>
        {
            ["recycle_tasks"] = recycleTasks,
            ["items"] = ProcessPoolBenchmarks.N,
            ["spare_worker"] = Environment.GetEnvironmentVariable(ProcessPoolExecutor.SpareWorkerVariable) != "0",
        };
        var startup = new List<double>();
        for (var r = 0; r < repeats; r++)
        {
            var sw = Stopwatch.StartNew();
            using var pool = new ProcessPoolExecutor(maxWorkers: 1);
            _ = pool.Submit(ProcessPoolBenchmarks.NoOp, 1).Result();
            startup.Add(sw.Elapsed.TotalMilliseconds);
        }

        result["startup_ms"] = startup;
        var firstMap = new List<double>();
        var items = Enumerable.Range(0, ProcessPoolBenchmarks.N).ToArray();
        for (var r = 0; r < repeats; r++)
        {
            using var pool = new ProcessPoolExecutor(maxWorkers: 2);
            _ = pool.Submit(ProcessPoolBenchmarks.NoOp, 1).Result();
            var sw = Stopwatch.StartNew();
            Consume(pool.Map(ProcessPoolBenchmarks.NoOp, items, chunkSize: firstMapDefaults ? null : 1));
            firstMap.Add(sw.Elapsed.TotalMilliseconds * 1000 / items.Length);
        }

        result[firstMapDefaults ? "first_map_default_us_per_item" : "first_map1_us_per_item"] = firstMap;
        var recycle = new List<double>();
        for (var r = 0; r < recycleRepeats && recycleTasks > 0; r++)
        {
            using var pool = new ProcessPoolExecutor(maxWorkers: 2, maxTasksPerChild: 1);
            var sw = Stopwatch.StartNew();
            Consume(pool.Map(ProcessPoolBenchmarks.NoOp, Enumerable.Range(0, recycleTasks)));
            recycle.Add(recycleTasks / sw.Elapsed.TotalSeconds);
        }

        result["recycle_tasks_per_s"] = recycle;
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }

    public static int Run(string[] args)
    {
        if (args.Length > 0 && args[0] == "map-loop")
        {
            return MapLoop(args[1..]);
        }

        if (args.Length > 0 && args[0] == "cold")
        {
            return Cold(args[1..]);
        }

        var repeats = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        var n = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : ProcessPoolBenchmarks.N;
        var items = Enumerable.Range(0, n).ToArray();
        var result = new Dictionary<string, object>
        {
            ["items"] = n,
            ["workers"] = 2,
            ["cpu_tasks"] = ProcessPoolBenchmarks.CpuTasks,
            ["cpu_iterations"] = ProcessPoolBenchmarks.CpuIterations,
        };

        // 1. Constructor to first result (then Dispose), one worker, cold: the first measurement of the process.
        var startup = new List<double>();
        var dispose = new List<double>();
        for (var r = 0; r < repeats; r++)
        {
            var sw = Stopwatch.StartNew();
            var pool = new ProcessPoolExecutor(maxWorkers: 1);
            _ = pool.Submit(ProcessPoolBenchmarks.NoOp, 1).Result();
            startup.Add(sw.Elapsed.TotalMilliseconds);
            sw.Restart();
            pool.Dispose();
            dispose.Add(sw.Elapsed.TotalMilliseconds);
        }

        result["startup_ms"] = startup;
        result["dispose_ms"] = dispose;

        using (var pool = new ProcessPoolExecutor(maxWorkers: 2))
        {
            // Warm-up: both workers started, the functions defined and JIT-compiled on both sides.
            Consume(pool.Map(ProcessPoolBenchmarks.NoOp, items));
            Consume(pool.Map(ProcessPoolBenchmarks.NoOp, items.Take(2000), chunkSize: 500));
            Consume(pool.Map(ProcessPoolBenchmarks.CpuLoop, Enumerable.Range(1000, 4)));

            // 2. Idle memory of the worker processes, after they ran tasks (as CPython's, measured the same way).
            Thread.Sleep(500);
            var pids = pool.GetWorkerProcessIds();
            result["worker_pids"] = pids;
            result["worker_rss_kb"] = pids.Select(pid => ReadKb($"/proc/{pid}/status", "VmRSS:")).ToList();
            result["worker_rss_anon_kb"] = pids.Select(pid => ReadKb($"/proc/{pid}/status", "RssAnon:")).ToList();
            result["worker_pss_kb"] = pids.Select(pid => ReadKb($"/proc/{pid}/smaps_rollup", "Pss:")).ToList();
            result["parent_rss_kb"] = ReadKb($"/proc/{Environment.ProcessId}/status", "VmRSS:");

            // 3. Map, per item.
            result["map1_us_per_item"] = Repeat(repeats, () => Consume(pool.Map(ProcessPoolBenchmarks.NoOp, items, chunkSize: 1)), n);
            result["map500_us_per_item"] = Repeat(repeats, () => Consume(pool.Map(ProcessPoolBenchmarks.NoOp, items, chunkSize: 500)), n);

            // 4. The CPU loop: 20 tasks on the pool against the same 20 calls in this process, interleaved.
            var pooled = new List<double>();
            var sequential = new List<double>();
            for (var r = 0; r < repeats; r++)
            {
                var sw = Stopwatch.StartNew();
                long sum = 0;
                for (var i = 0; i < ProcessPoolBenchmarks.CpuTasks; i++)
                {
                    sum += ProcessPoolBenchmarks.CpuLoop(ProcessPoolBenchmarks.CpuIterations + i);
                }

                sequential.Add(sw.Elapsed.TotalMilliseconds);
                sw.Restart();
                var pooledSum = Consume(pool.Map(ProcessPoolBenchmarks.CpuLoop, Enumerable.Range(ProcessPoolBenchmarks.CpuIterations, ProcessPoolBenchmarks.CpuTasks)));
                pooled.Add(sw.Elapsed.TotalMilliseconds);
                if (pooledSum != sum)
                {
                    throw new InvalidOperationException($"The pool's CPU loop sum {pooledSum} differs from the sequential {sum}.");
                }
            }

            result["cpu_sequential_ms"] = sequential;
            result["cpu_pool_ms"] = pooled;
        }

        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }

    /// <summary><c>processes map-loop [seconds=10] [chunkSize=1]</c>: Map of 20,000 no-ops over and over, for a profiler.</summary>
    private static int MapLoop(string[] args)
    {
        var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        var chunkSize = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1;
        var items = Enumerable.Range(0, ProcessPoolBenchmarks.N).ToArray();
        if (args.Length > 2)
        {
            // A second pool after the first: are slow first runs the parent's warm-up or the workers'?
            using var first = new ProcessPoolExecutor(maxWorkers: 2);
            var warm = Stopwatch.StartNew();
            while (warm.Elapsed.TotalSeconds < double.Parse(args[2], CultureInfo.InvariantCulture))
            {
                Consume(first.Map(ProcessPoolBenchmarks.NoOp, items, chunkSize: chunkSize));
            }
        }

        using var pool = new ProcessPoolExecutor(maxWorkers: 2);
        Consume(pool.Map(ProcessPoolBenchmarks.NoOp, items.Take(2000), chunkSize: chunkSize));
        Console.WriteLine(string.Join(' ', pool.GetWorkerProcessIds()));
        var total = Stopwatch.StartNew();
        while (total.Elapsed.TotalSeconds < seconds)
        {
            var sw = Stopwatch.StartNew();
            Consume(pool.Map(ProcessPoolBenchmarks.NoOp, items, chunkSize: chunkSize));
            Console.WriteLine((sw.Elapsed.TotalMilliseconds * 1000 / items.Length).ToString("0.00", CultureInfo.InvariantCulture));
        }

        // CPU seconds (user + system) each worker used so far, from /proc/PID/stat: less sensitive to load than wall time.
        Console.WriteLine("worker cpu s: " + string.Join(' ', pool.GetWorkerProcessIds().Select(pid =>
        {
            var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return (ticks / 100.0).ToString("0.00", CultureInfo.InvariantCulture);
        })));
        return 0;
    }

    private static List<double> Repeat(int repeats, Func<long> run, int items)
    {
        var perItem = new List<double>();
        for (var r = 0; r < repeats; r++)
        {
            var sw = Stopwatch.StartNew();
            var sum = run();
            perItem.Add(sw.Elapsed.TotalMilliseconds * 1000 / items);
            if (sum != (long)items * (items - 1) / 2)
            {
                throw new InvalidOperationException($"Map returned a wrong sum {sum}.");
            }
        }

        return perItem;
    }

    /// <summary>A "Name: N kB" figure of a /proc file (VmRSS of /proc/PID/status, Pss of smaps_rollup); 0 when it cannot be read.</summary>
    private static long ReadKb(string path, string field)
    {
        try
        {
            foreach (var line in File.ReadLines(path))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(field.Length).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
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
