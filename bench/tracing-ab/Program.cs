using System.Globalization;
using Juggle.TracingAB;

// Interleaved A/B of the no-op Submit + Result loop across two builds of Juggle.dll in ONE process: each build is
// loaded into its own AssemblyLoadContext (with a copy of the loop below), and the variants run in turn, round after
// round, so both see the same machine load. A third variant runs build B with an ActivityListener sampling every span
// of the Juggle source (tracing on). Usage:
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
var b = Variant.Load("B", args[1]);
Console.WriteLine($"A: {a.JugglePath}\nB: {b.JugglePath}\n{rounds} rounds x {tasks:N0} tasks, load average {LoadAverage()}");

// Warm up: each variant runs until tiered JIT settles (a few full loops).
for (var i = 0; i < 3; i++)
{
    a.Run(tasks);
    b.Run(tasks);
    using (Tracing.Listen())
    {
        b.Run(tasks);
    }
}

var results = new Dictionary<string, List<double>> { ["A"] = [], ["B"] = [], ["B traced"] = [] };
for (var round = 0; round < rounds; round++)
{
    // Alternate the order so neither variant always runs right after the traced one (its garbage).
    var order = round % 2 == 0 ? new[] { "A", "B", "B traced" } : new[] { "B traced", "B", "A" };
    foreach (var name in order)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        double ns;
        if (name == "B traced")
        {
            using (Tracing.Listen())
            {
                ns = b.Run(tasks);
            }
        }
        else
        {
            ns = (name == "A" ? a : b).Run(tasks);
        }

        results[name].Add(ns);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round + 1,2} {name,-9} {ns,8:F1} ns/task"));
    }
}

var medA = Median(results["A"]);
var medB = Median(results["B"]);
var medT = Median(results["B traced"]);
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median A (before tracing)      {medA,8:F1} ns/task  (min {results["A"].Min():F1}, max {results["A"].Max():F1})"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median B (no listener)         {medB,8:F1} ns/task  (min {results["B"].Min():F1}, max {results["B"].Max():F1})"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median B (listener, all spans) {medT,8:F1} ns/task  (min {results["B traced"].Min():F1}, max {results["B traced"].Max():F1})"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"B / A (no listener)            {medB / medA:F3}"));
var pairs = results["A"].Zip(results["B"], (x, y) => y / x).ToList();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median of per-round B / A       {Median(pairs):F3}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"tracing on: +{medT - medB:F1} ns/task ({medT / medB:F2}x B)"));
Console.WriteLine($"load average after: {LoadAverage()}");
return 0;

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
