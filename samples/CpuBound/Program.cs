// Seed 003, cpu_bound/1_sync.py, 2_threaded_no_improvement.py and 3_multiprocess.py: twenty runs of a CPU-bound math
// loop, one after the other, then on a pool. CPython's GIL lets only one thread compute at a time, so the seed needed
// processes; .NET has no GIL, so a ThreadPoolExecutor already spreads the work over every core. See README.md.
using System.Diagnostics;
using CpuBound;
using Juggle;

Console.WriteLine($"{Environment.ProcessorCount} cores, {MathWork.Iterations:N0} iterations per task\n");

var sequential = Time("Synchronous", () => [.. Enumerable.Range(1, 20).Select(MathWork.DoMathOnce)]);

var pooled = Time("ThreadPoolExecutor(maxWorkers: cores)", () =>
{
    using var executor = new ThreadPoolExecutor(maxWorkers: Environment.ProcessorCount);
    // More workers than cores would not help CPU-bound work: they would just take turns.
    var work = Enumerable.Range(1, 20).Select(num => executor.Submit(MathWork.DoMathOnce, num)).ToList();
    return [.. work.Select(future => future.Result())];
});

Console.WriteLine($"Speed-up with threads: {sequential / pooled:F1}x on {Environment.ProcessorCount} cores (CPython with threads: none).");

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
