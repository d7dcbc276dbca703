using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Juggle.Benchmarks;

/// <summary>
/// <c>async-fanout juggle|bcl [tasks] [concurrency] [delayMs]</c>: runs <c>tasks</c> async functions that each await
/// <c>Task.Delay(delayMs)</c>, at most <c>concurrency</c> at once, either on a <c>ThreadPoolExecutor(maxWorkers:
/// concurrency)</c> (<c>Submit(async ct => …)</c>, then every <c>Result()</c>) or with the BCL's
/// <see cref="Parallel.ForEachAsync{TSource}(IEnumerable{TSource}, ParallelOptions, Func{TSource, CancellationToken, ValueTask})"/>
/// (<c>MaxDegreeOfParallelism = concurrency</c>). Prints one JSON line: wall time, the most threads the process had
/// (sampled every 5 ms from /proc/self/status) and its peak working set (VmHWM). Run each variant in a fresh
/// process (bench/async/run.py does) so the peaks are its own. With <c>JUGGLE_BENCH_TRACE=1</c> it also prints, per
/// wave of <c>concurrency</c> tasks, when the wave's first and last task started.
/// </summary>
public static class AsyncFanOut
{
    private static long[]? s_starts;

    public static int Run(string[] args)
    {
        var ci = CultureInfo.InvariantCulture;
        var variant = args.Length > 0 ? args[0] : "juggle";
        var tasks = args.Length > 1 ? int.Parse(args[1], NumberStyles.AllowThousands, ci) : 10_000;
        var concurrency = args.Length > 2 ? int.Parse(args[2], NumberStyles.AllowThousands, ci) : 1000;
        var delay = TimeSpan.FromMilliseconds(args.Length > 3 ? int.Parse(args[3], ci) : 500);

        var peakThreads = ThreadCount();
        using var stop = new ManualResetEventSlim();
        var sampler = new Thread(() =>
        {
            do
            {
                peakThreads = Math.Max(peakThreads, ThreadCount());
            }
            while (!stop.Wait(5));
        }) { IsBackground = true, Name = "thread-sampler" };
        sampler.Start();

        if (Environment.GetEnvironmentVariable("JUGGLE_BENCH_TRACE") == "1")
        {
            s_starts = new long[tasks];
        }

        var t0 = Stopwatch.GetTimestamp();
        var stopwatch = Stopwatch.StartNew();
        long sum = variant switch
        {
            "juggle" => RunJuggle(tasks, concurrency, delay),
            "bcl" => RunParallelForEachAsync(tasks, concurrency, delay),
            _ => throw new ArgumentException($"Unknown variant '{variant}': use juggle or bcl.", nameof(args)),
        };
        stopwatch.Stop();
        stop.Set();
        sampler.Join();

        if (s_starts is { } trace)
        {
            // Start times of the tasks, by wave of `concurrency`: when each wave's first and last task started.
            var sorted = trace.Select(t => (t - t0) * 1000.0 / Stopwatch.Frequency).Order().ToArray();
            for (var w = 0; w < sorted.Length; w += concurrency)
            {
                Console.Error.WriteLine(string.Create(ci, $"wave {w / concurrency}: first start {sorted[w]:0.0} ms, last {sorted[Math.Min(sorted.Length, w + concurrency) - 1]:0.0} ms"));
            }
        }

        if (sum != (long)tasks * (tasks - 1) / 2)
        {
            Console.Error.WriteLine($"Wrong sum {sum}.");
            return 1;
        }

        using var process = Process.GetCurrentProcess();
        process.Refresh();
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["variant"] = variant,
            ["tasks"] = tasks,
            ["concurrency"] = concurrency,
            ["delay_ms"] = delay.TotalMilliseconds,
            ["seconds"] = stopwatch.Elapsed.TotalSeconds,
            ["peak_threads"] = peakThreads,
            ["peak_working_set_mb"] = process.PeakWorkingSet64 / 1048576.0,
        }));
        return 0;
    }

    private static long RunJuggle(int tasks, int concurrency, TimeSpan delay)
    {
        using var pool = new ThreadPoolExecutor(concurrency);
        var futures = new Future<int>[tasks];
        for (var i = 0; i < tasks; i++)
        {
            var n = i;
            futures[i] = pool.Submit(async ct =>
            {
                if (s_starts is { } starts)
                {
                    starts[n] = Stopwatch.GetTimestamp();
                }

                await Task.Delay(delay, ct).ConfigureAwait(false);
                return n;
            });
        }

        long sum = 0;
        foreach (var future in futures)
        {
            sum += future.Result();
        }

        return sum;
    }

    private static long RunParallelForEachAsync(int tasks, int concurrency, TimeSpan delay)
    {
        long sum = 0;
        Parallel.ForEachAsync(
            Enumerable.Range(0, tasks),
            new ParallelOptions { MaxDegreeOfParallelism = concurrency },
            async (n, ct) =>
            {
                if (s_starts is { } starts)
                {
                    starts[n] = Stopwatch.GetTimestamp();
                }

                await Task.Delay(delay, ct).ConfigureAwait(false);
                Interlocked.Add(ref sum, n);
            }).GetAwaiter().GetResult();
        return sum;
    }

    private static int ThreadCount()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                return int.Parse(line.AsSpan(8).Trim(), CultureInfo.InvariantCulture);
            }
        }

        return Process.GetCurrentProcess().Threads.Count;
    }
}
