namespace Juggle.RabbitMQ;

/// <summary>
/// Envelopes: with a backlog, several tasks travel in one task message. Their size follows the backlog and the slots
/// of the nodes that claimed tasks lately, so that the nodes together hold at most about half the backlog and a node
/// never sits on a batch of slow tasks while another idles.
/// </summary>
public sealed partial class RabbitMqExecutor
{
    /// <summary>The most bytes of tasks one envelope carries (a larger task goes alone).</summary>
    private const int MaxEnvelopeBytes = 1 << 20;

    /// <summary>The slots assumed before any node claimed a task.</summary>
    private const int AssumedSlots = 4;

    /// <summary>How long a node counts among the slots after its last claim.</summary>
    private const long SlotsMemoryMs = 30_000;

    /// <summary>The slots (tasks at once) each node reported in its last claim, and when (guarded by itself).</summary>
    private readonly Dictionary<string, (int Slots, long Seen)> _nodeSlots = [];

    /// <summary>How many task messages (single tasks and envelopes) this executor published.</summary>
    internal long TaskMessagesPublished => Interlocked.Read(ref _taskMessages);

    /// <summary>Holds publishing until the result is disposed, so that tasks submitted meanwhile meet a backlog (for tests).</summary>
    internal IDisposable PauseDispatch()
    {
        lock (_lock)
        {
            _paused = true;
        }

        return new DispatchPause(this);
    }

    /// <summary>
    /// The most tasks per envelope now: the backlog over twice the known slots (every node holds about one envelope
    /// per slot, so the nodes together take at most half the backlog and the rest stays on the broker for whichever
    /// node frees first), between 1 and <see cref="Internal.Wire.MaxEnvelopeTasks"/>.
    /// </summary>
    private int EnvelopeSizeLocked()
    {
        var slots = 0;
        var now = Environment.TickCount64;
        lock (_nodeSlots)
        {
            foreach (var (slotsOfNode, seen) in _nodeSlots.Values)
            {
                if (now - seen < SlotsMemoryMs)
                {
                    slots += slotsOfNode;
                }
            }
        }

        return Math.Clamp(_pending.Count / (2 * Math.Max(slots, AssumedSlots)), 1, Internal.Wire.MaxEnvelopeTasks);
    }

    /// <summary>How many published tasks no worker has started yet, counted up to <paramref name="enough"/>.</summary>
    private int UnstartedInFlightLocked(int enough)
    {
        var count = 0;
        foreach (var call in _inFlight.Values)
        {
            if (!call.Started && ++count >= enough)
            {
                break;
            }
        }

        return count;
    }

    private void RecordSlots(string node, int slots)
    {
        var now = Environment.TickCount64;
        lock (_nodeSlots)
        {
            if (_nodeSlots.Count > 1024)
            {
                // Nodes come and go (a name per process): forget those long silent.
                foreach (var stale in _nodeSlots.Where(n => now - n.Value.Seen >= SlotsMemoryMs).Select(n => n.Key).ToList())
                {
                    _nodeSlots.Remove(stale);
                }
            }

            _nodeSlots[node] = (slots, now);
        }
    }

    private sealed class DispatchPause(RabbitMqExecutor owner) : IDisposable
    {
        public void Dispose()
        {
            lock (owner._lock)
            {
                owner._paused = false;
                Monitor.PulseAll(owner._lock);
            }
        }
    }
}
