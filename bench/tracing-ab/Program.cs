using System.Globalization;
using System.Text;
using Juggle.TracingAB;

// Interleaved A/B of the no-op Submit + Result loop across two builds of Juggle.dll in ONE process: each build is
// loaded into its own AssemblyLoadContext (with a copy of the loop), and the variants run in turn, many short rounds
// in a shuffled order, so all see the same machine load. "A again" (a second load context of build A) is the control:
// A again / A is the noise floor of the measurement, and a B / A is only worth reading when that control lands within
// ±2 %. "B traced" is build B with an ActivityListener recording every span of the Juggle source (tracing on).
// The figure compared is the CPU time of the whole process per task (the submitting thread and both pool workers),
// round by round against the A run of the same round; run.sh pins the process to one core, so time spent waiting for
// a core is not counted and the threads cannot spread out differently from round to round. Warm-up rounds run every
// variant first and are not counted; B traced runs a tenth of the tasks (each costs some 30 untraced ones). Usage:
//   Juggle.TracingAB.Benchmarks A_DIR B_DIR [ROUNDS=100] [TASKS=100000] [WARMUP=5] [DOC]
// where each DIR holds a Juggle.dll, and DOC (optional) is a markdown file whose block between the markers
// <!-- tracing-ab:begin --> and <!-- tracing-ab:end --> is replaced by this run's tables.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Juggle.TracingAB.Benchmarks A_DIR B_DIR [ROUNDS] [TASKS] [WARMUP] [DOC]");
    return 2;
}

var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 100;
var tasks = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 100_000;
var warmUp = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 5;
var doc = args.Length > 5 && args[5].Length > 0 ? args[5] : null;
var a = Variant.Load("A", args[0]);
var a2 = Variant.Load("A2", args[0]);
var b = Variant.Load("B", args[1]);
var loadBefore = LoadAverage();
var started = DateTime.UtcNow;
Console.WriteLine($"A: {a.JugglePath}\nB: {b.JugglePath}\n{rounds} rounds x {tasks:N0} tasks after {warmUp} warm-up rounds, {Environment.ProcessorCount} core(s) visible, load average {loadBefore}");

string[] names = ["A", "A again", "B", "B traced"];
var wall = names.ToDictionary(n => n, _ => new List<double>());
var cpu = names.ToDictionary(n => n, _ => new List<double>());
var bytes = names.ToDictionary(n => n, _ => new List<double>());
var random = new Random(20261202);
for (var round = -warmUp; round < rounds; round++)
{
    // A fresh random order each round: no variant always runs right after another one (its garbage, its caches).
    var order = names.ToArray();
    random.Shuffle(order);
    foreach (var name in order)
    {
        var variant = name switch { "A" => a, "A again" => a2, _ => b };
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var cpuBefore = Environment.CpuUsage.TotalTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        double ns;
        var count = tasks;
        if (name == "B traced")
        {
            // A traced task costs some 30 untraced ones: a tenth of the tasks keeps the rounds short and alike.
            count = Math.Max(1, tasks / 10);
            using (Tracing.Listen())
            {
                ns = variant.Run(count);
            }
        }
        else
        {
            ns = variant.Run(count);
        }

        var cpuNs = (Environment.CpuUsage.TotalTime - cpuBefore).TotalNanoseconds / count;
        var allocated = (double)(GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / count;
        if (round >= 0)
        {
            bytes[name].Add(allocated);
            wall[name].Add(ns);
            cpu[name].Add(cpuNs);
        }
    }

    if (round >= 0 && (round + 1) % 10 == 0)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"round {round + 1,3}: CPU per task A {cpu["A"][^1]:F1} ns, A again {cpu["A again"][^1]:F1}, B {cpu["B"][^1]:F1}, B traced {cpu["B traced"][^1]:F1}"));
    }
}

var loadAfter = LoadAverage();
var table = new StringBuilder();
table.AppendLine(string.Create(CultureInfo.InvariantCulture,
    $"`bench/tracing-ab/run.sh {rounds} {tasks}` on {started:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} core (pinned), .NET {Environment.Version}, " +
    $"A = `{a.Commit}`, B = `{b.Commit}`; load average (1/5/15 min) {loadBefore} before, {loadAfter} after."));
table.AppendLine();
table.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| variant | CPU per task, median of {rounds} | CPU, min | wall per task, median | wall, min | allocated per task, min |"));
table.AppendLine("|---|---:|---:|---:|---:|---:|");
string[] labels = ["A — before tracing", "A again (control, same build as A)", "B — nothing listening", "B traced — every span recorded"];
for (var i = 0; i < names.Length; i++)
{
    var n = names[i];
    table.AppendLine(string.Create(CultureInfo.InvariantCulture,
        $"| {labels[i]} | {Median(cpu[n]):N1} ns | {cpu[n].Min():N1} ns | {Median(wall[n]):N1} ns | {wall[n].Min():N1} ns | {bytes[n].Min():N0} B |"));
}

table.AppendLine();
table.AppendLine("| ratio, per round against that round's A: median [interquartile range] | CPU | wall |");
table.AppendLine("|---|---:|---:|");
foreach (var (label, name) in new[] { ("control: A again / A", "A again"), ("B / A", "B") })
{
    table.AppendLine($"| {label} | {Ratio(cpu, name)} | {Ratio(wall, name)} |");
}

var tracedCpu = Median(cpu["B traced"]) - Median(cpu["B"]);
var tracedWall = Median(wall["B traced"]) - Median(wall["B"]);
table.AppendLine(string.Create(CultureInfo.InvariantCulture,
    $"| tracing on: B traced − B, per task | +{tracedCpu:N0} ns | +{tracedWall:N0} ns |"));
var control = Median(PerRound(cpu, "A again"));
table.AppendLine();
table.AppendLine(Math.Abs(control - 1) <= 0.02
    ? string.Create(CultureInfo.InvariantCulture, $"The control is within ±2 % (CPU {control:F3}): the B / A row can be read.")
    : string.Create(CultureInfo.InvariantCulture, $"The control is **not** within ±2 % (CPU {control:F3}): the machine was too noisy for the B / A row to mean anything; run it again when it is quiet."));

Console.WriteLine();
Console.WriteLine(table.ToString());
if (doc is not null)
{
    WriteInto(doc, table.ToString());
    Console.WriteLine($"written into {doc}");
}

return 0;

static List<double> PerRound(Dictionary<string, List<double>> data, string name) =>
    data["A"].Zip(data[name], (x, y) => y / x).ToList();

static string Ratio(Dictionary<string, List<double>> data, string name)
{
    var ratios = PerRound(data, name);
    return string.Create(CultureInfo.InvariantCulture, $"{Median(ratios):F3} [{Quantile(ratios, 0.25):F3}–{Quantile(ratios, 0.75):F3}]");
}

static double Median(List<double> values) => Quantile(values, 0.5);

static double Quantile(List<double> values, double q)
{
    var sorted = values.Order().ToList();
    var position = q * (sorted.Count - 1);
    var low = (int)Math.Floor(position);
    var high = (int)Math.Ceiling(position);
    return sorted[low] + ((sorted[high] - sorted[low]) * (position - low));
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

static void WriteInto(string path, string block)
{
    const string Begin = "<!-- tracing-ab:begin -->";
    const string End = "<!-- tracing-ab:end -->";
    var text = File.ReadAllText(path);
    var begin = text.IndexOf(Begin, StringComparison.Ordinal);
    var end = text.IndexOf(End, StringComparison.Ordinal);
    if (begin < 0 || end < begin)
    {
        throw new InvalidOperationException($"{path} has no {Begin} ... {End} block to write the tables into; add the two markers where they belong.");
    }

    File.WriteAllText(path, text[..(begin + Begin.Length)] + "\n" + block + text[end..]);
}
