using System.Globalization;
using System.Text;

namespace Juggle;

/// <summary>Deadlock detection: a wait-for graph of workers blocked on futures of their own executor.</summary>
public sealed partial class ThreadPoolExecutor
{
    private readonly Lock _graphLock = new();

    internal override IDisposable? EnterBlockingWait(Future future)
    {
        var worker = t_current;
        if (worker is null || worker.Owner != this || worker.Current is not { } current || future.Owner != this)
        {
            return null;
        }

        lock (_graphLock)
        {
            ThrowIfCycle(worker, current, future);

            _blocked++;
            worker.WaitingOn = future;
            if (!future.Done && _blocked >= MaxWorkers && CountBlockedOnUnfinished() >= MaxWorkers)
            {
                _blocked--;
                worker.WaitingOn = null;
                throw Starvation(worker, current, future);
            }

            if (!future.Done && _blocked >= Volatile.Read(ref _live))
            {
                // Every live thread is blocked but the pool may grow: start a thread for the awaited work.
                lock (_stateLock)
                {
                    if (!_shutdown && _live < MaxWorkers && !_queue.IsEmpty)
                    {
                        StartWorkerLocked(); // the queued item already holds a wake-up token
                    }
                }
            }
        }

        return new WaitScope(this, worker);
    }

    /// <summary>
    /// Workers blocked on a future that is still unfinished. A worker whose future has just completed is still
    /// registered until it wakes up, but it is about to be free, so it must not count towards starvation.
    /// </summary>
    private int CountBlockedOnUnfinished()
    {
        lock (_stateLock)
        {
            var count = 0;
            foreach (var w in _workers)
            {
                if (w.WaitingOn is { Done: false })
                {
                    count++;
                }
            }

            return count;
        }
    }

    private void ThrowIfCycle(Worker worker, Future current, Future awaited)
    {
        var chain = new List<Future> { current };
        var next = awaited;
        for (var hops = 0; next is not null && hops <= MaxWorkers; hops++)
        {
            chain.Add(next);
            if (next.Done || next.State != FutureState.Running || next.RunningOn is not Worker runner)
            {
                return;
            }

            if (runner == worker)
            {
                throw Cycle(chain);
            }

            next = runner.WaitingOn;
        }
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

    private sealed class WaitScope(ThreadPoolExecutor owner, Worker worker) : IDisposable
    {
        public void Dispose()
        {
            lock (owner._graphLock)
            {
                owner._blocked--;
                worker.WaitingOn = null;
            }
        }
    }
}
