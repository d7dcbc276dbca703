using System.Diagnostics;
using System.Globalization;

namespace Juggle.Benchmarks;

/// <summary>
/// <c>shutdown-latency [repetitions]</c>: how long <see cref="Executor.Dispose()"/> (Shutdown with wait) takes on an
/// executor whose tasks are all done, for 2, 20 and 100 workers: right after the last result (workers still
/// spinning for more work) and after 5 ms (workers asleep). Part of the cost of the blocking and fetch
/// benchmarks, which create and dispose an executor per batch.
/// </summary>
public static class ShutdownLatency
{
    public static int Run(string[] args)
    {
        var repetitions = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 15;
        foreach (var idleMs in new[] { 0, 5 })
        foreach (var workers in new[] { 2, 20, 100 })
        {
            var times = new List<double>();
            for (var r = 0; r < repetitions; r++)
            {
                var executor = new ThreadPoolExecutor(workers);
                var futures = Enumerable.Range(0, workers).Select(_ => executor.Submit(static () =>
                {
                    Thread.Sleep(20);
                    return 0;
                })).ToArray();
                foreach (var future in futures)
                {
                    future.Result();
                }

                if (idleMs > 0)
                {
                    Thread.Sleep(idleMs); // let every worker go to sleep
                }

                var stopwatch = Stopwatch.StartNew();
                executor.Dispose();
                times.Add(stopwatch.Elapsed.TotalMilliseconds);
            }

            times.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"maxWorkers {workers,3}, Dispose {(idleMs == 0 ? "right after the last result" : $"{idleMs} ms after the last result"),-28}, {repetitions} times: min {times[0]:0.0} ms, median {times[times.Count / 2]:0.0} ms, max {times[^1]:0.0} ms"));
        }

        return 0;
    }
}
