using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;
using System.Threading.RateLimiting;
using Juggle.Cli.Workloads;
using Juggle.RabbitMQ;

namespace Juggle.Cli.Running;

/// <summary>
/// Runs a work function over a lazy stream of items in the chosen <see cref="RunMode"/>, yielding results in
/// input order (the executor's bounded <c>MapOutcomes</c>) or in completion order. Never reads more than a
/// bounded window of input ahead, so 100,000-line inputs stream in flat memory. The work function should turn item
/// failures into results; any exception it throws anyway (a worker process that died, a bug) becomes that item's
/// result through <c>onError</c>. Only the run's own cancellation ends the run.
/// </summary>
internal sealed class ModeRunner(RunMode mode, int workers, double? rate, Uri? broker = null)
{
    public RunMode Mode => mode;

    public int Workers => mode == RunMode.Sequential ? 1 : workers;

    /// <summary>Where `--mode cluster` says, once, that no worker has taken a task (stderr); null says nothing.</summary>
    internal TextWriter? Notices { get; init; }

    /// <summary>How long the first cluster task may wait for a worker before that notice.</summary>
    internal TimeSpan NoWorkerNoticeAfter { get; init; } = NoWorkerNotice.After;

    /// <summary>Makes the limiter that gates task starts in place of the one built from the rate (tests drive their own).</summary>
    internal Func<RateLimiter>? RateLimiterFactory { get; init; }

    public IEnumerable<TaskRecord<TResult>> Run<TItem, TResult>(
        IEnumerable<TItem> items,
        Func<TItem, CancellationToken, TResult> work,
        Func<TItem, CancellationToken, Task<TResult>> workAsync,
        bool asCompleted,
        CancellationToken cancellationToken,
        Func<TItem, TResult>? staticWork = null,
        Func<TItem, Exception, TResult>? onError = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(workAsync);
        if (onError is not null)
        {
            work = Guard(work, onError);
            workAsync = GuardAsync(workAsync, onError);
        }

        if (mode is RunMode.Processes or RunMode.Cluster && staticWork is not null)
        {
            return RunOnPool(items, staticWork, asCompleted, onError, cancellationToken);
        }

        return mode switch
        {
            RunMode.Sequential => RunSequential(items, work, cancellationToken),
            RunMode.Threads => asCompleted
                ? RunThreadsAsCompleted(items, work, cancellationToken)
                : RunThreadsInOrder(items, work, cancellationToken),
            RunMode.Async => RunAsync(items, workAsync, asCompleted, cancellationToken),
            _ => throw new UsageException(
                $"--mode {mode.ToString().ToLowerInvariant()} is for CPU-bound work (bench cpu, words); this command waits on the network, so use --mode threads or --mode async."),
        };
    }

    private static Func<TItem, CancellationToken, TResult> Guard<TItem, TResult>(Func<TItem, CancellationToken, TResult> work, Func<TItem, Exception, TResult> onError) =>
        (item, token) =>
        {
            try
            {
                return work(item, token);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
            {
                return onError(item, ex);
            }
        };

    private static Func<TItem, CancellationToken, Task<TResult>> GuardAsync<TItem, TResult>(Func<TItem, CancellationToken, Task<TResult>> work, Func<TItem, Exception, TResult> onError) =>
        async (item, token) =>
        {
            try
            {
                return await work(item, token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
            {
                return onError(item, ex);
            }
        };

    private IEnumerable<TaskRecord<TResult>> RunSequential<TItem, TResult>(IEnumerable<TItem> items, Func<TItem, CancellationToken, TResult> work, CancellationToken token)
    {
        using var limiter = CreateLimiter();
        long index = 0;
        foreach (var item in items)
        {
            token.ThrowIfCancellationRequested();
            using var lease = limiter?.AcquireAsync(1, token).AsTask().GetAwaiter().GetResult();
            var start = Stopwatch.GetTimestamp();
            var result = work(item, token);
            yield return new TaskRecord<TResult>(index++, result, "main", start, Stopwatch.GetTimestamp());
        }
    }

    private ThreadPoolExecutor CreatePool()
    {
        // Each worker blocks on an async HTTP call whose continuations (and DNS lookups) need .NET pool threads;
        // with the default minimum (one per core) the pool grows slowly and requests stall behind it.
        ThreadPool.GetMinThreads(out var minWorkers, out var minIo);
        if (minWorkers < workers + 4)
        {
            ThreadPool.SetMinThreads(Math.Min(workers + 4, 512), minIo);
        }

        return new(new ThreadPoolExecutorOptions
        {
            MaxWorkers = workers,
            TasksPerSecond = RateLimiterFactory is null ? rate : null,
            RateLimiter = RateLimiterFactory?.Invoke(),
            ThreadNamePrefix = "worker",
            Name = "juggle-cli",
        });
    }

    private static TaskRecord<TResult> Timed<TItem, TResult>(Numbered<TItem> pair, Func<TItem, CancellationToken, TResult> work, CancellationToken token)
    {
        token.ThrowIfCancellationRequested();
        var start = Stopwatch.GetTimestamp();
        var result = work(pair.Item, token);
        return new TaskRecord<TResult>(pair.Index, result, Thread.CurrentThread.Name ?? "worker", start, Stopwatch.GetTimestamp());
    }

    private IEnumerable<TaskRecord<TResult>> RunThreadsInOrder<TItem, TResult>(IEnumerable<TItem> items, Func<TItem, CancellationToken, TResult> work, CancellationToken token)
    {
        var pool = CreatePool();
        try
        {
            foreach (var outcome in pool.MapOutcomes(pair => Timed(pair, work, token), Indexed(items), bufferSize: workers * 2))
            {
                if (outcome.Exception is { } ex)
                {
                    ExceptionDispatchInfo.Throw(ex);
                }

                yield return outcome.Value;
            }
        }
        finally
        {
            pool.Shutdown(wait: true, cancelFutures: true);
            pool.Dispose();
        }
    }

    private IEnumerable<TaskRecord<TResult>> RunThreadsAsCompleted<TItem, TResult>(IEnumerable<TItem> items, Func<TItem, CancellationToken, TResult> work, CancellationToken token)
    {
        var pool = CreatePool();
        using var completed = new BlockingCollection<Future<TaskRecord<TResult>>>();
        var window = workers * 2;
        var inFlight = 0;
        try
        {
            using var source = Indexed(items).GetEnumerator();
            var more = true;
            while (true)
            {
                while (more && inFlight < window)
                {
                    more = source.MoveNext();
                    if (more)
                    {
                        var pair = source.Current;
                        var future = pool.Submit(() => Timed(pair, work, token));
                        inFlight++;
                        future.AddDoneCallback(f => completed.Add(f));
                    }
                }

                if (inFlight == 0)
                {
                    yield break;
                }

                var done = completed.Take(token);
                inFlight--;
                yield return done.Result();
            }
        }
        finally
        {
            pool.Shutdown(wait: true, cancelFutures: true);
            pool.Dispose();
        }
    }

    private IEnumerable<TaskRecord<TResult>> RunAsync<TItem, TResult>(IEnumerable<TItem> items, Func<TItem, CancellationToken, Task<TResult>> work, bool asCompleted, CancellationToken token)
    {
        using var limiter = CreateLimiter();
        var slots = new ConcurrentStack<int>(Enumerable.Range(1, workers).Reverse());
        var inOrder = new Queue<Task<TaskRecord<TResult>>>();
        var pending = new List<Task<TaskRecord<TResult>>>();
        using var source = Indexed(items).GetEnumerator();
        var more = true;

        async Task<TaskRecord<TResult>> Start(Numbered<TItem> pair)
        {
            if (limiter is not null)
            {
                using var lease = await limiter.AcquireAsync(1, token).ConfigureAwait(false);
            }

            slots.TryPop(out var slot);
            var start = Stopwatch.GetTimestamp();
            try
            {
                var result = await work(pair.Item, token).ConfigureAwait(false);
                return new TaskRecord<TResult>(pair.Index, result, $"async-{slot:00}", start, Stopwatch.GetTimestamp());
            }
            finally
            {
                slots.Push(slot);
            }
        }

        while (true)
        {
            while (more && inOrder.Count + pending.Count < workers)
            {
                more = source.MoveNext();
                if (more)
                {
                    var task = Start(source.Current);
                    if (asCompleted)
                    {
                        pending.Add(task);
                    }
                    else
                    {
                        inOrder.Enqueue(task);
                    }
                }
            }

            Task<TaskRecord<TResult>> next;
            if (asCompleted)
            {
                if (pending.Count == 0)
                {
                    yield break;
                }

                next = Task.WhenAny(pending).GetAwaiter().GetResult();
                pending.Remove(next);
            }
            else
            {
                if (inOrder.Count == 0)
                {
                    yield break;
                }

                next = inOrder.Dequeue();
            }

            yield return next.GetAwaiter().GetResult();
        }
    }

    /// <summary>
    /// A <see cref="ProcessPoolExecutor"/> or, for <see cref="RunMode.Cluster"/>, a <see cref="RabbitMqExecutor"/>:
    /// <paramref name="work"/> must be a static method (it runs in worker processes, on worker nodes a public static
    /// <c>[JuggleFunction]</c> one; items and results travel as JSON). Lanes and times come from the futures.
    /// </summary>
    [DynamicDependency(nameof(FileCount.Of), typeof(FileCount))]
    [DynamicDependency(nameof(CpuWork.BenchMath), typeof(CpuWork))]
    [DynamicDependency(nameof(CpuWork.BenchHash), typeof(CpuWork))]
    [DynamicDependency(nameof(CpuWork.IsPrime), typeof(CpuWork))]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = Native.NativeBuild.ProcessPoolJustification)]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = Native.NativeBuild.ProcessPoolJustification)]
    private IEnumerable<TaskRecord<TResult>> RunOnPool<TItem, TResult>(IEnumerable<TItem> items, Func<TItem, TResult> work, bool asCompleted, Func<TItem, Exception, TResult>? onError, CancellationToken token)
    {
        Executor pool = mode == RunMode.Cluster
            ? new RabbitMqExecutor(new RabbitMqExecutorOptions { Broker = broker, MaxWorkers = workers, TasksPerSecond = rate, Name = "juggle-cli-cluster" })
            : new ProcessPoolExecutor(new ProcessPoolExecutorOptions { MaxWorkers = workers, TasksPerSecond = rate, Name = "juggle-cli-processes" });
        var window = new List<(long Index, TItem Item, Future<TResult> Future)>();
        var noWorker = NoWorkerNotice.Start(pool, Notices, NoWorkerNoticeAfter);
        try
        {
            using var source = Indexed(items).GetEnumerator();
            var more = true;
            while (true)
            {
                while (more && window.Count < workers * 2)
                {
                    more = source.MoveNext();
                    if (more)
                    {
                        window.Add((source.Current.Index, source.Current.Item, pool.Submit(work, source.Current.Item)));
                        noWorker?.Submitted(window[^1].Future);
                    }
                }

                if (window.Count == 0)
                {
                    yield break;
                }

                int next;
                if (asCompleted)
                {
                    var done = Futures.WaitAsync(window.Select(w => w.Future), returnWhen: ReturnWhen.FirstCompleted, cancellationToken: token).GetAwaiter().GetResult();
                    var first = done.Done.First();
                    next = window.FindIndex(w => ReferenceEquals(w.Future, first));
                }
                else
                {
                    next = 0;
                    try
                    {
                        window[0].Future.AsTask().Wait(token);
                    }
                    catch (AggregateException)
                    {
                        // The item's own exception is rethrown by Result() below.
                    }
                }

                var (index, item, future) = window[next];
                window.RemoveAt(next);
                TResult result;
                try
                {
                    result = future.Result();
                }
                catch (Exception ex) when (onError is not null && (ex is not OperationCanceledException || !token.IsCancellationRequested))
                {
                    // The worker process failed on this item (an exception there, or the process died): its error.
                    result = onError(item, ex);
                }

                yield return new TaskRecord<TResult>(index, result, future.WorkerName ?? (mode == RunMode.Cluster ? "node" : "process"), future.StartTimestamp, future.EndTimestamp);
            }
        }
        finally
        {
            noWorker?.Dispose();
            if (mode == RunMode.Cluster && token.IsCancellationRequested)
            {
                // Stopped (Ctrl+C, SIGTERM): a task a worker node has claimed cannot be called back, and one whose node
                // died goes back to the queue to wait for a node that may never come, so waiting for the running ones
                // could last for ever. The unstarted ones are cancelled; the nodes drop the answers nobody reads.
                // Program ends the process without the exit-time wait for this executor's work.
                pool.Shutdown(wait: false, cancelFutures: true);
            }
            else
            {
                pool.Shutdown(wait: true, cancelFutures: true);
                pool.Dispose();
            }
        }
    }

    private RateLimiter? CreateLimiter() => RateLimiterFactory?.Invoke() ?? (rate is not { } perSecond ? null : new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
    {
        TokenLimit = 1,
        TokensPerPeriod = 1,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1 / perSecond),
        QueueLimit = int.MaxValue,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        AutoReplenishment = true,
    }));

    private static IEnumerable<Numbered<TItem>> Indexed<TItem>(IEnumerable<TItem> items)
    {
        long index = 0;
        foreach (var item in items)
        {
            yield return new Numbered<TItem>(index++, item);
        }
    }

    /// <summary>An item and its input position. A class, not a tuple: the executors' generic code over reference types is precompiled (ReadyToRun).</summary>
    private sealed record Numbered<TItem>(long Index, TItem Item);
}
