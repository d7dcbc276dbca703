using System.Globalization;
using Juggle.Internal;

namespace Juggle;

/// <summary>Map: lazy, bounded, in input order.</summary>
public abstract partial class Executor
{
    /// <summary>
    /// Applies <paramref name="fn"/> to every item concurrently and yields the results in input order (Python's
    /// <c>map</c>). Lazy and bounded: the input is read only as results are consumed, with a bounded window of tasks
    /// in flight, so huge or infinite inputs work. Work starts when enumeration starts; stopping early cancels the
    /// tasks not yet started. An item's exception is thrown when its result is reached (use
    /// <see cref="MapOutcomes{TSource, TResult}(Func{TSource, TResult}, IEnumerable{TSource}, TimeSpan?, int?, int?)"/>
    /// to get every item's value or exception instead). An exception thrown by the input itself is thrown after the
    /// results of every item read before it. Finished results are yielded while the input is slow to produce more.
    /// </summary>
    /// <param name="fn">The function; for the process pool, a static method.</param>
    /// <param name="source">The items; enumerated once, lazily (off the caller's thread unless it is an array or a collection).</param>
    /// <param name="timeout">A deadline for the whole map, counted from the start of enumeration, covering waits for results and for input; <see cref="TimeoutException"/> when the next result is not ready by then.</param>
    /// <param name="chunkSize">Items per task. <see langword="null"/> (the default) chooses it from the measured task time: one item per task for slow functions, batches for cheap ones. An explicit value is always used.</param>
    /// <param name="bufferSize">Tasks (chunks) in flight ahead of the consumer; by default a window chosen by the executor (see its remarks).</param>
    public IEnumerable<TResult> Map<TSource, TResult>(Func<TSource, TResult> fn, IEnumerable<TSource> source, TimeSpan? timeout = null, int? chunkSize = null, int? bufferSize = null)
    {
        ValidateMap(fn, source, timeout, chunkSize, bufferSize);
        return MapValues(new SyncMapBody<TSource, TResult>(fn), source, timeout, chunkSize, bufferSize);
    }

    /// <summary>
    /// Like <see cref="Map{TSource, TResult}(Func{TSource, TResult}, IEnumerable{TSource}, TimeSpan?, int?, int?)"/>,
    /// but yields each item's <see cref="Outcome{TSource, TResult}"/> (its value or its exception), so one failing
    /// item never ends the iteration. An exception thrown by the input itself is not an item's outcome: it is thrown
    /// after the outcomes of every item read before it.
    /// </summary>
    public IEnumerable<Outcome<TSource, TResult>> MapOutcomes<TSource, TResult>(Func<TSource, TResult> fn, IEnumerable<TSource> source, TimeSpan? timeout = null, int? chunkSize = null, int? bufferSize = null)
    {
        ValidateMap(fn, source, timeout, chunkSize, bufferSize);
        return MapCore(new SyncMapBody<TSource, TResult>(fn), source, timeout, chunkSize, bufferSize);
    }

    /// <summary>
    /// Map with an async function (<c>pool.Map(async url =&gt; await FetchAsync(url), urls)</c>): each item's task is
    /// awaited and its result yielded, as <see cref="Task.Run(Func{Task})"/> awaits an async lambda. One item per task
    /// unless <paramref name="chunkSize"/> says otherwise (a chunk's items are awaited one after another).
    /// </summary>
    public IEnumerable<TResult> Map<TSource, TResult>(Func<TSource, Task<TResult>> fn, IEnumerable<TSource> source, TimeSpan? timeout = null, int? chunkSize = null, int? bufferSize = null)
    {
        ValidateMap(fn, source, timeout, chunkSize, bufferSize);
        return MapValues(new AsyncMapBody<TSource, TResult>(fn), source, timeout, chunkSize, bufferSize);
    }

    /// <summary>MapOutcomes with an async function: every item's awaited value or exception.</summary>
    public IEnumerable<Outcome<TSource, TResult>> MapOutcomes<TSource, TResult>(Func<TSource, Task<TResult>> fn, IEnumerable<TSource> source, TimeSpan? timeout = null, int? chunkSize = null, int? bufferSize = null)
    {
        ValidateMap(fn, source, timeout, chunkSize, bufferSize);
        return MapCore(new AsyncMapBody<TSource, TResult>(fn), source, timeout, chunkSize, bufferSize);
    }

    /// <summary>
    /// The window a Map without <c>bufferSize</c> starts with; it grows up to <see cref="DefaultMapBufferSize"/> while
    /// its tasks are short (see <c>MapRun</c>). Equal to <see cref="DefaultMapBufferSize"/> (a fixed
    /// window) unless an executor overrides it.
    /// </summary>
    private protected virtual int InitialMapBufferSize => DefaultMapBufferSize;

    /// <summary>
    /// The task length (in <see cref="Time"/> ticks) a Map without <c>chunkSize</c> aims for when it batches cheap
    /// items: long enough that the per-task cost is a few percent of it. In-process executors: 100 µs.
    /// </summary>
    private protected virtual long MapChunkTargetTicks => Time.TimestampFrequency / 10_000;

    /// <summary>The most items a Map without <c>chunkSize</c> puts in one task.</summary>
    private protected virtual int MaxAdaptiveChunkSize => 1024;

    /// <summary>Tasks shorter than this (in <see cref="Time"/> ticks) are cheap enough for a default Map window to grow: 100 µs.</summary>
    private long ShortTaskTicks => Time.TimestampFrequency / 10_000;

    private static void ValidateMap(Delegate fn, object source, TimeSpan? timeout, int? chunkSize, int? bufferSize)
    {
        ArgumentNullException.ThrowIfNull(fn);
        ArgumentNullException.ThrowIfNull(source);
        if (timeout is { } t)
        {
            Future.ValidateTimeout(t, nameof(timeout));
        }

        if (chunkSize is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(chunkSize), chunkSize, "chunkSize must be at least 1 (or null to let Map choose).");
        }

        if (bufferSize is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(bufferSize), bufferSize, "bufferSize must be at least 1 (or null for the default).");
        }
    }

    private IEnumerable<TResult> MapValues<TSource, TResult>(MapBody<TSource, TResult> body, IEnumerable<TSource> source, TimeSpan? timeout, int? chunkSize, int? bufferSize)
    {
        foreach (var outcome in MapCore(body, source, timeout, chunkSize, bufferSize))
        {
            yield return outcome.Value;
        }
    }

    private IEnumerable<Outcome<TSource, TResult>> MapCore<TSource, TResult>(MapBody<TSource, TResult> body, IEnumerable<TSource> source, TimeSpan? timeout, int? chunkSize, int? bufferSize)
    {
        var started = Time.GetTimestamp();
        using var run = new MapRun<TSource, TResult>(this, body, source, chunkSize, bufferSize);
        while (true)
        {
            var remaining = Remaining(timeout, started);
            var next = run.NextHead(out var inputWait);
            if (next is null)
            {
                if (inputWait is null)
                {
                    run.ThrowIfInputFailed();
                    yield break;
                }

                // Nothing in flight: the input is slow to give the next item.
                if (!Timeouts.Wait(inputWait, remaining ?? Timeout.InfiniteTimeSpan))
                {
                    throw MapTimeout(timeout, run);
                }

                continue;
            }

            if (!next.WaitCore(remaining))
            {
                throw MapTimeout(timeout, run);
            }

            var outcomes = next.Result();
            run.Advance(next);
            for (var i = 0; i < outcomes.Length; i++)
            {
                // The chunk's array is Map's own: a yielded result is not kept alive by the rest of its chunk.
                var outcome = outcomes[i];
                outcomes[i] = default;
                yield return outcome;
            }
        }
    }

    private TimeSpan? Remaining(TimeSpan? timeout, long started)
    {
        if (timeout is not { } t || t == Timeout.InfiniteTimeSpan)
        {
            return null;
        }

        var left = t - Time.GetElapsedTime(started);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    private static TimeoutException MapTimeout<TSource, TResult>(TimeSpan? timeout, MapRun<TSource, TResult> run) => new(string.Create(
        CultureInfo.InvariantCulture,
        $"Map did not finish within {timeout!.Value.TotalSeconds:0.###} s: {run.Count} task(s) in flight are unfinished{(run.Count == 0 ? " (waiting for the input's next item)" : string.Empty)}."));
}
