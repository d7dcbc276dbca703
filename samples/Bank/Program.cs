// Seed 003, locks/1_sync.py, locks/3_threaded_unsafe.py and locks/3_threaded_safe.py: twenty random transfers
// between five banks. Run one after the other, the money adds up; run on a ThreadPoolExecutor without a lock, the
// read-sleep-write in UpdateBank races and money appears or vanishes; with a lock around the transfer, it adds up
// again. See README.md.
using System.Collections.Concurrent;
using System.Diagnostics;
using Juggle;

var transactionLock = new Lock();

Run("Synchronous", useExecutor: false, useLock: false);
var unsafeSum = Run("ThreadPoolExecutor, no lock (unsafe)", useExecutor: true, useLock: false);
Run("ThreadPoolExecutor + lock (safe)", useExecutor: true, useLock: true);
if (unsafeSum == 5000)
{
    Console.WriteLine("(This time the unsafe run got lucky; run it again, the race is still there.)");
}

int Run(string title, bool useExecutor, bool useLock)
{
    // Each read and write of a ConcurrentDictionary is atomic, like a Python dict's: the race is *between* them.
    var bankData = new ConcurrentDictionary<string, int>(
        Enumerable.Range(1, 5).Select(i => KeyValuePair.Create($"bank_{i}", 1000)));

    Console.WriteLine($"== {title} ==\ninitial={Show(bankData)}");
    var t0 = Stopwatch.GetTimestamp();
    RunTransactions(bankData, useExecutor, useLock);
    var sum = bankData.Values.Sum();
    Console.WriteLine($"\nfinal={Show(bankData)}\nsum={sum}{(sum == 5000 ? string.Empty : "  <-- race condition!")}");
    Console.WriteLine($"The code ran in {Stopwatch.GetElapsedTime(t0).TotalSeconds:F2} seconds.\n");
    return sum;
}

void RunTransactions(ConcurrentDictionary<string, int> bankData, bool useExecutor, bool useLock)
{
    var tasks = new List<Action>();
    for (var i = 0; i < 20; i++)
    {
        var banks = bankData.Keys.ToList();
        var sendingBank = banks[Random.Shared.Next(banks.Count)];
        banks.Remove(sendingBank);
        var receivingBank = banks[Random.Shared.Next(banks.Count)];
        var amount = Random.Shared.Next(1, 101);
        tasks.Add(() => RunTransaction(bankData, sendingBank, receivingBank, amount, useLock));
    }

    if (!useExecutor)
    {
        tasks.ForEach(task => task());
        return;
    }

    using var executor = new ThreadPoolExecutor();
    var futures = tasks.Select(executor.Submit).ToList();
    futures.ForEach(future => future.Wait()); // rethrows a transaction's exception, if any
}

void RunTransaction(ConcurrentDictionary<string, int> bankData, string sendingBank, string receivingBank, int amount, bool useLock)
{
    VerifyUser();
    if (useLock)
    {
        lock (transactionLock)
        {
            UpdateBank(bankData, sendingBank, -amount);
            UpdateBank(bankData, receivingBank, amount);
        }
    }
    else
    {
        UpdateBank(bankData, sendingBank, -amount);
        UpdateBank(bankData, receivingBank, amount);
    }

    Console.Write('.');
}

// Simulates asking a remote service whether the user may transfer (I/O: the thread just waits).
static void VerifyUser() => Thread.Sleep(100);

static void UpdateBank(ConcurrentDictionary<string, int> bankData, string bankName, int amount)
{
    var amountBefore = bankData[bankName];
    Thread.Sleep(1); // a database round trip: the balance read above is now stale
    bankData[bankName] = amountBefore + amount;
    Thread.Sleep(1);
}

static string Show(ConcurrentDictionary<string, int> bankData) =>
    "{" + string.Join(", ", bankData.OrderBy(kv => kv.Key).Select(kv => $"'{kv.Key}': {kv.Value}")) + "}";
