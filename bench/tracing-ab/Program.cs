using System.Globalization;
using Juggle.TracingAB;

// Interleaved A/B of the no-op Submit + Result loop across two builds of Juggle.dll in ONE process: each build is
// loaded into its own AssemblyLoadContext (with a copy of the loop below), and the variants run in turn, round after
// round, so both see the same machine load. A third variant runs build B with an ActivityListener sampling every span
// of the Juggle source (tracing on), and a second copy of build A is the control. Both wall-clock and CPU time (the
// process's, so time spent waiting for a core on a busy machine does not count) are reported per task. Usage:
//   Juggle.TracingAB.Benchmarks A_DIR B_DIR [ROUNDS=15] [TASKS=200000]
// where each DIR holds a Juggle.dll. Prints each round's ns per task, then medians and ratios.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Juggle.TracingAB.Benchmarks A_DIR B_DIR [ROUNDS] [TASKS]");
    return 2;
}

var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 15;
var tasks = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 200_000;
var a = Variant.Load("A", args[0]);
var a2 = Variant.Load("A2", args[0]);
var b = Variant.Load("B", args[1]);
Console.WriteLine($"A: {a.JugglePath}\nB: {b.JugglePath}\n{rounds} rounds x {tasks:N0} tasks, load average {LoadAverage()}");

// Warm up: each variant runs until tiered JIT settles (a few full loops).
for (var i = 0; i < 3; i++)
{
    a.Run(tasks);
    a2.Run(tasks);
    b.Run(tasks);
    using (Tracing.Listen())
    {
        b.Run(tasks);
    }
}

// "A again" is the same build in a third load context: A vs A again shows how far apart two identical variants land
// on this machine now (the noise floor of the B / A ratio).
string[] names = ["A", "A again", "B", "B traced"];
var wall = names.ToDictionary(n => n, _ => new List<double>());
var cpu = names.ToDictionary(n => n, _ => new List<double>());
for (var round = 0; round < rounds; round++)
{
    // Rotate the order so no variant always runs right after another one (its garbage, its warm caches).
    var order = Enumerable.Range(0, names.Length).Select(i => names[(i + round) % names.Length]).ToArray();
    if (round % 2 == 1)
    {
        Array.Reverse(order);
    }

    foreach (var name in order)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var variant = name switch { "A" => a, "A again" => a2, _ => b };
        var cpuBefore = Environment.CpuUsage.TotalTime;
        double ns;
        if (name == "B traced")
        {
            using (Tracing.Listen())
            {
                ns = variant.Run(tasks);
            }
        }
        else
        {
            ns = variant.Run(tasks);
        }

        var cpuNs = (Environment.CpuUsage.TotalTime - cpuBefore).TotalNanoseconds / tasks;
        wall[name].Add(ns);
        cpu[name].Add(cpuNs);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round + 1,2} {name,-9} {ns,9:F1} ns/task wall {cpuNs,9:F1} ns/task CPU"));
    }
}

Console.WriteLine();
Console.WriteLine("per task, median (min) of the rounds:");
foreach (var name in names)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-9} wall {Median(wall[name]),9:F1} ns ({wall[name].Min(),8:F1})   CPU {Median(cpu[name]),9:F1} ns ({cpu[name].Min(),8:F1})"));
}

foreach (var (label, data) in new[] { ("wall", wall), ("CPU", cpu) })
{
    var ba = data["A"].Zip(data["B"], (x, y) => y / x).ToList();
    var aa = data["A"].Zip(data["A again"], (x, y) => y / x).ToList();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{label,-4}: B / A = {Median(data["B"]) / Median(data["A"]):F3} (medians), per-round median {Median(ba):F3}, mins {data["B"].Min() / data["A"].Min():F3}; control A again / A = {Median(data["A again"]) / Median(data["A"]):F3}, per-round {Median(aa):F3}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"      tracing on (every span recorded): +{Median(data["B traced"]) - Median(data["B"]):F1} ns per task, {Median(data["B traced"]) / Median(data["B"]):F2}x B"));
}

Console.WriteLine($"load average after: {LoadAverage()}");
return 0;

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
