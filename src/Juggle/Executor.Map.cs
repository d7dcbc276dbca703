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
        return MapValues(fn, source, timeout, chunkSize, bufferSize ?? DefaultMapBufferSize);
    }

    /// <summary>
    /// Like <see cref="Map{TSource, TResult}"/>, but yields each item's <see cref="Outcome{TSource, TResult}"/> (its
    /// value or its exception), so one failing item never ends the iteration.
    /// </summary>
    public IEnumerable<Outcome<TSource, TResult>> MapOutcomes<TSource, TResult>(Func<TSource, TResult> fn, IEnumerable<TSource> source, TimeSpan? timeout = null, int chunkSize = 1, int? bufferSize = null)
    {
        ValidateMap(fn, source, timeout, chunkSize, bufferSize);
        return MapCore(fn, source, timeout, chunkSize, bufferSize ?? DefaultMapBufferSize);
    }

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

    private IEnumerable<TResult> MapValues<TSource, TResult>(Func<TSource, TResult> fn, IEnumerable<TSource> source, TimeSpan? timeout, int chunkSize, int bufferSize)
    {
        foreach (var outcome in MapCore(fn, source, timeout, chunkSize, bufferSize))
        {
            yield return outcome.Value;
        }
    }

    private IEnumerable<Outcome<TSource, TResult>> MapCore<TSource, TResult>(Func<TSource, TResult> fn, IEnumerable<TSource> source, TimeSpan? timeout, int chunkSize, int bufferSize)
    {
        var started = Time.GetTimestamp();
        var window = new Queue<Future<Outcome<TSource, TResult>[]>>(Math.Min(bufferSize, 1024));
        using var items = source.GetEnumerator();
        var exhausted = false;
        long index = 0;

        void Fill()
        {
            while (!exhausted && window.Count < bufferSize)
            {
                var chunk = new List<TSource>(chunkSize);
                while (chunk.Count < chunkSize && items.MoveNext())
                {
                    chunk.Add(items.Current);
                }

                if (chunk.Count < chunkSize)
                {
                    exhausted = true;
                }

                if (chunk.Count == 0)
                {
                    return;
                }

                window.Enqueue(Enqueue(new MapChunkWorkItem<TSource, TResult>(fn, [.. chunk], index)));
                index += chunk.Count;
            }
        }

        try
        {
            Fill();
            while (window.Count > 0)
            {
                var next = window.Peek();
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
                window.Dequeue();
                Fill();
                foreach (var outcome in outcomes)
                {
                    yield return outcome;
                }
            }
        }
        finally
        {
            // The consumer stopped early (or a result failed): don't leave queued work behind. Running items finish
            // (Cancel() on them would kill a process pool worker).
            foreach (var future in window)
            {
                future.TryCancelPending();
            }
        }
    }
}
