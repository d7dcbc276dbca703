using System.Runtime.CompilerServices;
using Juggle.Internal;

namespace Juggle;

/// <summary>Map for async callers: the same lazy, bounded, ordered map, awaited instead of blocking.</summary>
public abstract partial class Executor
{
    /// <summary>
    /// The async twin of <see cref="Map{TSource, TResult}(Func{TSource, TResult}, IEnumerable{TSource}, TimeSpan?, int?, int?)"/>:
    /// <c>await foreach (var r in pool.MapAsync(fn, items))</c>. The work runs on the executor's workers; the caller
    /// awaits results in input order without blocking a thread. Cancelling <paramref name="cancellationToken"/> stops
    /// the iteration and cancels the queued tasks.
    /// </summary>
    public IAsyncEnumerable<TResult> MapAsync<TSource, TResult>(Func<TSource, TResult> fn, IEnumerable<TSource> source, TimeSpan? timeout = null, int? chunkSize = null, int? bufferSize = null, CancellationToken cancellationToken = default)
    {
        ValidateMap(fn, source, timeout, chunkSize, bufferSize);
        return MapValuesAsync(new SyncMapBody<TSource, TResult>(fn), source, timeout, chunkSize, bufferSize, cancellationToken);
    }

    /// <summary>The async twin of <see cref="MapOutcomes{TSource, TResult}(Func{TSource, TResult}, IEnumerable{TSource}, TimeSpan?, int?, int?)"/>: every item's value or exception.</summary>
    public IAsyncEnumerable<Outcome<TSource, TResult>> MapOutcomesAsync<TSource, TResult>(Func<TSource, TResult> fn, IEnumerable<TSource> source, TimeSpan? timeout = null, int? chunkSize = null, int? bufferSize = null, CancellationToken cancellationToken = default)
    {
        ValidateMap(fn, source, timeout, chunkSize, bufferSize);
        return MapCoreAsync(new SyncMapBody<TSource, TResult>(fn), source, timeout, chunkSize, bufferSize, cancellationToken);
    }

    /// <summary>MapAsync with an async function: each item's task is awaited on the executor and its result yielded.</summary>
    public IAsyncEnumerable<TResult> MapAsync<TSource, TResult>(Func<TSource, Task<TResult>> fn, IEnumerable<TSource> source, TimeSpan? timeout = null, int? chunkSize = null, int? bufferSize = null, CancellationToken cancellationToken = default)
    {
        ValidateMap(fn, source, timeout, chunkSize, bufferSize);
        return MapValuesAsync(new AsyncMapBody<TSource, TResult>(fn), source, timeout, chunkSize, bufferSize, cancellationToken);
    }

    /// <summary>MapOutcomesAsync with an async function: every item's awaited value or exception.</summary>
    public IAsyncEnumerable<Outcome<TSource, TResult>> MapOutcomesAsync<TSource, TResult>(Func<TSource, Task<TResult>> fn, IEnumerable<TSource> source, TimeSpan? timeout = null, int? chunkSize = null, int? bufferSize = null, CancellationToken cancellationToken = default)
    {
        ValidateMap(fn, source, timeout, chunkSize, bufferSize);
        return MapCoreAsync(new AsyncMapBody<TSource, TResult>(fn), source, timeout, chunkSize, bufferSize, cancellationToken);
    }

    private async IAsyncEnumerable<TResult> MapValuesAsync<TSource, TResult>(MapBody<TSource, TResult> body, IEnumerable<TSource> source, TimeSpan? timeout, int? chunkSize, int? bufferSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var outcome in MapCoreAsync(body, source, timeout, chunkSize, bufferSize, cancellationToken).ConfigureAwait(false))
        {
            yield return outcome.Value;
        }
    }

    private async IAsyncEnumerable<Outcome<TSource, TResult>> MapCoreAsync<TSource, TResult>(MapBody<TSource, TResult> body, IEnumerable<TSource> source, TimeSpan? timeout, int? chunkSize, int? bufferSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var started = Time.GetTimestamp();
        using var run = new MapRun<TSource, TResult>(this, body, source, chunkSize, bufferSize);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var wait = Remaining(timeout, started) ?? Timeout.InfiniteTimeSpan;
            var next = run.NextHead(out var inputWait);
            if (next is null)
            {
                if (inputWait is null)
                {
                    run.ThrowIfInputFailed();
                    yield break;
                }

                try
                {
                    await Timeouts.WaitAsync(inputWait, wait, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException) when (!inputWait.IsCompleted)
                {
                    throw MapTimeout(timeout, run);
                }

                continue;
            }

            Outcome<TSource, TResult>[] outcomes;
            try
            {
                outcomes = await Timeouts.WaitAsync(next.AsTask(), wait, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException) when (!next.Done)
            {
                throw MapTimeout(timeout, run);
            }

            run.Advance(next);
            for (var i = 0; i < outcomes.Length; i++)
            {
                var outcome = outcomes[i];
                outcomes[i] = default;
                yield return outcome;
            }
        }
    }
}
