// Seed 003, cpu_bound/1_sync.py, 2_threaded_no_improvement.py and 3_multiprocess.py: twenty runs of a CPU-bound math
// loop, one after the other, on a thread pool, then on a process pool. CPython's GIL lets only one thread compute at a
// time, so the seed needed processes; .NET has no GIL, so threads already use every core. See README.md.
using System.Diagnostics;
using CpuBound;
using Juggle;
using Juggle.Samples;

Console.WriteLine($"{Environment.ProcessorCount} cores, {MathWork.Iterations:N0} iterations per task\n");

var sequential = Time("Synchronous", () => [.. Enumerable.Range(1, 20).Select(MathWork.DoMathOnce)]);

var threads = Time("ThreadPoolExecutor(maxWorkers: cores)", () =>
{
    using var executor = new ThreadPoolExecutor(maxWorkers: Environment.ProcessorCount);
    // More workers than cores would not help CPU-bound work: they would just take turns.
    var work = Enumerable.Range(1, 20).Select(num => executor.Submit(MathWork.DoMathOnce, num)).ToList();
    return [.. work.Select(future => future.Result())];
});

var processes = Time("ProcessPoolExecutor (seed's 3_multiprocess.py)", () =>
{
    // One worker process per core. Functions must be static methods; arguments and results travel as JSON.
    using var executor = new ProcessPoolExecutor();
    var work = Enumerable.Range(1, 20).Select(num => executor.Submit(MathWork.DoMathOnce, num)).ToList();
    return [.. work.Select(future => future.Result())];
});

Console.WriteLine($"Speed-up on {Environment.ProcessorCount} cores: threads {Ratio.Format(sequential, threads)} (CPython: none), processes {Ratio.Format(sequential, processes)}.");

static TimeSpan Time(string title, Func<double[]> doLotsOfMath)
{
    Console.WriteLine($"== {title} ==");
    var t0 = Stopwatch.GetTimestamp();
    var results = doLotsOfMath();
    var elapsed = Stopwatch.GetElapsedTime(t0);
    Console.WriteLine($"The code ran in {elapsed.TotalSeconds:F2} seconds.");
    Console.WriteLine($"results=[{string.Join(", ", results.Select(r => r.ToString("F1")))}]\n");
    return elapsed;
}
