using System.Globalization;
using System.Text;
using Juggle.TracingAB;

// Interleaved A/B of the no-op Submit + Result loop across builds of Juggle.dll in ONE process: each build is loaded
// into its own AssemblyLoadContext (with a copy of the loop), and the variants run in turn, many short rounds in a
// shuffled order, so all see the same machine load. "A again" (a second load context of build A) is the control:
// A again / A is the noise floor of the measurement. Optional variants isolate what changed between A and B:
// "B as IL" is B built without ReadyToRun (A predates ReadyToRun, so it is IL too), "B as IL, no tracing hooks" is
// that build with the tracing hooks compiled out (JuggleTracingHooks=false): B as IL / B as IL without hooks is
// what the hooks cost, B as IL without hooks / A what every other change since A costs.
//
// Two measures (run.sh runs both):
// - time (default): the CPU time of the whole process per task (run.sh pins it to one core) and wall time, round by
//   round against the A run of the same round; "B traced" adds B with an ActivityListener recording every span.
// - --instructions MARKS.so: run under valgrind --tool=callgrind, the instructions executed per task, counted by
//   callgrind (all threads) between a zero and a dump around each loop (MARKS.so: marks.c). Instruction counts do not
//   depend on the machine's load, so small differences show that time cannot resolve on a shared machine.
// Usage:
//   Juggle.TracingAB.Benchmarks A_DIR B_DIR [ROUNDS=100] [TASKS=100000] [WARMUP=5] [DOC]
//       [--b-il DIR] [--b-bare DIR] [--instructions MARKS.so --dumps PREFIX] [--command TEXT]
// where each DIR holds a Juggle.dll, and DOC (optional) is a markdown file whose block between the markers
// <!-- tracing-ab:begin --> and <!-- tracing-ab:end --> (time) or <!-- tracing-ab-instructions:begin --> and
// <!-- tracing-ab-instructions:end --> (instructions) is replaced by this run's tables.
var positional = new List<string>();
var named = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i < args.Length; i++)
{
    if (args[i].StartsWith("--", StringComparison.Ordinal))
    {
        if (i + 1 >= args.Length)
        {
            Console.Error.WriteLine($"{args[i]} needs a value.");
            return 2;
        }

        named[args[i]] = args[++i];
    }
    else
    {
        positional.Add(args[i]);
    }
}

if (positional.Count < 2)
{
    Console.Error.WriteLine("usage: Juggle.TracingAB.Benchmarks A_DIR B_DIR [ROUNDS] [TASKS] [WARMUP] [DOC] [--b-il DIR] [--b-bare DIR] [--instructions MARKS.so --dumps PREFIX] [--command TEXT]");
    return 2;
}

var rounds = positional.Count > 2 ? int.Parse(positional[2], CultureInfo.InvariantCulture) : 100;
var tasks = positional.Count > 3 ? int.Parse(positional[3], CultureInfo.InvariantCulture) : 100_000;
var warmUp = positional.Count > 4 ? int.Parse(positional[4], CultureInfo.InvariantCulture) : 5;
var doc = positional.Count > 5 && positional[5].Length > 0 ? positional[5] : null;
var command = named.GetValueOrDefault("--command") ?? $"bench/tracing-ab/run.sh {rounds} {tasks}";

// Whichever build runs first has its methods compiled while the framework's own classes (metrics, diagnostics,
// threading) are still uninitialised, which gives that build alone slower code: a throwaway load of B goes first.
var primer = Variant.Load("primer", positional[1]);
primer.Traces();
primer.Run(1000);

var variants = new List<(string Name, string Label, Variant Variant)>
{
    ("A", "A — before tracing", Variant.Load("A", positional[0])),
    ("A again", "A again (control, same build as A)", Variant.Load("A2", positional[0])),
    ("B", "B — nothing listening, as built (ReadyToRun)", Variant.Load("B", positional[1])),
};
if (named.TryGetValue("--b-il", out var ilDir))
{
    variants.Add(("B as IL", "B as IL — nothing listening, JIT-compiled like A", Variant.Load("BIL", ilDir)));
}

if (named.TryGetValue("--b-bare", out var bareDir))
{
    variants.Add(("B as IL, no hooks", "B as IL, tracing hooks compiled out", Variant.Load("BBARE", bareDir)));
}

// The builds must be what their names say: B traces while something listens, the copy without hooks does not.
if (!variants[2].Variant.Traces())
{
    throw new InvalidOperationException($"B ({variants[2].Variant.JugglePath}) started no span for a task while a listener listened: is it a build with tracing?");
}

if (variants.Find(v => v.Name == "B as IL, no hooks").Variant is { } bare && bare.Traces())
{
    throw new InvalidOperationException($"{bare.JugglePath} traced a task: it was not built with JuggleTracingHooks=false.");
}

var result = named.TryGetValue("--instructions", out var marks)
    ? Instructions.Measure(variants, marks, named.GetValueOrDefault("--dumps") ?? throw new ArgumentException("--instructions needs --dumps PREFIX (callgrind's --callgrind-out-file)."), rounds, tasks, warmUp, command)
    : Timing.Measure(variants, rounds, tasks, warmUp, command);

Console.WriteLine();
Console.WriteLine(result);
if (doc is not null)
{
    Report.WriteInto(doc, named.ContainsKey("--instructions") ? "tracing-ab-instructions" : "tracing-ab", result);
    Console.WriteLine($"written into {doc}");
}

return 0;
