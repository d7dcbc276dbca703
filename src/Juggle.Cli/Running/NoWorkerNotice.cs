using System.Diagnostics;
using System.Globalization;
using Juggle.RabbitMQ;

namespace Juggle.Cli.Running;

/// <summary>
/// `--mode cluster` with a broker but no worker node would wait in silence: once the run's first task has waited
/// <see cref="After"/> without a worker taking it, this says so on stderr, once, with how to start a worker — and the
/// run keeps waiting, since a worker may still come. Quiet whenever a worker takes the task in time.
/// </summary>
internal sealed class NoWorkerNotice : IDisposable
{
    /// <summary>How long the first task may wait for a worker before the notice.</summary>
    public static readonly TimeSpan After = TimeSpan.FromSeconds(5);

    private readonly RabbitMqExecutor _cluster;
    private readonly TextWriter _error;
    private readonly TimeSpan _after;
    private readonly Timer _timer;
    private Future? _first;
    private long _firstSubmitted;
    private int _finished;

    private NoWorkerNotice(RabbitMqExecutor cluster, TextWriter error, TimeSpan after)
    {
        _cluster = cluster;
        _error = error;
        _after = after;
        _timer = new Timer(static s => ((NoWorkerNotice)s!).Check(), this, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>Watches <paramref name="pool"/> when it is a cluster executor and there is somewhere to write; otherwise null.</summary>
    public static NoWorkerNotice? Start(Executor pool, TextWriter? error, TimeSpan? after = null) =>
        pool is RabbitMqExecutor cluster && error is not null ? new NoWorkerNotice(cluster, error, after ?? After) : null;

    /// <summary>A task was submitted; the first one is the one watched.</summary>
    public void Submitted(Future future)
    {
        if (Interlocked.CompareExchange(ref _first, future, null) is null)
        {
            Volatile.Write(ref _firstSubmitted, Stopwatch.GetTimestamp());
            _timer.Change(_after, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        Volatile.Write(ref _finished, 1);
        _timer.Dispose();
    }

    private void Check()
    {
        if (Volatile.Read(ref _finished) != 0 || Volatile.Read(ref _first) is not { } first || first.State != FutureState.Pending)
        {
            return;
        }

        var waited = Stopwatch.GetElapsedTime(Volatile.Read(ref _firstSubmitted));
        var queue = _cluster.QueueName == RabbitMqExecutorOptions.DefaultQueueName ? string.Empty : $" --queue {_cluster.QueueName}";
        var seconds = ((int)Math.Round(waited.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var line =
            $"juggle: no worker has taken a task from queue '{_cluster.QueueName}' on broker {_cluster.Broker} in {seconds} s; still waiting. " +
            $"Start a worker node: juggle worker --broker URI{queue} (or just `juggle worker{queue}` where JUGGLE_BROKER is set), on a machine that reaches the broker and has the files; " +
            "`juggle cluster up` starts a local broker with workers.";
        try
        {
            lock (_error)
            {
                _error.WriteLine(line);
                _error.Flush();
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // stderr closed: nothing to tell anyone.
        }
    }
}
