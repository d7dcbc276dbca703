using System.Runtime.ExceptionServices;
using Juggle.Internal;

namespace Juggle;

/// <summary>The machinery behind Map: reading the input, cutting chunks, keeping the window of tasks in flight.</summary>
public abstract partial class Executor
{
    /// <summary>How a Map turns items into tasks: a synchronous or an async function.</summary>
    private abstract class MapBody<TSource, TResult>
    {
        /// <summary><see langword="true"/> when a Map without <c>chunkSize</c> may batch items (cheap synchronous functions).</summary>
        public abstract bool Adaptive { get; }

        public abstract Future<Outcome<TSource, TResult>[]> Start(Executor owner, TSource[] chunk, long firstIndex);

        public abstract Future<Outcome<TSource, TResult>[]> StartOne(Executor owner, TSource item, long index);
    }

    private sealed class SyncMapBody<TSource, TResult>(Func<TSource, TResult> fn) : MapBody<TSource, TResult>
    {
        public override bool Adaptive => true;

        public override Future<Outcome<TSource, TResult>[]> Start(Executor owner, TSource[] chunk, long firstIndex) =>
            owner.Enqueue(new MapChunkWorkItem<TSource, TResult>(fn, fn, chunk, firstIndex));

        // In-process executors run a single item without a chunk array: the common case of a slow function.
        public override Future<Outcome<TSource, TResult>[]> StartOne(Executor owner, TSource item, long index) =>
            owner.RunsDelegatesInProcess
                ? owner.Enqueue(new MapItemWorkItem<TSource, TResult>(fn, item, index))
                : Start(owner, [item], index);
    }

    /// <summary>
    /// An async function: in-process it runs as async work (the executor's <c>Func&lt;CancellationToken, Task&lt;T&gt;&gt;</c>
    /// path); out of process the worker awaits the static method and sends its result.
    /// </summary>
    private sealed class AsyncMapBody<TSource, TResult>(Func<TSource, Task<TResult>> fn) : MapBody<TSource, TResult>
    {
        public override bool Adaptive => false;

        public override Future<Outcome<TSource, TResult>[]> Start(Executor owner, TSource[] chunk, long firstIndex) =>
            owner.RunsDelegatesInProcess
                ? owner.Enqueue(new AsyncWorkItem<Outcome<TSource, TResult>[]>(_ => RunAsync(chunk, firstIndex), fn, [chunk]))
                : owner.Enqueue(new MapChunkWorkItem<TSource, TResult>(item => Call(item).GetAwaiter().GetResult(), fn, chunk, firstIndex));

        public override Future<Outcome<TSource, TResult>[]> StartOne(Executor owner, TSource item, long index) => Start(owner, [item], index);

        private Task<TResult> Call(TSource item) =>
            fn(item) ?? throw new InvalidOperationException("The Map function returned a null Task.");

        private async Task<Outcome<TSource, TResult>[]> RunAsync(TSource[] chunk, long firstIndex)
        {
            var outcomes = new Outcome<TSource, TResult>[chunk.Length];
            for (var i = 0; i < chunk.Length; i++)
            {
                try
                {
                    outcomes[i] = new Outcome<TSource, TResult>(firstIndex + i, chunk[i], await Call(chunk[i]).ConfigureAwait(false));
                }
#pragma warning disable CA1031 // Each item's exception is its outcome.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    outcomes[i] = new Outcome<TSource, TResult>(firstIndex + i, chunk[i], ex);
                }
            }

            return outcomes;
        }
    }

    /// <summary>
    /// One Map enumeration: the tasks in flight in input order, the items read but not yet submitted ("staged"), and
    /// the input. A collection (arrays, lists, any <see cref="ICollection{T}"/>) is read on the consumer's thread; any
    /// other sequence (an iterator, a LINQ query, lines of a pipe) is read by a reader thread, so a blocking
    /// <c>MoveNext</c> never holds back results that are done, and the consumer's timeout covers waiting for input.
    /// Either way the input is read only while the window has room: at most (tasks × chunk) items ahead.
    /// </summary>
    /// <remarks>
    /// <para>The window: with an explicit <c>bufferSize</c> it holds that many tasks. Without one it starts at
    /// <see cref="InitialMapBufferSize"/> tasks and doubles, up to <see cref="DefaultMapBufferSize"/> items, each time it
    /// is topped up after a task that ran under <see cref="ShortTaskTicks"/>: for cheap functions the per-task handoff
    /// dominates and a deep pipeline amortises it, while slow functions keep the small window.</para>
    /// <para>The chunk: an explicit <c>chunkSize</c> is used as is (the last chunk may be shorter). Without one (and
    /// without <c>bufferSize</c>) it starts at one item and follows the measured time per item: the most items that
    /// fit in <see cref="MapChunkTargetTicks"/> (time per item: the least among the last 8 tasks, so a task stretched
    /// by preemption does not count), at most four times the previous chunk, at most
    /// <see cref="MaxAdaptiveChunkSize"/>; one item when items take that long. An adaptive chunk is cut short
    /// when nothing else is in flight (a slow input never holds read items back).</para>
    /// </remarks>
    private sealed class MapRun<TSource, TResult> : IDisposable
    {
        private readonly Executor _owner;
        private readonly MapBody<TSource, TResult> _body;
        private readonly IEnumerator<TSource> _items;
        private readonly bool _adaptive;
        private readonly bool _fixedWindow;
        private readonly bool _threaded;
        private readonly int _initialTasks;
        private readonly int _itemLimit;
        private readonly int _growthLimit;
        private readonly object _lock = new();
        private readonly Queue<Future<Outcome<TSource, TResult>[]>> _queue;
        private readonly Queue<int> _counts;
        private TSource[] _staged = [];
        private int _stagedCount;
        private long _nextIndex;
        private int _inFlightItems;
        private int _chunk;
        private int _tasks;
        private int _maxTasks;
        private int _refillAt;
        private bool _sawShortTask;
        private bool _ended;
        private bool _stopped;
        private bool _readerWaiting;
        private ExceptionDispatchInfo? _inputError;
        private TaskCompletionSource? _inputChanged;
        private readonly double[] _recentPerItem = new double[8];
        private int _recentNext;

        public MapRun(Executor owner, MapBody<TSource, TResult> body, IEnumerable<TSource> source, int? chunkSize, int? bufferSize)
        {
            _owner = owner;
            _body = body;
            _adaptive = chunkSize is null && bufferSize is null && body.Adaptive;
            _chunk = chunkSize ?? 1;
            if (bufferSize is { } fixedSize)
            {
                _fixedWindow = true;
                _tasks = _maxTasks = _initialTasks = fixedSize;
            }
            else
            {
                // A growing window is sized in items: a chunk already spreads the per-task cost over its items.
                var initial = Math.Max(1, owner.InitialMapBufferSize);
                _itemLimit = Math.Max(1, owner.DefaultMapBufferSize);
                _initialTasks = _tasks = Math.Min(initial, _itemLimit);
                _growthLimit = initial >= _itemLimit ? _itemLimit : Math.Max(initial, _itemLimit / _chunk);
                _maxTasks = MaxTasksFor(_chunk);
            }

            _refillAt = RefillThreshold(_tasks);
            _queue = new Queue<Future<Outcome<TSource, TResult>[]>>(Math.Min(_tasks, 1024));
            _counts = new Queue<int>(Math.Min(_tasks, 1024));
            _threaded = source is not (ICollection<TSource> or IReadOnlyCollection<TSource>);
            _items = source.GetEnumerator();
            if (_threaded)
            {
                WorkerThreadCache.Run($"{owner.Name} Map input", ReaderMain);
            }
        }

        /// <summary>Tasks in flight.</summary>
        public int Count
        {
            get
            {
                lock (_lock)
                {
                    return _queue.Count;
                }
            }
        }

        /// <summary>
        /// The oldest task in flight, or <see langword="null"/> with <paramref name="inputWait"/> set when the consumer
        /// must wait for the input, or with it null when the input is done (then check <see cref="ThrowIfInputFailed"/>).
        /// </summary>
        public Future<Outcome<TSource, TResult>[]>? NextHead(out Task? inputWait)
        {
            inputWait = null;
            while (true)
            {
                lock (_lock)
                {
                    if (_queue.Count == 0 && _stagedCount > 0 && (_adaptive || _ended || _inputError is not null))
                    {
                        // Nothing else in flight: don't hold read items back waiting for more input.
                        Cut();
                    }

                    if (_queue.Count > 0)
                    {
                        return _queue.Peek();
                    }

                    if (_ended || _stopped || _inputError is not null)
                    {
                        return null;
                    }

                    if (_threaded)
                    {
                        _inputChanged ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                        inputWait = _inputChanged.Task;
                        return null;
                    }
                }

                Pump();
            }
        }

        public void ThrowIfInputFailed()
        {
            lock (_lock)
            {
                _inputError?.Throw();
            }
        }

        /// <summary>Drops the head (its result has been taken), adapts the chunk and the window, and tops the window up.</summary>
        public void Advance(Future<Outcome<TSource, TResult>[]> head)
        {
            bool pump;
            lock (_lock)
            {
                _queue.Dequeue();
                var count = _counts.Dequeue();
                _inFlightItems -= count;
                Measure(head, count);
                pump = _queue.Count <= _refillAt;
                if (pump && !_fixedWindow && _sawShortTask && _tasks < _maxTasks)
                {
                    _sawShortTask = false;
                    _tasks = (int)Math.Min((long)_tasks * 2, _maxTasks);
                    _refillAt = RefillThreshold(_tasks);
                }

                TryCut();
                if (_threaded)
                {
                    if (pump && _readerWaiting && HasRoom)
                    {
                        Monitor.Pulse(_lock);
                    }

                    return;
                }
            }

            if (pump)
            {
                Pump();
            }
        }

        public void Dispose()
        {
            lock (_lock)
            {
                _stopped = true;

                // The consumer stopped early (or a result failed): don't leave queued work behind. Running items finish
                // (Cancel() on them would kill a process pool worker).
                foreach (var future in _queue)
                {
                    future.TryCancelPending();
                }

                _queue.Clear();
                _counts.Clear();
                _stagedCount = 0;
                Monitor.PulseAll(_lock);
            }

            // A reader thread disposes the input itself once its MoveNext returns (it may be blocked on a pipe).
            if (!_threaded)
            {
                _items.Dispose();
            }
        }

        /// <summary>
        /// The window is topped up in batches once it has drained to this many tasks: for a wide window the consumer
        /// submits a burst and the workers find a queue of work instead of being woken once per item. Small windows
        /// (a caller bounding concurrency precisely) are refilled after every result.
        /// </summary>
        private static int RefillThreshold(int size) => size >= 16 ? size - (size / 4) : size - 1;

        private bool HasRoom => !_ended && !_stopped && _inputError is null
            && _inFlightItems < (long)_tasks * _chunk && _stagedCount < _chunk;

        private int MaxTasksFor(int chunk)
        {
            if (_fixedWindow)
            {
                return _tasks;
            }

            if (!_adaptive || chunk == 1)
            {
                return _growthLimit;
            }

            // Batched cheap items: a few chunks per worker keep every worker busy; the item limit bounds the read-ahead.
            return Math.Max(Math.Min(_initialTasks, 4 * _owner.MaxWorkers), _itemLimit / chunk);
        }

        private void Measure(Future head, int count)
        {
            if (head.StartTimestamp == 0 || head.EndTimestamp == 0 || count == 0)
            {
                return;
            }

            var ticks = head.EndTimestamp - head.StartTimestamp;
            if (ticks < _owner.ShortTaskTicks)
            {
                _sawShortTask = true;
            }

            if (!_adaptive)
            {
                return;
            }

            // The estimate is the least time per item among the last few tasks: being preempted (a loaded machine) only
            // ever adds time, so one task stretched by a context switch does not send the chunk back to one item.
            _recentPerItem[_recentNext++ % _recentPerItem.Length] = (double)Math.Max(ticks, 0) / count;
            var perItem = double.MaxValue;
            var samples = Math.Min(_recentNext, _recentPerItem.Length);
            for (var i = 0; i < samples; i++)
            {
                perItem = Math.Min(perItem, _recentPerItem[i]);
            }

            var target = _owner.MapChunkTargetTicks;
            var fits = perItem <= 0 ? double.MaxValue : target / perItem;
            var chunk = (int)Math.Clamp(Math.Min(fits, _chunk * 4.0), 1, Math.Max(1, _owner.MaxAdaptiveChunkSize));
            if (chunk == _chunk)
            {
                return;
            }

            // Batched cheap items get a few chunks per worker at once (the window then doubles while tasks are short); back
            // at one item per task (the items got slow), the window returns to its initial size so slow work reads only
            // that far ahead.
            _chunk = chunk;
            _maxTasks = MaxTasksFor(chunk);
            _tasks = chunk > 1 ? Math.Min(_maxTasks, Math.Max(_tasks, 4 * _owner.MaxWorkers)) : _initialTasks;
            _refillAt = RefillThreshold(_tasks);
        }

        /// <summary>Reads items on the consumer's thread while the window has room (collections only: they never block).</summary>
        private void Pump()
        {
            while (true)
            {
                lock (_lock)
                {
                    if (!HasRoom)
                    {
                        TryCut();
                        return;
                    }
                }

                if (!ReadOne())
                {
                    return;
                }
            }
        }

        /// <summary>The reader thread of a sequence that may block: reads while the window has room, sleeps otherwise.</summary>
        private void ReaderMain()
        {
            try
            {
                while (true)
                {
                    lock (_lock)
                    {
                        while (!_stopped && !_ended && _inputError is null && !HasRoom)
                        {
                            _readerWaiting = true;
                            Monitor.Wait(_lock);
                        }

                        _readerWaiting = false;
                        if (_stopped || _ended || _inputError is not null)
                        {
                            return;
                        }
                    }

                    if (!ReadOne())
                    {
                        return;
                    }
                }
            }
#pragma warning disable CA1031 // A reader thread must never take the process down; ReadOne records the input's failures.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _owner.LogError(ex, "A Map input reader failed");
            }
            finally
            {
                try
                {
                    _items.Dispose();
                }
#pragma warning disable CA1031 // The consumer is gone or has its results; a failing Dispose of the input is logged.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    _owner.LogError(ex, "Disposing a Map input failed");
                }

                lock (_lock)
                {
                    SignalInput();
                }
            }
        }

        /// <summary>Reads one item and stages it; <see langword="false"/> when the input ended, failed or the run stopped.</summary>
        private bool ReadOne()
        {
            bool has;
            var item = default(TSource);
            try
            {
                has = _items.MoveNext();
                if (has)
                {
                    item = _items.Current;
                }
            }
#pragma warning disable CA1031 // The input's exception is rethrown to the consumer after the results before it.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                lock (_lock)
                {
                    _inputError ??= ExceptionDispatchInfo.Capture(ex);
                    TryCut();
                    SignalInput();
                }

                return false;
            }

            lock (_lock)
            {
                if (_stopped)
                {
                    return false;
                }

                if (!has)
                {
                    _ended = true;
                    TryCut();
                    SignalInput();
                    return false;
                }

                if (_stagedCount == _staged.Length)
                {
                    // Grows towards the chunk size (a huge chunkSize is not allocated up front); never below what is staged.
                    var wanted = Math.Min(Math.Max(2L * _staged.Length, Math.Min(_chunk, 1024)), _chunk);
                    Array.Resize(ref _staged, (int)Math.Max(_stagedCount + 1L, wanted));
                }

                _staged[_stagedCount++] = item!;
                _inFlightItems++;
                TryCut();
                SignalInput();
                return true;
            }
        }

        /// <summary>Submits the staged items as a task when they make a chunk (or the input is over) and the window has a place.</summary>
        private void TryCut()
        {
            if (_stagedCount > 0 && (_stagedCount >= _chunk || _ended || _inputError is not null) && _queue.Count < _tasks)
            {
                Cut();
            }
        }

        private void Cut()
        {
            var count = _stagedCount;
            var first = _nextIndex;
            try
            {
                Future<Outcome<TSource, TResult>[]> future;
                if (count == 1)
                {
                    future = _body.StartOne(_owner, _staged[0], first);
                    _staged[0] = default!;
                }
                else
                {
                    var chunk = _staged;
                    if (chunk.Length != count)
                    {
                        Array.Resize(ref chunk, count);
                    }

                    _staged = [];
                    future = _body.Start(_owner, chunk, first);
                }

                _queue.Enqueue(future);
                _counts.Enqueue(count);
            }
#pragma warning disable CA1031 // A failed submit (shut down, an item that cannot be sent) ends the map after the results before it.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _inputError ??= ExceptionDispatchInfo.Capture(ex);
                _inFlightItems -= count;
                _staged = [];
            }
            finally
            {
                _stagedCount = 0;
                _nextIndex = first + count;
            }
        }

        private void SignalInput()
        {
            var waiting = _inputChanged;
            _inputChanged = null;
            waiting?.TrySetResult();
        }
    }
}
