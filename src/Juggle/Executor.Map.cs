using System.Globalization;
using Juggle.Internal;

namespace Juggle;

/// <summary>Map: lazy, bounded, in input order.</summary>
public abstract partial class Executor
{
    /// <summary>
    /// Applies <paramref name="fn"/> to every item concurrently and yields the results in input order (Python's
    /// <c>map</c>). Lazy and bounded: the input is read only as results are consumed, with at most
    /// <paramref name="bufferSize"/> tasks in flight, so huge or infinite inputs work. Work starts when enumeration
    /// starts; stopping early cancels the tasks not yet started. An item's exception is thrown when its result is
    /// reached (use <see cref="MapOutcomes{TSource, TResult}"/> to get every item's value or exception instead).
    /// </summary>
    /// <param name="fn">The function; for the process pool, a static method.</param>
    /// <param name="source">The items; enumerated once, lazily.</param>
    /// <param name="timeout">A deadline for the whole map, counted from the start of enumeration; <see cref="TimeoutException"/> when a result is not ready by then.</param>
    /// <param name="chunkSize">Items per task: larger chunks cut per-task overhead (most useful for the process pool).</param>
    /// <param name="bufferSize">Tasks (chunks) in flight ahead of the consumer; by default a window chosen by the executor (see its remarks).</param>
    public IEnumerable<TResult> Map<TSource, TResult>(Func<TSource, TResult> fn, IEnumerable<TSource> source, TimeSpan? timeout = null, int chunkSize = 1, int? bufferSize = null)
    {
        ValidateMap(fn, source, timeout, chunkSize, bufferSize);
        return MapValues(fn, source, timeout, chunkSize, bufferSize);
    }

    /// <summary>
    /// Like <see cref="Map{TSource, TResult}"/>, but yields each item's <see cref="Outcome{TSource, TResult}"/> (its
    /// value or its exception), so one failing item never ends the iteration.
    /// </summary>
    public IEnumerable<Outcome<TSource, TResult>> MapOutcomes<TSource, TResult>(Func<TSource, TResult> fn, IEnumerable<TSource> source, TimeSpan? timeout = null, int chunkSize = 1, int? bufferSize = null)
    {
        ValidateMap(fn, source, timeout, chunkSize, bufferSize);
        return MapCore(fn, source, timeout, chunkSize, bufferSize);
    }

    /// <summary>
    /// The window a Map without <c>bufferSize</c> starts with; it grows up to <see cref="DefaultMapBufferSize"/> while
    /// its tasks are short (see <c>MapWindow</c>). Equal to <see cref="DefaultMapBufferSize"/> (a fixed
    /// window) unless an executor overrides it.
    /// </summary>
    private protected virtual int InitialMapBufferSize => DefaultMapBufferSize;

    /// <summary>Tasks shorter than this (in <see cref="Time"/> ticks) are cheap enough for a default Map window to grow: 100 µs.</summary>
    private long ShortTaskTicks => Time.TimestampFrequency / 10_000;

    private static void ValidateMap<TSource, TResult>(Func<TSource, TResult> fn, IEnumerable<TSource> source, TimeSpan? timeout, int chunkSize, int? bufferSize)
    {
        ArgumentNullException.ThrowIfNull(fn);
        ArgumentNullException.ThrowIfNull(source);
        if (timeout is { } t)
        {
            Future.ValidateTimeout(t, nameof(timeout));
        }

        if (chunkSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(chunkSize), chunkSize, "chunkSize must be at least 1.");
        }

        if (bufferSize is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(bufferSize), bufferSize, "bufferSize must be at least 1 (or null for the default).");
        }
    }

    private IEnumerable<TResult> MapValues<TSource, TResult>(Func<TSource, TResult> fn, IEnumerable<TSource> source, TimeSpan? timeout, int chunkSize, int? bufferSize)
    {
        foreach (var outcome in MapCore(fn, source, timeout, chunkSize, bufferSize))
        {
            yield return outcome.Value;
        }
    }

    private IEnumerable<Outcome<TSource, TResult>> MapCore<TSource, TResult>(Func<TSource, TResult> fn, IEnumerable<TSource> source, TimeSpan? timeout, int chunkSize, int? bufferSize)
    {
        var started = Time.GetTimestamp();
        using var window = new MapWindow<TSource, TResult>(this, fn, source, chunkSize, bufferSize);
        window.Fill();
        while (window.Count > 0)
        {
            var next = window.Head;
            TimeSpan? remaining = null;
            if (timeout is { } t && t != Timeout.InfiniteTimeSpan)
            {
                var left = t - Time.GetElapsedTime(started);
                remaining = left > TimeSpan.Zero ? left : TimeSpan.Zero;
            }

            if (!next.WaitCore(remaining))
            {
                throw new TimeoutException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"Map did not finish within {timeout!.Value.TotalSeconds:0.###} s: {window.Count} task(s) in flight are unfinished."));
            }

            var outcomes = next.Result();
            window.Advance();
            foreach (var outcome in outcomes)
            {
                yield return outcome;
            }
        }
    }

    /// <summary>
    /// The tasks of one Map in flight, in input order. With an explicit <c>bufferSize</c> the window holds at most that
    /// many tasks. Without one it starts at <see cref="InitialMapBufferSize"/> tasks and doubles, up to
    /// <see cref="DefaultMapBufferSize"/> items (tasks × chunkSize, never below the start), each time it is topped up
    /// after a task that ran under <see cref="ShortTaskTicks"/>: for cheap functions the per-task handoff (a worker
    /// woken, a consumer woken) dominates and a deep pipeline amortises it, while slow functions keep the small
    /// window and read little ahead of the consumer.
    /// </summary>
    private sealed class MapWindow<TSource, TResult> : IDisposable
    {
        private readonly Executor _owner;
        private readonly Func<TSource, TResult> _fn;
        private readonly IEnumerator<TSource> _items;
        private readonly int _chunkSize;
        private readonly int _maxSize;
        private readonly Queue<Future<Outcome<TSource, TResult>[]>> _queue;
        private int _size;
        private int _refillAt;
        private bool _exhausted;
        private long _index;
        private bool _sawShortTask;

        public MapWindow(Executor owner, Func<TSource, TResult> fn, IEnumerable<TSource> source, int chunkSize, int? bufferSize)
        {
            _owner = owner;
            _fn = fn;
            _chunkSize = chunkSize;
            if (bufferSize is { } fixedSize)
            {
                _size = _maxSize = fixedSize;
            }
            else
            {
                // A growing window is sized in items: a chunk already spreads the per-task cost over its items.
                var initial = Math.Max(1, owner.InitialMapBufferSize);
                var limit = Math.Max(1, owner.DefaultMapBufferSize);
                _size = Math.Min(initial, limit);
                _maxSize = initial >= limit ? limit : Math.Max(initial, limit / chunkSize);
            }

            _refillAt = RefillThreshold(_size);
            _queue = new Queue<Future<Outcome<TSource, TResult>[]>>(Math.Min(_size, 1024));
            _items = source.GetEnumerator();
        }

        public int Count => _queue.Count;

        public Future<Outcome<TSource, TResult>[]> Head => _queue.Peek();

        /// <summary>Submits chunks until the window is full or the input is exhausted.</summary>
        public void Fill()
        {
            while (!_exhausted && _queue.Count < _size && TryStartChunk(out var future))
            {
                _queue.Enqueue(future);
            }
        }

        /// <summary>Drops the head (its result has been taken) and tops the window up when it has drained enough.</summary>
        public void Advance()
        {
            var head = _queue.Dequeue();
            if (head.EndTimestamp - head.StartTimestamp < _owner.ShortTaskTicks)
            {
                _sawShortTask = true;
            }

            if (_queue.Count > _refillAt || _exhausted)
            {
                return;
            }

            if (_size < _maxSize && _sawShortTask)
            {
                _sawShortTask = false;
                _size = (int)Math.Min((long)_size * 2, _maxSize);
                _refillAt = RefillThreshold(_size);
            }

            Fill();
        }

        public void Dispose()
        {
            // The consumer stopped early (or a result failed): don't leave queued work behind. Running items finish
            // (Cancel() on them would kill a process pool worker).
            foreach (var future in _queue)
            {
                future.TryCancelPending();
            }

            _queue.Clear();
            _items.Dispose();
        }

        /// <summary>
        /// The window is topped up in batches once it has drained to this many tasks: for a wide window the consumer
        /// submits a burst and the workers find a queue of work instead of being woken once per item. Small windows
        /// (a caller bounding concurrency precisely) are refilled after every result.
        /// </summary>
        private static int RefillThreshold(int size) => size >= 16 ? size - (size / 4) : size - 1;

        /// <summary>Reads the next chunk and submits it; <see langword="false"/> when the input has no more items.</summary>
        private bool TryStartChunk(out Future<Outcome<TSource, TResult>[]> future)
        {
            future = null!;
            if (_chunkSize == 1 && _owner.RunsDelegatesInProcess)
            {
                // The common case of cheap functions: no chunk array, one small work item.
                if (!_items.MoveNext())
                {
                    _exhausted = true;
                    return false;
                }

                future = _owner.Enqueue(new MapItemWorkItem<TSource, TResult>(_fn, _items.Current, _index));
                _index++;
                return true;
            }

            // A huge chunkSize (int.MaxValue: "one chunk") must not allocate its whole array up front.
            var chunk = new TSource[Math.Min(_chunkSize, 1024)];
            var count = 0;
            while (count < _chunkSize && _items.MoveNext())
            {
                if (count == chunk.Length)
                {
                    Array.Resize(ref chunk, (int)Math.Min(2L * count, _chunkSize));
                }

                chunk[count++] = _items.Current;
            }

            if (count < _chunkSize)
            {
                _exhausted = true;
                if (count == 0)
                {
                    return false;
                }
            }

            if (count < chunk.Length)
            {
                Array.Resize(ref chunk, count);
            }

            future = _owner.Enqueue(new MapChunkWorkItem<TSource, TResult>(_fn, chunk, _index));
            _index += count;
            return true;
        }
    }
}
