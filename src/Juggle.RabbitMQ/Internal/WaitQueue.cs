namespace Juggle.RabbitMQ.Internal;

/// <summary>
/// A blocking queue whose takers sleep at once instead of spinning first (as <c>BlockingCollection</c> and
/// <c>Task.Wait</c> do): on a machine with few cores the spinning of idle takers cost more CPU than the work.
/// Same contract as <c>BlockingCollection</c>: <see cref="Add"/> after <see cref="CompleteAdding"/> throws
/// <see cref="InvalidOperationException"/>; the consuming enumeration ends once completed and empty.
/// </summary>
internal sealed class WaitQueue<T> : IDisposable
{
    private readonly Queue<T> _items = new();
    private readonly object _gate = new();
    private bool _completed;

    public void Add(T item)
    {
        lock (_gate)
        {
            if (_completed)
            {
                throw new InvalidOperationException("The queue takes no more items.");
            }

            _items.Enqueue(item);
            Monitor.Pulse(_gate);
        }
    }

    /// <summary>Adds several items at once (one wake-up call for all of them).</summary>
    public void AddRange(IReadOnlyList<T> items)
    {
        lock (_gate)
        {
            if (_completed)
            {
                throw new InvalidOperationException("The queue takes no more items.");
            }

            foreach (var item in items)
            {
                _items.Enqueue(item);
            }

            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Takes up to <paramref name="max"/> items from the front while they match, without waiting.</summary>
    public void TakeWhile(Func<T, bool> match, int max, List<T> into)
    {
        lock (_gate)
        {
            while (into.Count < max && _items.Count > 0 && match(_items.Peek()))
            {
                into.Add(_items.Dequeue());
            }
        }
    }

    public void CompleteAdding()
    {
        lock (_gate)
        {
            _completed = true;
            Monitor.PulseAll(_gate);
        }
    }

    public IEnumerable<T> GetConsumingEnumerable()
    {
        while (true)
        {
            T item;
            Spin.Briefly(this, static q => q._items.Count > 0 || q._completed);
            lock (_gate)
            {
                while (_items.Count == 0)
                {
                    if (_completed)
                    {
                        yield break;
                    }

                    Monitor.Wait(_gate);
                }

                item = _items.Dequeue();
            }

            yield return item;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => CompleteAdding();
}

/// <summary>A one-shot result a thread waits for without spinning (see <see cref="WaitQueue{T}"/>).</summary>
internal sealed class WaitSlot<T>
    where T : struct
{
    private readonly object _gate = new();
    private T? _value;
    private bool _set;

    /// <summary>Sets the value unless one is set already.</summary>
    public bool TrySet(T value)
    {
        lock (_gate)
        {
            if (_value is not null)
            {
                return false;
            }

            _value = value;
            Volatile.Write(ref _set, true);
            Monitor.PulseAll(_gate);
            return true;
        }
    }

    /// <summary>The value, or <see langword="null"/> if none was set within <paramref name="timeout"/>.</summary>
    public T? Wait(TimeSpan timeout)
    {
        var deadline = timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        Spin.Briefly(this, static s => Volatile.Read(ref s._set));
        lock (_gate)
        {
            while (_value is null)
            {
                if (deadline == long.MaxValue)
                {
                    Monitor.Wait(_gate);
                    continue;
                }

                var left = deadline - Environment.TickCount64;
                if (left <= 0 || !Monitor.Wait(_gate, TimeSpan.FromMilliseconds(left)))
                {
                    return _value;
                }
            }

            return _value;
        }
    }
}

/// <summary>Blocking waits for tasks without the spinning of <c>Task.Wait</c> (see <see cref="WaitQueue{T}"/>).</summary>
internal static class Waits
{
    /// <summary>Waits for <paramref name="task"/> and returns its result or throws its exception, sleeping instead of spinning.</summary>
    public static void WaitWithoutSpinning(this Task task)
    {
        if (!task.IsCompleted)
        {
            var done = new WaitSlot<bool>();
            task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(() => done.TrySet(true));
            done.Wait(Timeout.InfiniteTimeSpan);
        }

        task.GetAwaiter().GetResult();
    }
}

/// <summary>
/// A short spin before a thread blocks: an answer that comes within a few microseconds is taken without a trip through
/// the kernel, and nothing yields the processor (yielding in a loop was what cost idle threads their CPU).
/// </summary>
internal static class Spin
{
    private const int Rounds = 20;

    public static void Briefly<TState>(TState state, Func<TState, bool> ready)
    {
        if (Environment.ProcessorCount == 1)
        {
            return;
        }

        for (var i = 0; i < Rounds && !ready(state); i++)
        {
            Thread.SpinWait(50);
        }
    }
}
