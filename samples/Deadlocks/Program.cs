// Seed 002 ("Effortless concurrency with Python's concurrent.futures"), "Avoiding concurrency pitfalls": the two
// deadlocks from Python's docs. CPython hangs forever on both; Juggle notices that the waiting task can never be
// served and fails it with a DeadlockException that explains why. See README.md.
using Juggle;

// 1. wait_on_b waits for b while wait_on_a waits for a: a cycle.
Console.WriteLine("== 1. Two tasks waiting on each other (maxWorkers: 2) ==");
using (var executor = new ThreadPoolExecutor(maxWorkers: 2))
{
    Future<int>? a = null, b = null;
    using var bothSubmitted = new ManualResetEventSlim(); // the seed used time.sleep(5) for this

    int WaitOnB()
    {
        bothSubmitted.Wait();
        Console.WriteLine(b!.Result());
        return 5;
    }

    int WaitOnA()
    {
        bothSubmitted.Wait();
        Console.WriteLine(a!.Result());
        return 6;
    }

    a = executor.Submit(WaitOnB);
    b = executor.Submit(WaitOnA);
    bothSubmitted.Set();
    // Whichever task closes the cycle fails with DeadlockException; the other, waiting on it, gets the same exception.
    foreach (var (name, future) in new[] { ("a", a), ("b", b) })
    {
        try
        {
            Console.WriteLine($"{name} = {future.Result(TimeSpan.FromSeconds(10))}");
        }
        catch (DeadlockException e)
        {
            Console.WriteLine($"{name} failed: {e.Message}");
        }
    }
}

// 2. A task submits more work to its own single-worker executor and waits for it: starvation.
Console.WriteLine("\n== 2. A task waiting on a nested submit (maxWorkers: 1) ==");
NestedSubmit(maxWorkers: 1);
Console.WriteLine("\n== The fix: a free worker for the inner task (maxWorkers: 2) ==");
NestedSubmit(maxWorkers: 2);

static void NestedSubmit(int maxWorkers)
{
    using var executor = new ThreadPoolExecutor(maxWorkers);

    void WaitOnFuture()
    {
        var f = executor.Submit(Math.Pow, 5.0, 2.0);
        // This will never complete because there is only one worker thread and it is executing this function.
        Console.WriteLine(f.Result());
    }

    try
    {
        executor.Submit(WaitOnFuture).Wait(TimeSpan.FromSeconds(10));
    }
    catch (DeadlockException e)
    {
        Console.WriteLine($"DeadlockException: {e.Message}");
    }
}
