namespace Juggle;

/// <summary>
/// How idle workers sleep and are woken. A worker with nothing to do pushes itself on a lock-free stack of idle
/// workers and waits on its own event; whoever queues work (or frees a slot) pops the top worker and sets its event.
/// No lock is shared by the submitters and the workers: each wake touches one worker's event only, and the most
/// recently idle worker (the warmest) is woken first.
/// </summary>
public sealed partial class ThreadPoolExecutor
{
    // The idle stack's top: the low 32 bits are 1 + the top worker's index (0: empty), the high 32 bits a version
    // bumped by every push and pop, so a pop that read a stale top fails its compare-exchange (no ABA).
    private long _idleHead;

    // Every worker by its index, for the stack's links; replaced (grown) under the state lock, never shrunk.
    private Worker[] _byIndex = new Worker[4];

    private bool HasIdleWorkers => (int)Volatile.Read(ref _idleHead) != 0;

    private void AddToIndexLocked(Worker worker)
    {
        var byIndex = _byIndex;
        if (worker.Index >= byIndex.Length)
        {
            Array.Resize(ref byIndex, Math.Max(worker.Index + 1, byIndex.Length * 2));
        }

        byIndex[worker.Index] = worker;
        Volatile.Write(ref _byIndex, byIndex);
    }

    private Worker IdleWorkerAt(int index) => Volatile.Read(ref _byIndex)[index];

    /// <summary>
    /// Takes a slot once work is queued, sleeping until there is both work and a free slot. Returns
    /// <see langword="false"/> when the worker should exit (shut down or broken, and nothing queued).
    /// </summary>
    private bool TakeSlotOrSleep(Worker worker)
    {
        while (true)
        {
            // The flags before the queue: work enqueued before the shutdown is seen here, so it is never left behind
            // by a worker that saw the shutdown and an empty queue read before the work was there.
            var closing = _shutdown || _broken is not null;
            if (!_queue.IsEmpty)
            {
                if (TryTakeSlot())
                {
                    return true;
                }
            }
            else if (closing)
            {
                return false;
            }

            worker.Wake.Reset();
            PushIdle(worker);

            // The push is a full fence: pairs with the enqueue-then-look of Submit, the free-slot-then-look of async work
            // completing, and the flag-then-wake-all of Shutdown. Whatever changed before the push is seen here; whatever
            // changes after it finds this worker on the stack. If something changed, wake the top worker (usually this
            // one, and then the wait below returns at once; if another, that one takes the work).
            if (_shutdown || _broken is not null || (!_queue.IsEmpty && Volatile.Read(ref _slotsUsed) < MaxWorkers))
            {
                WakeIdleWorker();
            }

            worker.Wake.Wait();
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private void WakeOne()
    {
        if (HasIdleWorkers)
        {
            WakeIdleWorker();
        }
    }

    private void WakeIdleWorker() => PopIdle()?.Wake.Set();

    private void WakeAll()
    {
        while (PopIdle() is { } worker)
        {
            worker.Wake.Set();
        }
    }

    private void PushIdle(Worker worker)
    {
        while (true)
        {
            var head = Volatile.Read(ref _idleHead);
            Volatile.Write(ref worker.NextIdle, (int)head);
            var pushed = (((head >>> 32) + 1) << 32) | (uint)(worker.Index + 1);
            if (Interlocked.CompareExchange(ref _idleHead, pushed, head) == head)
            {
                return;
            }
        }
    }

    private Worker? PopIdle()
    {
        while (true)
        {
            var head = Volatile.Read(ref _idleHead);
            var top = (int)head;
            if (top == 0)
            {
                return null;
            }

            var worker = IdleWorkerAt(top - 1);

            // A stale link (the top was popped and pushed again meanwhile) comes with a stale version: the exchange fails.
            var popped = (((head >>> 32) + 1) << 32) | (uint)Volatile.Read(ref worker.NextIdle);
            if (Interlocked.CompareExchange(ref _idleHead, popped, head) == head)
            {
                return worker;
            }
        }
    }
}
