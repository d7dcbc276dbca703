using System.Diagnostics;
using System.Globalization;
using System.Text;
using Juggle;
using Juggle.Cli.Cluster;
using Juggle.RabbitMQ;
using Juggle.RabbitMQ.Bench;

// The cluster executor through one local broker, with worker nodes started by this program as separate processes
// (this DLL in "worker" mode, hosting RabbitMqWorker with BenchFunctions). One command, one run:
//
//   dotnet bench/cluster/bin/Release/net10.0/Juggle.RabbitMQ.Bench.dll [--compare OTHER.dll] [--quick] [--only submit2,map2,...] [--concurrency 4]
//
// Without JUGGLE_BROKER it starts a private RabbitMQ node (as `juggle cluster up` does). With --compare it runs the
// same measurements with another build of this benchmark (say, the previous commit's) against the same broker,
// phase by phase, alternating, so both sides see the same machine load. Every figure is printed with the 1-minute
// load average at its end, since the development machine is shared.
if (args.Length > 0 && args[0] == "worker")
{
    return await BenchWorker.RunAsync(args[1..]).ConfigureAwait(false);
}

if (args.Length > 0 && args[0] == "phase")
{
    return Phases.Run(args[1..]);
}

var compare = Arg(args, "--compare");
var quick = args.Contains("--quick");
var only = Arg(args, "--only")?.Split(',');
var concurrency = Arg(args, "--concurrency") ?? "4";
LocalBroker? broker = null;
if (Environment.GetEnvironmentVariable("JUGGLE_BROKER") is null)
{
    broker = await LocalBroker.StartAsync(TimeSpan.FromSeconds(120), CancellationToken.None).ConfigureAwait(false);
    Environment.SetEnvironmentVariable("JUGGLE_BROKER", broker.Uri.ToString());
    // The broker's Erlang VM, for the CPU time per task each process spends (printed by the throughput phases).
    var beam = Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(d => d!.All(char.IsDigit))
        .FirstOrDefault(d => DescendsFromThis(int.Parse(d!, CultureInfo.InvariantCulture)) && File.ReadAllText($"/proc/{d}/comm").StartsWith("beam", StringComparison.Ordinal));
    if (beam is not null)
    {
        Environment.SetEnvironmentVariable("JUGGLE_BENCH_BROKER_PID", beam);
    }
}

try
{
    var self = typeof(BenchFunctions).Assembly.Location;
    var sides = compare is null ? new[] { ("this", self) } : [("before", Path.GetFullPath(compare)), ("after", self)];
    Console.WriteLine($"cluster benchmark; {Environment.ProcessorCount} cores; workers with --concurrency {concurrency}; load at start {Load()}");
    var tasks = quick ? 2_000 : 5_000;
    var items = quick ? 50_000 : 200_000;
    var plan = new List<(string Phase, int Workers, string[] Arguments)>
    {
        ("latency", 2, ["300"]),
        ("submit", 2, [tasks.ToString(CultureInfo.InvariantCulture)]),
        ("map", 2, [items.ToString(CultureInfo.InvariantCulture)]),
        ("pending", 0, ["100000"]),
        ("idle-worker", 1, []),
        ("submit", 1, [tasks.ToString(CultureInfo.InvariantCulture)]),
        ("map", 1, [items.ToString(CultureInfo.InvariantCulture)]),
        ("submit", 4, [tasks.ToString(CultureInfo.InvariantCulture)]),
        ("map", 4, [items.ToString(CultureInfo.InvariantCulture)]),
        ("seed003", 2, []),
        ("seed004", 2, []),
    };
    foreach (var (phase, workers, arguments) in plan.Where(p => only is null || only.Contains($"{p.Phase}{p.Workers}")))
    {
        foreach (var (side, dll) in sides)
        {
            var output = RunPhase(dll, phase, workers, concurrency, arguments);
            foreach (var line in output)
            {
                Console.WriteLine($"{side,-6} {workers} worker(s) {line}  [load {Load()}]");
            }
        }
    }
}
finally
{
    broker?.Dispose();
}

return 0;

static string? Arg(string[] args, string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static bool DescendsFromThis(int pid)
{
    try
    {
        for (var depth = 0; depth < 8 && pid > 1; depth++)
        {
            pid = int.Parse(File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            if (pid == Environment.ProcessId)
            {
                return true;
            }
        }
    }
    catch (IOException)
    {
        // Gone meanwhile.
    }

    return false;
}

static string Load() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

// One phase in a fresh client process of the given build, with that build's workers: nothing warm carries over
// from one side to the other.
static List<string> RunPhase(string dll, string phase, int workers, string concurrency, string[] arguments)
{
    var nodes = new List<Process>();
    try
    {
        for (var i = 0; i < workers; i++)
        {
            nodes.Add(Start(dll, ["worker", "--concurrency", concurrency], redirectIn: true));
        }

        foreach (var node in nodes)
        {
            // A worker prints "ready" once it takes tasks.
            var line = node.StandardOutput.ReadLine();
            if (line != "ready")
            {
                throw new InvalidOperationException($"A worker of {dll} did not start: {line}");
            }
        }

        using var client = Start(dll, ["phase", phase, .. arguments, .. nodes.Select(n => n.Id.ToString(CultureInfo.InvariantCulture))], redirectIn: false);
        var lines = new List<string>();
        while (client.StandardOutput.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        client.WaitForExit();
        if (client.ExitCode != 0)
        {
            lines.Add($"{phase} FAILED with exit code {client.ExitCode}");
        }

        return lines;
    }
    finally
    {
        foreach (var node in nodes)
        {
            node.StandardInput.Close(); // end of input stops the worker gracefully
            if (!node.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                node.Kill();
            }

            node.Dispose();
        }
    }
}

static Process Start(string dll, string[] arguments, bool redirectIn)
{
    var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardInput = redirectIn };
    info.ArgumentList.Add(dll);
    foreach (var argument in arguments)
    {
        info.ArgumentList.Add(argument);
    }

    return Process.Start(info)!;
}

namespace Juggle.RabbitMQ.Bench
{
    /// <summary>The benchmark's tasks: a no-op, seed 003's math loop and seed 004's tokenizer.</summary>
    public static class BenchFunctions
    {
        /// <summary>Seed 003's loop: 20 tasks of this many iterations (plus the task's index).</summary>
        public const int CpuIterations = 3_000_000;

        [JuggleFunction]
        public static int NoOp(int value) => value;

        /// <summary>Seed 003's CPU-bound loop: floating-point math, no allocation (as bench/Juggle.Benchmarks' CpuLoop).</summary>
        [JuggleFunction]
        public static int CpuLoop(int iterations)
        {
            var acc = 0.0;
            for (var i = 1; i <= iterations; i++)
            {
                acc += Math.Sqrt(i) * Math.Sin(i);
            }

            return (int)acc;
        }

        /// <summary>Seed 004's processing step, one line of the books at a time: the number of words (letters, digits, inner apostrophes), case-folded.</summary>
        [JuggleFunction]
        public static int CountWords(string line)
        {
            var words = 0;
            var inWord = false;
            Span<char> lower = stackalloc char[1];
            foreach (var c in line)
            {
                if (char.IsLetterOrDigit(c) || (c == '\'' && inWord))
                {
                    lower[0] = char.ToLowerInvariant(c);
                    if (!inWord)
                    {
                        words++;
                        inWord = true;
                    }
                }
                else
                {
                    inWord = false;
                }
            }

            return words;
        }
    }

    /// <summary>The measurements, each run in its own client process against the workers already started.</summary>
    internal static class Phases
    {
        private static int[] s_workers = [];

        public static int Run(string[] args)
        {
            var phase = args[0];
            var numbers = args[1..].Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray();
            s_workers = phase == "idle-worker" ? [] : numbers.Skip(phase is "latency" or "submit" or "map" or "pending" ? 1 : 0).ToArray();
            switch (phase)
            {
                case "latency":
                    Latency(numbers[0]);
                    break;
                case "submit":
                    Submit(numbers[0]);
                    break;
                case "map":
                    Map(numbers[0]);
                    break;
                case "pending":
                    Pending(numbers[0]);
                    break;
                case "idle-worker":
                    IdleWorker(numbers[0]);
                    break;
                case "seed003":
                    Seed003();
                    break;
                case "seed004":
                    Seed004();
                    break;
                default:
                    throw new ArgumentException($"Unknown phase '{phase}'.", nameof(args));
            }

            return 0;
        }

        private static RabbitMqExecutor Executor() => new(new RabbitMqExecutorOptions { MaxWorkers = 512 });

        private static void WarmUp(RabbitMqExecutor executor)
        {
            // JIT and function resolution on both sides.
            _ = executor.Map(BenchFunctions.NoOp, Enumerable.Range(0, 2_000)).Count();
            _ = executor.Map(BenchFunctions.NoOp, Enumerable.Range(0, 20_000), chunkSize: 100).Count();
        }

        private static void Latency(int count)
        {
            using var executor = Executor();
            WarmUp(executor);
            var latencies = new List<double>();
            for (var i = 0; i < count; i++)
            {
                var start = Stopwatch.GetTimestamp();
                executor.Submit(BenchFunctions.NoOp, i).Result();
                latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }

            latencies.Sort();
            Print($"round trip, one task at a time ({count}): p50 {latencies[latencies.Count / 2]:0.00} ms, p99 {latencies[latencies.Count * 99 / 100]:0.00} ms");
        }

        private static void Submit(int tasks)
        {
            using var executor = Executor();
            WarmUp(executor);
            var cpu = CpuTimes(s_workers);
            var watch = Stopwatch.StartNew();
            var futures = new List<Future<int>>(tasks);
            for (var i = 0; i < tasks; i++)
            {
                futures.Add(executor.Submit(BenchFunctions.NoOp, i));
            }

            long sum = 0;
            foreach (var future in futures)
            {
                sum += future.Result();
            }

            Check(sum, (long)tasks * (tasks - 1) / 2);
            Print($"no-op Submit + Result, {tasks:N0} tasks: {tasks / watch.Elapsed.TotalSeconds:N0} tasks/s ({watch.Elapsed.TotalSeconds:0.00} s); {CpuPerUnit(cpu, CpuTimes(s_workers), tasks, "task")}");
        }

        private static void Map(int items)
        {
            using var executor = Executor();
            WarmUp(executor);
            var cpu = CpuTimes(s_workers);
            var watch = Stopwatch.StartNew();
            long sum = 0;
            foreach (var value in executor.Map(BenchFunctions.NoOp, Enumerable.Range(0, items), chunkSize: 100))
            {
                sum += value;
            }

            Check(sum, (long)items * (items - 1) / 2);
            Print($"Map chunkSize 100, {items:N0} items: {items / watch.Elapsed.TotalSeconds:N0} items/s ({watch.Elapsed.TotalSeconds:0.00} s); {CpuPerUnit(cpu, CpuTimes(s_workers), items / 100, "chunk")}");
        }

        private static void Pending(int count)
        {
            // MaxWorkers 1 and no workers on this queue: all but one future stay pending in this process.
            GC.Collect();
            var before = GC.GetTotalMemory(forceFullCollection: true);
            using var pending = new RabbitMqExecutor(new RabbitMqExecutorOptions { MaxWorkers = 1, QueueName = "juggle.bench.idle" });
            var held = new List<Future<int>>(count);
            for (var i = 0; i < count; i++)
            {
                held.Add(pending.Submit(BenchFunctions.NoOp, i));
            }

            var after = GC.GetTotalMemory(forceFullCollection: true);
            Print($"client holding {count:N0} pending futures: {(after - before) / 1048576.0:0} MB managed, {Kb(Environment.ProcessId, "VmRSS:") / 1024.0:0} MB resident");
            pending.Shutdown(wait: false, cancelFutures: true);
            GC.KeepAlive(held);
        }

        private static void IdleWorker(int pid)
        {
            // Resident memory of a worker process after it ran tasks, then sat idle for a second.
            using (var executor = Executor())
            {
                WarmUp(executor);
            }

            Thread.Sleep(1_000);
            Print($"idle worker after 22,000 tasks: {Kb(pid, "VmRSS:") / 1024.0:0} MB resident ({Kb(pid, "RssAnon:") / 1024.0:0} MB anonymous)");
        }

        private static void Seed003()
        {
            var inputs = Enumerable.Range(BenchFunctions.CpuIterations, 20).ToArray();
            using var cluster = Executor();
            using var pool = new ProcessPoolExecutor(maxWorkers: 2);
            _ = cluster.Map(BenchFunctions.CpuLoop, inputs.Select(_ => 1_000)).Sum(x => (long)x);
            _ = pool.Map(BenchFunctions.CpuLoop, inputs.Select(_ => 1_000)).Sum(x => (long)x);
            var watch = Stopwatch.StartNew();
            var clusterSum = cluster.Map(BenchFunctions.CpuLoop, inputs).Sum(x => (long)x);
            var clusterTime = watch.Elapsed.TotalSeconds;
            watch.Restart();
            var poolSum = pool.Map(BenchFunctions.CpuLoop, inputs).Sum(x => (long)x);
            var poolTime = watch.Elapsed.TotalSeconds;
            Check(clusterSum, poolSum);
            Print($"seed 003 math loop, 20 tasks of 3M iterations: cluster {clusterTime:0.000} s, ProcessPoolExecutor(2) {poolTime:0.000} s, cluster/pool {clusterTime / poolTime:0.00}x");
        }

        private static void Seed004()
        {
            var lines = Books.Lines(200_000);
            using var cluster = Executor();
            using var pool = new ProcessPoolExecutor(maxWorkers: 2);
            _ = cluster.Map(BenchFunctions.CountWords, lines.Take(5_000), chunkSize: 1_000).Sum();
            _ = pool.Map(BenchFunctions.CountWords, lines.Take(5_000), chunkSize: 1_000).Sum();
            var watch = Stopwatch.StartNew();
            var clusterWords = cluster.Map(BenchFunctions.CountWords, lines, chunkSize: 1_000).Sum(x => (long)x);
            var clusterTime = watch.Elapsed.TotalSeconds;
            watch.Restart();
            var poolWords = pool.Map(BenchFunctions.CountWords, lines, chunkSize: 1_000).Sum(x => (long)x);
            var poolTime = watch.Elapsed.TotalSeconds;
            Check(clusterWords, poolWords);
            Print($"seed 004 word count, {lines.Length:N0} lines ({clusterWords:N0} words), chunkSize 1000: cluster {clusterTime:0.000} s, ProcessPoolExecutor(2) {poolTime:0.000} s, cluster/pool {clusterTime / poolTime:0.00}x");
        }

        private static void Check(long actual, long expected)
        {
            if (actual != expected)
            {
                throw new InvalidOperationException($"Wrong results: {actual}, expected {expected}.");
            }
        }

        /// <summary>CPU seconds (user + system) of the client, the workers and the broker, to show where a task's cost goes.</summary>
        private static double[] CpuTimes(int[] workers)
        {
            var pids = new List<int> { Environment.ProcessId };
            pids.AddRange(workers);
            pids.Add(int.TryParse(Environment.GetEnvironmentVariable("JUGGLE_BENCH_BROKER_PID"), CultureInfo.InvariantCulture, out var brokerPid) ? brokerPid : -1);

            return pids.Select(pid =>
            {
                if (pid < 0)
                {
                    return 0.0; // a broker elsewhere
                }

                var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
            }).ToArray();
        }

        private static string CpuPerUnit(double[] before, double[] after, int units, string unit)
        {
            var client = after[0] - before[0];
            var workers = after[1..^1].Zip(before[1..^1], (a, b) => a - b).Sum();
            var broker = after[^1] - before[^1];
            return string.Create(CultureInfo.InvariantCulture, $"CPU µs per {unit}: client {client * 1e6 / units:0}, workers {workers * 1e6 / units:0}, broker {broker * 1e6 / units:0}");
        }

        private static long Kb(int pid, string field) =>
            long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field, StringComparison.Ordinal))[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);

        private static void Print(FormattableString text) => Console.WriteLine(text.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Book-like text, the same every run: lines of about 70 characters of English-looking words and punctuation.</summary>
    internal static class Books
    {
        private static readonly string[] s_words =
        [
            "the", "whale", "sea", "captain", "ship's", "and", "of", "a", "to", "in", "monster", "Frankenstein", "creature",
            "night", "upon", "his", "her", "was", "had", "which", "with", "that", "it", "for", "not", "said", "Ahab",
            "Queequeg", "harpoon", "deck", "1851", "ocean", "wind", "storm", "Elizabeth", "Geneva", "laboratory", "ice",
        ];

        public static string[] Lines(int count)
        {
            var random = new Random(004);
            var lines = new string[count];
            var line = new StringBuilder(96);
            for (var i = 0; i < count; i++)
            {
                line.Clear();
                while (line.Length < 70)
                {
                    line.Append(s_words[random.Next(s_words.Length)]);
                    line.Append(random.Next(8) switch { 0 => ", ", 1 => ". ", 2 => "; ", _ => " " });
                }

                lines[i] = line.ToString();
            }

            return lines;
        }
    }

    /// <summary>A worker node hosting the benchmark's functions; prints "ready", stops gracefully at the end of its input.</summary>
    internal static class BenchWorker
    {
        public static async Task<int> RunAsync(string[] args)
        {
            var concurrency = args.Length > 1 && args[0] == "--concurrency" ? int.Parse(args[1], CultureInfo.InvariantCulture) : Environment.ProcessorCount;
            using var stop = new CancellationTokenSource();
            var options = new RabbitMqWorkerOptions { Concurrency = concurrency };
            options.Assemblies.Add(typeof(BenchFunctions).Assembly);
            await using var worker = new RabbitMqWorker(options);
            var run = worker.RunAsync(stop.Token);
            await worker.Ready.ConfigureAwait(false);
            Console.WriteLine("ready");
            _ = Task.Run(() =>
            {
                Console.In.ReadToEnd();
                stop.Cancel();
            });
            await run.ConfigureAwait(false);
            return 0;
        }
    }
}
