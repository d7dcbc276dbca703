// Seed 002 ("Effortless concurrency with Python's concurrent.futures"): a CPU-heavy hash that is worth running in
// parallel, and a prime check so cheap that a pool only adds overhead. The seed needed ProcessPoolExecutor for the
// hashes; .NET threads have no GIL, so a ThreadPoolExecutor runs them on every core too. See README.md.
using System.Diagnostics;
using Juggle;
using Juggle.Samples;
using PrimesAndHashes;

Console.WriteLine($"{Environment.ProcessorCount} cores\n");

// ---- hash_all(20): sequential vs executor.map(hash_one, range(20), chunksize=2) -----------------------------------
var hashSequential = Timeit("hash_all, sequential", () => Enumerable.Range(0, 20).Select(Work.HashOne).Count());
var hashPooled = Timeit("hash_all, ThreadPoolExecutor.Map(chunkSize: 2)", () =>
{
    using var executor = new ThreadPoolExecutor(maxWorkers: Environment.ProcessorCount);
    return executor.Map(Work.HashOne, Enumerable.Range(0, 20), chunkSize: 2).Count();
});
var hashProcesses = Timeit("hash_all, ProcessPoolExecutor.Map(chunkSize: 2)", () =>
{
    using var executor = new ProcessPoolExecutor(); // Work.HashOne is a static method: it can run in another process
    return executor.Map(Work.HashOne, Enumerable.Range(0, 20), chunkSize: 2).Count();
});
Console.WriteLine($"  -> speed-up on {Environment.ProcessorCount} cores: threads {Ratio.Format(hashSequential, hashPooled)}, processes {Ratio.Format(hashSequential, hashProcesses)} (less when the machine is busy).\n");

// ---- find_prime over 1000 numbers: sequential vs a pool ------------------------------------------------------------
int[] numbers = [.. Enumerable.Range(0, 1000).Select(i => 10_000 + (i * 7))];
Timeit("find_prime warm-up (JIT), not compared", () => numbers.Count(Work.IsPrime));
var primeSequential = Timeit("find_prime, sequential", () => numbers.Count(Work.IsPrime));
var primePooled = Timeit("find_prime, ThreadPoolExecutor.Map (one task per number)", () =>
{
    using var executor = new ThreadPoolExecutor(maxWorkers: 13);
    return executor.Map(Work.IsPrime, numbers).Count(isPrime => isPrime);
});
var primeChunked = Timeit("find_prime, ThreadPoolExecutor.Map(chunkSize: 250)", () =>
{
    using var executor = new ThreadPoolExecutor(maxWorkers: Environment.ProcessorCount);
    return executor.Map(Work.IsPrime, numbers, chunkSize: 250).Count(isPrime => isPrime);
});
var primeProcesses = Timeit("find_prime, ProcessPoolExecutor.Map (one task per number)", () =>
{
    using var executor = new ProcessPoolExecutor();
    return executor.Map(Work.IsPrime, numbers).Count(isPrime => isPrime);
});
Console.WriteLine($"  -> time relative to sequential (above 1x: slower): threads {Ratio.Format(primePooled, primeSequential)}, in chunks {Ratio.Format(primeChunked, primeSequential)}, processes {Ratio.Format(primeProcesses, primeSequential)}.");
Console.WriteLine("     Checking a number takes well under a microsecond: too little work to hand to another thread or process.");

// The seed's @timeit decorator.
static TimeSpan Timeit(string name, Func<int> method)
{
    var t0 = Stopwatch.GetTimestamp();
    var count = method();
    var elapsed = Stopwatch.GetElapsedTime(t0);
    Console.WriteLine($"{name}: {count} results in {elapsed.TotalMilliseconds:F1} ms");
    return elapsed;
}
