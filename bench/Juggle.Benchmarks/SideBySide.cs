using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Juggle.Benchmarks;

/// <summary>
/// <c>side-by-side</c>: the C# half of <c>bench/side-by-side/run.py</c>. Runs the same three measurements as
/// <c>bench/side-by-side/cpython_bench.py</c> and prints one JSON object.
/// </summary>
public static class SideBySide
{
    private static readonly Func<int> NoOp = static () => 0;

    public static int Run(string[] args)
    {
        var submitTasks = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var repeats = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;

        var result = new Dictionary<string, object>();

        // 1. Per-task overhead: submit N no-ops to a 2-worker executor, then read every result.
        using (var executor = new ThreadPoolExecutor(maxWorkers: 2))
        {
            SubmitAll(executor, submitTasks); // warm-up: JIT, worker start
            var perTask = new List<double>();
            for (var r = 0; r < repeats; r++)
            {
                var sw = Stopwatch.StartNew();
                SubmitAll(executor, submitTasks);
                perTask.Add(sw.Elapsed.TotalMilliseconds * 1000 / submitTasks);
            }

            result["submit_tasks"] = submitTasks;
            result["submit_us_per_task"] = perTask;
        }

        // 2. 100 tasks blocking 200 ms, maxWorkers 100, executor construction and shutdown included.
        var blocking = new List<double>();
        for (var r = 0; r < 3; r++)
        {
            var sw = Stopwatch.StartNew();
            using (var executor = new ThreadPoolExecutor(maxWorkers: 100))
            {
                var futures = new Future[100];
                for (var i = 0; i < futures.Length; i++)
                {
                    futures[i] = executor.Submit(static () => Thread.Sleep(200));
                }

                foreach (var f in futures)
                {
                    f.Wait();
                }
            }

            blocking.Add(sw.Elapsed.TotalMilliseconds);
        }

        result["blocking_ms"] = blocking;

        // 3. 20 fetches of 200 ms pages from a loopback server: pooled (20 workers) and sequential.
        var server = PageServer.StartAsync(TimeSpan.FromMilliseconds(200)).GetAwaiter().GetResult();
        try
        {
            using var client = new HttpClient();
            var urls = Enumerable.Range(0, 20).Select(server.Page).ToArray();
            Fetcher.FetchTitle(client, urls[0]); // warm-up
            var pooled = new List<double>();
            for (var r = 0; r < 3; r++)
            {
                var sw = Stopwatch.StartNew();
                using (var executor = new ThreadPoolExecutor(maxWorkers: 20))
                {
                    var futures = urls.Select(u => executor.Submit(static (c, url) => Fetcher.FetchTitle(c, url), client, u)).ToArray();
                    foreach (var f in Futures.AsCompleted(futures))
                    {
                        _ = f.Result();
                    }
                }

                pooled.Add(sw.Elapsed.TotalMilliseconds);
            }

            var seq = Stopwatch.StartNew();
            foreach (var url in urls)
            {
                _ = Fetcher.FetchTitle(client, url);
            }

            result["fetch_pooled_ms"] = pooled;
            result["fetch_sequential_ms"] = new List<double> { seq.Elapsed.TotalMilliseconds };
        }
        finally
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }

    private static void SubmitAll(ThreadPoolExecutor executor, int n)
    {
        var futures = new Future<int>[n];
        for (var i = 0; i < n; i++)
        {
            futures[i] = executor.Submit(NoOp);
        }

        foreach (var f in futures)
        {
            _ = f.Result();
        }
    }
}
