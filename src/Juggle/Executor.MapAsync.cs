using System.Globalization;
using System.Runtime.CompilerServices;
using Juggle.Internal;

namespace Juggle;

/// <summary>Map for async callers: the same lazy, bounded, ordered map, awaited instead of blocking.</summary>
public abstract partial class Executor
{
    /// <summary>
    /// The async twin of <see cref="Map{TSource, TResult}"/>: <c>await foreach (var r in pool.MapAsync(fn, items))</c>.
    /// The work runs on the executor's workers; the caller awaits results in input order without blocking a thread.
    /// Cancelling <paramref name="cancellationToken"/> stops the iteration and cancels the queued tasks.
    /// </summary>
    public IAsyncEnumerable<TResult> MapAsync<TSource, TResult>(Func<TSource, TResult> fn, IEnumerable<TSource> source, TimeSpan? timeout = null, int chunkSize = 1, int? bufferSize = null, CancellationToken cancellationToken = default)
    {
        ValidateMap(fn, source, timeout, chunkSize, bufferSize);
        return MapValuesAsync(fn, source, timeout, chunkSize, bufferSize, cancellationToken);
    }

    /// <summary>The async twin of <see cref="MapOutcomes{TSource, TResult}"/>: every item's value or exception.</summary>
    public IAsyncEnumerable<Outcome<TSource, TResult>> MapOutcomesAsync<TSource, TResult>(Func<TSource, TResult> fn, IEnumerable<TSource> source, TimeSpan? timeout = null, int chunkSize = 1, int? bufferSize = null, CancellationToken cancellationToken = default)
    {
        ValidateMap(fn, source, timeout, chunkSize, bufferSize);
        return MapCoreAsync(fn, source, timeout, chunkSize, bufferSize, cancellationToken);
    }

    private async IAsyncEnumerable<TResult> MapValuesAsync<TSource, TResult>(Func<TSource, TResult> fn, IEnumerable<TSource> source, TimeSpan? timeout, int chunkSize, int? bufferSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var outcome in MapCoreAsync(fn, source, timeout, chunkSize, bufferSize, cancellationToken).ConfigureAwait(false))
        {
            yield return outcome.Value;
        }
    }

    private async IAsyncEnumerable<Outcome<TSource, TResult>> MapCoreAsync<TSource, TResult>(Func<TSource, TResult> fn, IEnumerable<TSource> source, TimeSpan? timeout, int chunkSize, int? bufferSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var started = Time.GetTimestamp();
        using var window = new MapWindow<TSource, TResult>(this, fn, source, chunkSize, bufferSize);
        window.Fill();
        while (window.Count > 0)
        {
            var next = window.Head;
            var wait = Timeout.InfiniteTimeSpan;
            if (timeout is { } t && t != Timeout.InfiniteTimeSpan)
            {
                var left = t - Time.GetElapsedTime(started);
                wait = left > TimeSpan.Zero ? left : TimeSpan.Zero;
            }

            Outcome<TSource, TResult>[] outcomes;
            try
            {
                outcomes = await Timeouts.WaitAsync(next.AsTask(), wait, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException) when (!next.Done)
            {
                throw new TimeoutException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"Map did not finish within {timeout!.Value.TotalSeconds:0.###} s: {window.Count} task(s) in flight are unfinished."));
            }

            window.Advance();
            foreach (var outcome in outcomes)
            {
                yield return outcome;
            }
        }
    }
}
