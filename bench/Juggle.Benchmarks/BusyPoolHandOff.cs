using System.Diagnostics;
using System.Globalization;

namespace Juggle.Benchmarks;

/// <summary>
/// <c>busy-pool [workers=64] [tasks=20000] [rounds=5] [sleepMs=1]</c>: the hand-off between a submitter and many busy
/// workers, as <c>juggle titles</c> drives it: <c>MapOutcomes</c> with a window of 2 × workers over tasks that block
/// for <c>sleepMs</c> (0: no-op tasks). Prints, per round, the wall time per task and how often a thread had to wait
/// for a lock another held (<see cref="Monitor.LockContentionCount"/>, which counts <see cref="Lock"/> too) per 1,000
/// tasks: the contention of Submit and the workers' take/park on the executor's locks.
/// </summary>
public static class BusyPoolHandOff
{
    public static int Run(string[] args)
    {
        var workers = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 64;
        var tasks = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20_000;
        var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5;
        var sleepMs = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1;
        Func<int, int> work = sleepMs > 0 ? i => { Thread.Sleep(sleepMs); return i; } : static i => i;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"busy-pool: {workers} workers, {tasks:N0} tasks of {sleepMs} ms, window {2 * workers}, {rounds} rounds"));
        for (var round = 0; round < rounds; round++)
        {
            using var executor = new ThreadPoolExecutor(workers);
            var contentions = Monitor.LockContentionCount;
            var stopwatch = Stopwatch.StartNew();
            long sum = 0;
            foreach (var outcome in executor.MapOutcomes(work, Enumerable.Range(0, tasks), bufferSize: 2 * workers))
            {
                sum += outcome.Value;
            }

            var elapsed = stopwatch.Elapsed;
            contentions = Monitor.LockContentionCount - contentions;
            if (sum != (long)tasks * (tasks - 1) / 2)
            {
                throw new InvalidOperationException("Wrong sum of results.");
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round + 1}: {elapsed.TotalMicroseconds / tasks:N2} µs per task, {contentions * 1000.0 / tasks:N1} lock contentions per 1,000 tasks"));
        }

        return 0;
    }
}
