using System.Diagnostics;

namespace Juggle.Cli.Workloads;

/// <summary>
/// Seed 003's bank transfers: twenty transfers between five banks, each first "verifying the user" (100 ms of
/// I/O), then updating two balances with a read, a pause and a write. Run concurrently without a lock, updates
/// are lost and the total drifts; with the lock around the two updates the total stays 5,000.
/// </summary>
internal static class BankSimulation
{
    public const int Banks = 5;
    public const int InitialBalance = 1000;
    public const int Transfers = 20;

    /// <summary>The seeded random transfers: (from, to, amount), from ≠ to, amount 1..100.</summary>
    public static IReadOnlyList<(int From, int To, int Amount)> Plan(int seed)
    {
        var random = new Random(seed);
        var plan = new List<(int, int, int)>(Transfers);
        for (var i = 0; i < Transfers; i++)
        {
            var from = random.Next(Banks);
            var to = (from + 1 + random.Next(Banks - 1)) % Banks;
            plan.Add((from, to, random.Next(1, 101)));
        }

        return plan;
    }

    public static BankRun RunSequential(int seed, TimeSpan verify)
    {
        var balances = NewBalances();
        var watch = Stopwatch.StartNew();
        foreach (var (from, to, amount) in Plan(seed))
        {
            Transfer(balances, from, to, amount, verify, gate: null);
        }

        return new BankRun("sequential", balances, watch.Elapsed);
    }

    /// <summary>All transfers at once on a thread pool, with or without the transaction lock.</summary>
    public static BankRun RunThreads(int seed, TimeSpan verify, bool locked)
    {
        var balances = NewBalances();
        var gate = locked ? new Lock() : null;
        var watch = Stopwatch.StartNew();
        using (var pool = new ThreadPoolExecutor(Transfers, "bank"))
        {
            var futures = Plan(seed).Select(t => pool.Submit(() => Transfer(balances, t.From, t.To, t.Amount, verify, gate))).ToList();
            foreach (var future in futures)
            {
                future.Wait(TimeSpan.FromSeconds(30));
            }
        }

        return new BankRun(locked ? "threads + lock" : "threads, no lock", balances, watch.Elapsed);
    }

    private static int[] NewBalances() => Enumerable.Repeat(InitialBalance, Banks).ToArray();

    private static void Transfer(int[] balances, int from, int to, int amount, TimeSpan verify, Lock? gate)
    {
        Thread.Sleep(verify); // verify_user(): I/O, so other transfers proceed meanwhile
        if (gate is null)
        {
            UpdateBank(balances, from, -amount);
            UpdateBank(balances, to, amount);
            return;
        }

        lock (gate)
        {
            UpdateBank(balances, from, -amount);
            UpdateBank(balances, to, amount);
        }
    }

    /// <summary>Read, pause, write: the pause is the window in which another thread's update gets lost.</summary>
    private static void UpdateBank(int[] balances, int bank, int amount)
    {
        var before = Volatile.Read(ref balances[bank]);
        Thread.Sleep(1); // Python sleeps 0.1 ms; 1 ms is the shortest real sleep here
        Volatile.Write(ref balances[bank], before + amount);
        Thread.Sleep(1);
    }
}
