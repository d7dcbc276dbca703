using System.Diagnostics;
using System.Globalization;
using Juggle;
using Juggle.RabbitMQ;
using Juggle.RabbitMQ.Bench;

// Cluster executor throughput through one broker, against the workers already running on it (juggle worker
// --assembly <this dll>). Prints: round-trip p50/p99 (one task at a time), Submit+Result throughput (all submitted,
// then all waited), Map throughput with chunkSize 100, and the client's memory with 100,000 pending futures.
var tasks = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5_000;
var items = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200_000;
using var executor = new RabbitMqExecutor(new RabbitMqExecutorOptions { MaxWorkers = 512 });

// Warm up both sides (JIT, function resolution on the workers).
Console.WriteLine($"warm-up: {executor.Map(BenchFunctions.NoOp, Enumerable.Range(0, 2_000)).Count()} tasks");

var latencies = new List<double>();
for (var i = 0; i < 300; i++)
{
    var start = Stopwatch.GetTimestamp();
    executor.Submit(BenchFunctions.NoOp, i).Result();
    latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
}

latencies.Sort();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round trip: p50 {latencies[latencies.Count / 2]:0.00} ms, p99 {latencies[latencies.Count * 99 / 100]:0.00} ms"));

var watch = Stopwatch.StartNew();
var futures = Enumerable.Range(0, tasks).Select(i => executor.Submit(BenchFunctions.NoOp, i)).ToList();
foreach (var future in futures)
{
    future.Result();
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"submit+result: {tasks} no-op tasks in {watch.Elapsed.TotalSeconds:0.00} s = {tasks / watch.Elapsed.TotalSeconds:0} tasks/s"));

watch.Restart();
var count = executor.Map(BenchFunctions.NoOp, Enumerable.Range(0, items), chunkSize: 100).Count();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"map chunkSize 100: {count} items in {watch.Elapsed.TotalSeconds:0.00} s = {count / watch.Elapsed.TotalSeconds:0} items/s"));

// 100,000 pending futures: an executor that publishes only MaxWorkers of them keeps the rest here.
GC.Collect();
var before = GC.GetTotalMemory(forceFullCollection: true);
using (var pending = new RabbitMqExecutor(new RabbitMqExecutorOptions { MaxWorkers = 1, QueueName = "juggle.bench.idle" }))
{
    var held = Enumerable.Range(0, 100_000).Select(i => pending.Submit(BenchFunctions.NoOp, i)).ToList();
    var after = GC.GetTotalMemory(forceFullCollection: true);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"100,000 pending futures: {(after - before) / 1048576.0:0.0} MB managed, process working set {Environment.WorkingSet / 1048576.0:0} MB"));
    pending.Shutdown(wait: false, cancelFutures: true);
    GC.KeepAlive(held);
}

namespace Juggle.RabbitMQ.Bench
{
    /// <summary>The benchmark's task.</summary>
    public static class BenchFunctions
    {
        [JuggleFunction]
        public static int NoOp(int value) => value;
    }
}
