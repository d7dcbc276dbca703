using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Juggle.Internal;

namespace Juggle;

/// <summary>Functions over many futures: Python's <c>as_completed</c> and <c>wait</c>.</summary>
public static class Futures
{
    /// <summary>
    /// Yields each future as it completes (finished or cancelled), those already done first (Python's
    /// <c>as_completed</c>). Each future is yielded once even if passed twice.
    /// </summary>
    /// <param name="futures">The futures; read at once.</param>
    /// <param name="timeout">How long to wait overall, from the call; <see langword="null"/> waits for ever.</param>
    /// <exception cref="TimeoutException">After yielding those done in time, when some are unfinished at the deadline; the message says how many of how many.</exception>
    public static IEnumerable<TFuture> AsCompleted<TFuture>(IEnumerable<TFuture> futures, TimeSpan? timeout = null)
        where TFuture : Future
    {
        var set = ToSet(futures);
        ValidateTimeout(timeout);
        return AsCompletedIterator(set, timeout, Stopwatch.GetTimestamp());
    }

    /// <summary>The async twin of <see cref="AsCompleted{TFuture}"/>: <c>await foreach (var f in Futures.AsCompletedAsync(fs))</c>.</summary>
    public static IAsyncEnumerable<TFuture> AsCompletedAsync<TFuture>(IEnumerable<TFuture> futures, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        where TFuture : Future
    {
        var set = ToSet(futures);
        ValidateTimeout(timeout);
        return AsCompletedAsyncIterator(set, timeout, Stopwatch.GetTimestamp(), cancellationToken);
    }

    /// <summary>
    /// Waits until the futures meet <paramref name="returnWhen"/> or the timeout passes, and returns which are done
    /// (Python's <c>wait</c>): <c>var (done, notDone) = Futures.Wait(fs)</c>. Never throws the tasks' exceptions.
    /// </summary>
    public static DoneAndNotDone<TFuture> Wait<TFuture>(IEnumerable<TFuture> futures, TimeSpan? timeout = null, ReturnWhen returnWhen = ReturnWhen.AllCompleted)
        where TFuture : Future
    {
        var set = ToSet(futures);
        ValidateTimeout(timeout);
        ValidateReturnWhen(returnWhen);
        if (!IsSatisfied(set, returnWhen))
        {
            var waiter = Listen(set, returnWhen);

            try
            {
                if (timeout is null || timeout == Timeout.InfiniteTimeSpan)
                {
                    WaitTracked(set, returnWhen, waiter);
                }
                else
                {
                    Timeouts.Wait(waiter.Signal, timeout.Value);
                }
            }
            finally
            {
                StopListening(set, waiter);
            }
        }

        return Split(set);
    }

    /// <summary>The async twin of <see cref="Wait{TFuture}"/>.</summary>
    public static async Task<DoneAndNotDone<TFuture>> WaitAsync<TFuture>(IEnumerable<TFuture> futures, TimeSpan? timeout = null, ReturnWhen returnWhen = ReturnWhen.AllCompleted, CancellationToken cancellationToken = default)
        where TFuture : Future
    {
        var set = ToSet(futures);
        ValidateTimeout(timeout);
        ValidateReturnWhen(returnWhen);
        if (!IsSatisfied(set, returnWhen))
        {
            var waiter = Listen(set, returnWhen);

            try
            {
                await Timeouts.WaitAsync(waiter.Completion.Task, timeout ?? Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Python's wait returns what is done at the deadline instead of raising.
            }
            finally
            {
                StopListening(set, waiter);
            }
        }

        return Split(set);
    }

    /// <summary>A waiter for <paramref name="returnWhen"/>, listening to every future of <paramref name="set"/> until <see cref="StopListening"/>.</summary>
    private static ConditionWaiter Listen<TFuture>(HashSet<TFuture> set, ReturnWhen returnWhen)
        where TFuture : Future
    {
        var waiter = new ConditionWaiter(set.Count, returnWhen);
        foreach (var f in set)
        {
            f.AddListener(waiter);
        }

        return waiter;
    }

    private static void StopListening<TFuture>(HashSet<TFuture> set, ConditionWaiter waiter)
        where TFuture : Future
    {
        foreach (var f in set)
        {
            f.RemoveListener(waiter);
        }

        waiter.Dispose();
    }

    /// <summary>
    /// Waits without a timeout. On a worker of a <see cref="ThreadPoolExecutor"/> the wait is registered in its
    /// deadlock detection (throws <see cref="DeadlockException"/> if it can never end). A
    /// <see cref="ReturnWhen.FirstException"/> wait is registered again with the futures still unfinished after each
    /// completion, so it is caught when it becomes hopeless later (the futures that could have failed all succeeded);
    /// the other modes cannot become hopeless without another worker starting a wait, which checks them then.
    /// </summary>
    private static void WaitTracked<TFuture>(HashSet<TFuture> set, ReturnWhen returnWhen, ConditionWaiter waiter)
        where TFuture : Future
    {
        if (!ThreadPoolExecutor.OnAnyWorker)
        {
            waiter.Signal.Wait();
            return;
        }

        if (returnWhen != ReturnWhen.FirstException)
        {
            // AllCompleted: stuck if any future can't finish. FirstCompleted: stuck if none can.
            using (ThreadPoolExecutor.EnterBlockingWaitForMany(set, waitAll: returnWhen == ReturnWhen.AllCompleted))
            {
                waiter.Signal.Wait();
            }

            return;
        }

        while (!waiter.Signal.IsSet)
        {
            // Stuck if none of the unfinished futures can finish (then none can fail either).
            using (ThreadPoolExecutor.EnterBlockingWaitForMany(set.Where(f => !f.Done).ToArray(), waitAll: false))
            {
                if (!waiter.Signal.IsSet)
                {
                    waiter.Completed.Wait(Timeout.InfiniteTimeSpan);
                }
            }
        }
    }

    private static IEnumerable<TFuture> AsCompletedIterator<TFuture>(HashSet<TFuture> set, TimeSpan? timeout, long started)
        where TFuture : Future
    {
        var total = set.Count;
        var (alreadyDone, pending) = StartIteration(set);
        while (alreadyDone.TryDequeue(out var f))
        {
            yield return f;
        }

        if (pending.Count == 0)
        {
            yield break;
        }

        using var collector = new Collector();
        foreach (var f in pending)
        {
            f.AddListener(collector);
        }

        try
        {
            while (pending.Count > 0)
            {
                var wait = Remaining(timeout, started);
                if (wait == Timeout.InfiniteTimeSpan && collector.Queue.IsEmpty)
                {
                    // Waits for any of the pending futures: a deadlock if none of them can ever finish.
                    using (ThreadPoolExecutor.EnterBlockingWaitForMany(pending, waitAll: false))
                    {
                        collector.Ready.Wait(wait);
                    }
                }
                else if (!collector.Ready.Wait(wait))
                {
                    throw Unfinished(pending.Count, total);
                }

                while (collector.Queue.TryDequeue(out var done))
                {
                    if (done is TFuture typed && pending.Remove(typed))
                    {
                        yield return typed;
                    }
                }
            }
        }
        finally
        {
            foreach (var f in pending)
            {
                f.RemoveListener(collector);
            }
        }
    }

    private static async IAsyncEnumerable<TFuture> AsCompletedAsyncIterator<TFuture>(HashSet<TFuture> set, TimeSpan? timeout, long started, [EnumeratorCancellation] CancellationToken cancellationToken)
        where TFuture : Future
    {
        var total = set.Count;
        var (alreadyDone, pending) = StartIteration(set);
        while (alreadyDone.TryDequeue(out var f))
        {
            yield return f;
        }

        if (pending.Count == 0)
        {
            yield break;
        }

        var channel = new ChannelCollector();
        foreach (var f in pending)
        {
            f.AddListener(channel);
        }

        try
        {
            while (pending.Count > 0)
            {
                Future done;
                try
                {
                    done = await Timeouts.WaitAsync(channel.Channel.Reader.ReadAsync(cancellationToken).AsTask(), Remaining(timeout, started), cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    throw Unfinished(pending.Count, total);
                }

                if (done is TFuture typed && pending.Remove(typed))
                {
                    yield return typed;
                }
            }
        }
        finally
        {
            foreach (var f in pending)
            {
                f.RemoveListener(channel);
            }
        }
    }

    /// <summary>
    /// Splits the futures into those done now (yielded first) and the pending ones, and empties <paramref name="set"/>,
    /// so the iteration keeps no reference to a future it has yielded (like Python's as_completed): large results the
    /// caller has finished with can be collected while the loop goes on.
    /// </summary>
    private static (Queue<TFuture> Done, HashSet<TFuture> Pending) StartIteration<TFuture>(HashSet<TFuture> set)
        where TFuture : Future
    {
        var done = new Queue<TFuture>();
        var pending = new HashSet<TFuture>(ReferenceEqualityComparer.Instance);
        foreach (var f in set)
        {
            if (f.Done)
            {
                done.Enqueue(f);
            }
            else
            {
                pending.Add(f);
            }
        }

        set.Clear();
        return (done, pending);
    }

    private static TimeSpan Remaining(TimeSpan? timeout, long started)
    {
        if (timeout is null || timeout == Timeout.InfiniteTimeSpan)
        {
            return Timeout.InfiniteTimeSpan;
        }

        var left = timeout.Value - Stopwatch.GetElapsedTime(started);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    private static TimeoutException Unfinished(int unfinished, int total) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{unfinished} (of {total}) futures unfinished."));

    private static HashSet<TFuture> ToSet<TFuture>(IEnumerable<TFuture> futures)
        where TFuture : Future
    {
        ArgumentNullException.ThrowIfNull(futures);
        var set = new HashSet<TFuture>(ReferenceEqualityComparer.Instance);
        foreach (var f in futures)
        {
            if (f is null)
            {
                throw new ArgumentException("The futures collection contains a null entry.", nameof(futures));
            }

            set.Add(f);
        }

        return set;
    }

    private static void ValidateTimeout(TimeSpan? timeout)
    {
        if (timeout is { } t)
        {
            Future.ValidateTimeout(t, nameof(timeout));
        }
    }

    private static void ValidateReturnWhen(ReturnWhen returnWhen)
    {
        if (!Enum.IsDefined(returnWhen))
        {
            throw new ArgumentOutOfRangeException(nameof(returnWhen), returnWhen, "Use ReturnWhen.AllCompleted, FirstCompleted or FirstException.");
        }
    }

    private static bool IsSatisfied<TFuture>(HashSet<TFuture> set, ReturnWhen returnWhen)
        where TFuture : Future
    {
        var done = 0;
        foreach (var f in set)
        {
            if (f.Done)
            {
                done++;
                if (returnWhen == ReturnWhen.FirstCompleted || (returnWhen == ReturnWhen.FirstException && f.Failed))
                {
                    return true;
                }
            }
        }

        return done == set.Count;
    }

    private static DoneAndNotDone<TFuture> Split<TFuture>(HashSet<TFuture> set)
        where TFuture : Future
    {
        var done = new HashSet<TFuture>(ReferenceEqualityComparer.Instance);
        var notDone = new HashSet<TFuture>(ReferenceEqualityComparer.Instance);
        foreach (var f in set)
        {
            (f.Done ? done : notDone).Add(f);
        }

        return new DoneAndNotDone<TFuture>(done, notDone);
    }

    private sealed class Collector : IFutureListener, IDisposable
    {
        public System.Collections.Concurrent.ConcurrentQueue<Future> Queue { get; } = new();

        public ManualResetEventSlimAuto Ready { get; } = new();

        public void OnDone(Future future)
        {
            Queue.Enqueue(future);
            Ready.Set();
        }

        public void Dispose() => Ready.Dispose();
    }

    private sealed class ChannelCollector : IFutureListener
    {
        public Channel<Future> Channel { get; } = System.Threading.Channels.Channel.CreateUnbounded<Future>();

        public void OnDone(Future future) => Channel.Writer.TryWrite(future);
    }

    private sealed class ConditionWaiter(int total, ReturnWhen returnWhen) : IFutureListener, IDisposable
    {
        private int _done;

        public ManualResetEventSlim Signal { get; } = new();

        /// <summary>Set at every completion (auto-reset), for waits that re-check their deadlock state.</summary>
        public ManualResetEventSlimAuto Completed { get; } = new();

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnDone(Future future)
        {
            var done = Interlocked.Increment(ref _done);
            if (done >= total || returnWhen == ReturnWhen.FirstCompleted || (returnWhen == ReturnWhen.FirstException && future.Failed))
            {
                try
                {
                    Signal.Set();
                }
                catch (ObjectDisposedException)
                {
                    // The wait already returned.
                }

                Completion.TrySetResult();
            }

            // After Signal, so a waiter woken by this sees the condition met.
            Completed.Set();
        }

        public void Dispose()
        {
            Signal.Dispose();
            Completed.Dispose();
        }
    }
}
