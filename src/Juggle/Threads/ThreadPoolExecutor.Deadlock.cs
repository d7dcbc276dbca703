using System.Globalization;
using System.Text;

namespace Juggle;

/// <summary>
/// Deadlock detection: a wait-for graph of workers blocked on futures of their own executor, through
/// <see cref="Future{T}.Result(TimeSpan?)"/>, <see cref="Future.Wait(TimeSpan?)"/>, <see cref="Future.GetException(TimeSpan?)"/>,
/// <see cref="Futures.Wait{TFuture}"/> and <see cref="Futures.AsCompleted{TFuture}"/> without a timeout.
/// </summary>
public sealed partial class ThreadPoolExecutor
{
    private readonly Lock _graphLock = new();

    internal override IDisposable? EnterBlockingWait(Future future)
    {
        var worker = t_current;
        if (worker is null || worker.Owner != this || worker.Current is null || future.Owner != this)
        {
            return null;
        }

        return Enter(worker, new BlockingWait([future], waitAll: true));
    }

    /// <summary><see langword="true"/> when the calling thread is a worker of some thread pool executor, running a task.</summary>
    internal static bool OnAnyWorker => t_current?.Current is not null;

    /// <summary>
    /// Registers a blocking wait of the current thread, if it is a worker running a task, on several futures: until
    /// all of them are done (<paramref name="waitAll"/>) or until any one is. Throws <see cref="DeadlockException"/>
    /// if the wait can never end. Futures of other executors count as able to finish (they are not tracked). The
    /// caller must not change <paramref name="futures"/> until the returned scope is disposed.
    /// </summary>
    internal static IDisposable? EnterBlockingWaitForMany(IEnumerable<Future> futures, bool waitAll)
    {
        var worker = t_current;
        return worker?.Current is null ? null : worker.Owner.Enter(worker, new BlockingWait(futures, waitAll));
    }

    private WaitScope Enter(Worker worker, BlockingWait wait)
    {
        lock (_graphLock)
        {
            _blocked++;
            worker.Waiting = wait;
            if (FindStuckWorkers(worker) is { } stuck)
            {
                var deadlock = Deadlock(worker, wait, stuck);
                _blocked--;
                worker.Waiting = null;
                throw deadlock;
            }

            if (_blocked >= Volatile.Read(ref _live) && wait.Futures.Any(f => f.Owner == this && !f.Done))
            {
                // Every live thread is blocked but the pool may grow: start a thread for the awaited work.
                Worker? launch = null;
                lock (_stateLock)
                {
                    if (!_shutdown && _live < MaxWorkers && !_queue.IsEmpty)
                    {
                        launch = StartWorkerLocked(); // the queued item already holds a wake-up token
                    }
                }

                if (launch is not null)
                {
                    Launch(launch);
                }
            }
        }

        return new WaitScope(this, worker);
    }

    /// <summary>
    /// The workers whose waits can never end, if <paramref name="candidate"/> is one of them; otherwise
    /// <see langword="null"/>. The greatest fixed point: assume every blocked worker is stuck, then release each one
    /// whose wait can still end, until none changes. A future can finish if it is done; if it runs on a worker that
    /// is not stuck (or on no worker of ours); or if it is pending and some worker is not stuck (a free or freeable
    /// worker runs the queue, and a pool below MaxWorkers starts threads). A worker blocked on a future that has
    /// just completed is still registered until it wakes up, but it is about to be free, so it is released too.
    /// </summary>
    private HashSet<Worker>? FindStuckWorkers(Worker candidate)
    {
        var stuck = new HashSet<Worker>();
        lock (_stateLock)
        {
            foreach (var w in _workers)
            {
                if (w.Waiting is not null)
                {
                    stuck.Add(w);
                }
            }
        }

        var changed = true;
        while (changed && stuck.Contains(candidate))
        {
            changed = false;
            var anyWorkerFree = stuck.Count < MaxWorkers;
            foreach (var w in stuck.ToArray())
            {
                if (CanEnd(w.Waiting!, stuck, anyWorkerFree))
                {
                    stuck.Remove(w);
                    changed = true;
                }
            }
        }

        return stuck.Contains(candidate) ? stuck : null;
    }

    private bool CanEnd(BlockingWait wait, HashSet<Worker> stuck, bool anyWorkerFree)
    {
        foreach (var f in wait.Futures)
        {
            var progresses = CanFinish(f, stuck, anyWorkerFree);
            if (progresses != wait.WaitAll)
            {
                // WaitAll: one future that can't finish blocks the wait; any: one that can is enough.
                return progresses;
            }
        }

        return wait.WaitAll;
    }

    private bool CanFinish(Future future, HashSet<Worker> stuck, bool anyWorkerFree)
    {
        if (future.Owner != this || future.Done)
        {
            return true;
        }

        if (future.State == FutureState.Running)
        {
            // RunningOn is null for an instant while the future completes: it is finishing.
            return future.RunningOn is not Worker runner || !stuck.Contains(runner);
        }

        return anyWorkerFree;
    }

    private DeadlockException Deadlock(Worker worker, BlockingWait wait, HashSet<Worker> stuck)
    {
        var current = worker.Current!;
        var chain = new List<Future> { current };
        if (FindCycle(worker, worker, stuck, chain, []))
        {
            return Cycle(chain);
        }

        var blocked = wait.Futures.Where(f => !CanFinish(f, stuck, anyWorkerFree: stuck.Count < MaxWorkers)).Distinct().ToList();
        return blocked.Count == 1 && wait.Futures.Count() == 1
            ? Starvation(worker, current, blocked[0])
            : Starvation(worker, current, wait, blocked);
    }

    /// <summary>Depth-first: a chain of running futures, each on a stuck worker waiting on the next, back to <paramref name="target"/>.</summary>
    private static bool FindCycle(Worker from, Worker target, HashSet<Worker> stuck, List<Future> chain, HashSet<Worker> visited)
    {
        if (!visited.Add(from) || from.Waiting is not { } wait)
        {
            return false;
        }

        foreach (var f in wait.Futures)
        {
            if (f.Done || f.State != FutureState.Running || f.RunningOn is not Worker runner || !stuck.Contains(runner))
            {
                continue;
            }

            chain.Add(f);
            if (runner == target || FindCycle(runner, target, stuck, chain, visited))
            {
                return true;
            }

            chain.RemoveAt(chain.Count - 1);
        }

        return false;
    }

    private static DeadlockException Cycle(List<Future> chain)
    {
        var text = new StringBuilder("Deadlock detected: ");
        for (var i = 0; i < chain.Count; i++)
        {
            var f = chain[i];
            if (i == 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"task #{f.Id} (on {f.WorkerName}) waits for ");
            }
            else if (i == chain.Count - 1)
            {
                text.Append(CultureInfo.InvariantCulture, $"task #{f.Id}");
            }
            else
            {
                text.Append(CultureInfo.InvariantCulture, $"task #{f.Id} (on {f.WorkerName}), which waits for ");
            }
        }

        text.Append(": the tasks wait on each other and none can ever finish. Break the cycle, or wait with a timeout.");
        return new DeadlockException(text.ToString(), isCycle: true, chain.Select(f => f.Id).ToArray());
    }

    private DeadlockException Starvation(Worker worker, Future current, Future awaited)
    {
        var state = awaited.State.ToString().ToLowerInvariant();
        var message = string.Format(
            CultureInfo.InvariantCulture,
            "Deadlock detected: task #{0} (on {1}) waits for task #{2}, which is {3}, but all {4} worker(s) of executor '{5}' are blocked " +
            "waiting on tasks of the same executor, so it can never run. Raise maxWorkers, submit the inner work to another executor, " +
            "or don't wait on an executor's futures from inside its own tasks.",
            current.Id,
            worker.Name,
            awaited.Id,
            state,
            MaxWorkers,
            Name);
        return new DeadlockException(message, isCycle: false, [current.Id, awaited.Id]);
    }

    private DeadlockException Starvation(Worker worker, Future current, BlockingWait wait, List<Future> blocked)
    {
        var ids = string.Join(", ", blocked.Select(f => string.Create(CultureInfo.InvariantCulture, $"#{f.Id} ({f.State.ToString().ToLowerInvariant()})")));
        var which = wait.WaitAll
            ? $"all of several tasks, but task(s) {ids} can never finish"
            : $"any of several tasks, but none of them ({ids}) can ever finish";
        var message = string.Format(
            CultureInfo.InvariantCulture,
            "Deadlock detected: task #{0} (on {1}) waits for {2}: all {3} worker(s) of executor '{4}' are blocked waiting on tasks of the same " +
            "executor. Raise maxWorkers, submit the inner work to another executor, or don't wait on an executor's futures from inside its own tasks.",
            current.Id,
            worker.Name,
            which,
            MaxWorkers,
            Name);
        return new DeadlockException(message, isCycle: false, [current.Id, .. blocked.Select(f => f.Id)]);
    }

    /// <summary>What a blocked worker waits for: all of the futures, or any one of them.</summary>
    internal sealed class BlockingWait(IEnumerable<Future> futures, bool waitAll)
    {
        public IEnumerable<Future> Futures { get; } = futures;

        public bool WaitAll { get; } = waitAll;
    }

    private sealed class WaitScope(ThreadPoolExecutor owner, Worker worker) : IDisposable
    {
        public void Dispose()
        {
            lock (owner._graphLock)
            {
                owner._blocked--;
                worker.Waiting = null;
            }
        }
    }
}
