using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Juggle.Internal;

namespace Juggle.Dashboard;

/// <summary>
/// Collects what the executors report (every task's submit, start and end) and turns it, every
/// <see cref="Interval"/>, into one JSON snapshot for every connected page. The hooks only bump counters and queue a
/// small record; the work of aggregating happens on the timer, and a snapshot carries at most
/// <see cref="MaxBarsPerSnapshot"/> task bars however many tasks ended (counts stay exact), so 10,000 tasks a
/// second cost the page the same as 1,000.
/// </summary>
internal sealed class DashboardFeed : ITaskObserver, IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    public const int MaxBarsPerSnapshot = 1500;

    private const int MaxRunningBars = 500;
    private const int KeptFailures = 20;
    private const int KeptBars = 4000;
    private static readonly TimeSpan ProcessStatsEvery = TimeSpan.FromSeconds(1);

    private readonly HashSet<Executor>? _only;
    private readonly ConcurrentDictionary<Executor, byte> _executors = new();
    private readonly ConcurrentDictionary<(Executor, string), FunctionStats> _functions = new();
    private readonly ConcurrentDictionary<TaskTrace, byte> _running = new();
    private readonly ConcurrentQueue<TaskTrace> _ended = new();
    private readonly ConcurrentDictionary<string, WorkerStats> _workerStats = new();
    private readonly List<Subscriber> _subscribers = [];
    private readonly Lock _lock = new();
    private readonly Queue<Bar> _recentBars = new();
    private readonly LinkedList<Failure> _failures = new();
    private readonly Dictionary<string, int> _laneIndex = [];
    private readonly List<string> _lanes = [];
    private readonly Dictionary<string, int> _functionIndex = [];
    private readonly List<string> _functionNames = [];
    private readonly Dictionary<int, ProcessSample> _processSamples = [];
    private readonly long _epoch = Stopwatch.GetTimestamp();
    private readonly IDisposable _registration;
    private readonly Timer _timer;
    private long _dropped;
    private long _failureSequence;
    private long _lastProcessStats;
    private int _disposed;

    public DashboardFeed(IEnumerable<Executor> executors)
    {
        foreach (var executor in executors)
        {
            ArgumentNullException.ThrowIfNull(executor, nameof(executors));
            (_only ??= []).Add(executor);
            _executors[executor] = 0;
        }

        _registration = TaskTelemetry.AddObserver(this);
        _timer = new Timer(static state => ((DashboardFeed)state!).Tick(), this, Interval, Interval);
    }

    /// <summary>Snapshots published so far (for tests).</summary>
    public long Published { get; private set; }

    /// <summary>A new page: gets the full state first, then every snapshot. Ends when the feed is disposed.</summary>
    public ChannelReader<string> Subscribe()
    {
        var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(8) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_lock)
        {
            if (_disposed != 0)
            {
                channel.Writer.TryComplete();
                return channel.Reader;
            }

            channel.Writer.TryWrite(BuildSnapshotLocked([], [], full: true));
            _subscribers.Add(new Subscriber(channel));
        }

        return channel.Reader;
    }

    public void Unsubscribe(ChannelReader<string> reader)
    {
        lock (_lock)
        {
            _subscribers.RemoveAll(s => s.Channel.Reader == reader);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _registration.Dispose();
        _timer.Dispose();
        lock (_lock)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Channel.Writer.TryComplete();
            }

            _subscribers.Clear();
        }
    }

    void ITaskObserver.OnSubmitted(TaskTrace task)
    {
        if (Watches(task.Executor))
        {
            Stats(task).Submitted();
        }
    }

    void ITaskObserver.OnStarted(TaskTrace task)
    {
        if (Watches(task.Executor))
        {
            Stats(task).Started();
            _running[task] = 0;
        }
    }

    void ITaskObserver.OnFinished(TaskTrace task)
    {
        if (!Watches(task.Executor))
        {
            return;
        }

        var started = _running.TryRemove(task, out _);
        Stats(task).Finished(task.Outcome, started);
        if (task.WorkerName is { } worker && started)
        {
            _workerStats.GetOrAdd(worker, static _ => new WorkerStats()).Finished(task.Outcome);
        }

        if (started || task.Outcome == TaskOutcome.Failed)
        {
            _ended.Enqueue(task);
        }
    }

    private bool Watches(Executor executor)
    {
        if (_only is not null)
        {
            return _only.Contains(executor);
        }

        _executors.TryAdd(executor, 0);
        return true;
    }

    private FunctionStats Stats(TaskTrace task) => _functions.GetOrAdd((task.Executor, task.Function), static _ => new FunctionStats());

    private double Ms(long timestamp) => Math.Round((timestamp - _epoch) * 1000.0 / Stopwatch.Frequency, 1);

    private void Tick()
    {
        try
        {
            // Drain what ended since the last tick: every failure is kept, bars up to the cap.
            var bars = new List<Bar>(Math.Min(_ended.Count, MaxBarsPerSnapshot));
            var failures = new List<Failure>();
            while (_ended.TryDequeue(out var task))
            {
                if (task.Outcome == TaskOutcome.Failed && task.Exception is { } error)
                {
                    failures.Add(new Failure(Interlocked.Increment(ref _failureSequence), task, error));
                }

                if (task.StartTimestamp == 0)
                {
                    continue;
                }

                if (bars.Count < MaxBarsPerSnapshot || task.Outcome == TaskOutcome.Failed)
                {
                    bars.Add(new Bar(task.WorkerName ?? "?", task.Function, task.StartTimestamp, task.EndTimestamp, task.Outcome == TaskOutcome.Failed));
                }
                else
                {
                    _dropped++;
                }
            }

            string json;
            Subscriber[] subscribers;
            lock (_lock)
            {
                if (_disposed != 0)
                {
                    return;
                }

                foreach (var bar in bars)
                {
                    _recentBars.Enqueue(bar);
                }

                while (_recentBars.Count > KeptBars)
                {
                    _recentBars.Dequeue();
                }

                foreach (var failure in failures)
                {
                    _failures.AddFirst(failure);
                    if (_failures.Count > KeptFailures)
                    {
                        _failures.RemoveLast();
                    }
                }

                if (_subscribers.Count == 0)
                {
                    return;
                }

                json = BuildSnapshotLocked(bars, failures, full: false);
                subscribers = [.. _subscribers];
            }

            foreach (var subscriber in subscribers)
            {
                subscriber.Channel.Writer.TryWrite(json);
            }

            Published++;
        }
#pragma warning disable CA1031 // A snapshot that fails must not stop the timer or reach the app.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Trace.TraceError($"Juggle dashboard: snapshot failed: {ex}");
        }
    }

    private string BuildSnapshotLocked(List<Bar> bars, List<Failure> failures, bool full)
    {
        var now = Stopwatch.GetTimestamp();
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteBoolean("full", full);
            json.WriteNumber("now", Ms(now));
            json.WriteNumber("dropped", _dropped);

            json.WriteStartArray("executors");
            foreach (var executor in _executors.Keys.OrderBy(e => e.Name, StringComparer.Ordinal))
            {
                var progress = executor.Progress;
                json.WriteStartObject();
                json.WriteString("name", executor.Name);
                json.WriteString("kind", executor.DashboardKind);
                json.WriteNumber("maxWorkers", executor.MaxWorkers);
                json.WriteNumber("restarts", executor.WorkerRestarts);
                json.WriteBoolean("shutdown", executor.IsShutdown);
                json.WriteNumber("submitted", progress.Submitted);
                json.WriteNumber("running", progress.Running);
                json.WriteNumber("succeeded", progress.Succeeded);
                json.WriteNumber("failed", progress.Failed);
                json.WriteNumber("cancelled", progress.Cancelled);
                json.WriteEndObject();
            }

            json.WriteEndArray();

            json.WriteStartArray("functions");
            foreach (var ((executor, function), stats) in _functions.OrderBy(f => f.Key.Item1.Name, StringComparer.Ordinal).ThenBy(f => f.Key.Item2, StringComparer.Ordinal))
            {
                json.WriteStartObject();
                json.WriteString("executor", executor.Name);
                json.WriteString("name", function);
                stats.Write(json);
                json.WriteEndObject();
            }

            json.WriteEndArray();

            WriteWorkers(json, now);

            json.WriteStartArray("lanes");
            foreach (var lane in _lanes)
            {
                json.WriteStringValue(lane);
            }

            // Lanes and functions are numbered once; bars refer to them by index (the lists only grow).
            var writtenLanes = _lanes.Count;
            var barRows = new List<(int Lane, int Function, double Start, double End, bool Failed)>();
            foreach (var bar in full ? [.. _recentBars] : bars)
            {
                barRows.Add((Lane(bar.Worker), FunctionIndex(bar.Function), Ms(bar.Start), Ms(bar.End), bar.Failed));
            }

            var runningRows = new List<(int Lane, int Function, double Start)>();
            foreach (var task in _running.Keys.Take(MaxRunningBars))
            {
                if (task.StartTimestamp != 0 && task.WorkerName is { } worker)
                {
                    runningRows.Add((Lane(worker), FunctionIndex(task.Function), Ms(task.StartTimestamp)));
                }
            }

            for (var i = writtenLanes; i < _lanes.Count; i++)
            {
                json.WriteStringValue(_lanes[i]);
            }

            json.WriteEndArray();

            json.WriteStartArray("functionNames");
            foreach (var name in _functionNames)
            {
                json.WriteStringValue(name);
            }

            json.WriteEndArray();

            json.WriteStartArray("bars");
            foreach (var (lane, function, start, end, failed) in barRows)
            {
                json.WriteStartArray();
                json.WriteNumberValue(lane);
                json.WriteNumberValue(function);
                json.WriteNumberValue(start);
                json.WriteNumberValue(end);
                json.WriteNumberValue(failed ? 1 : 0);
                json.WriteEndArray();
            }

            json.WriteEndArray();

            json.WriteStartArray("running");
            foreach (var (lane, function, start) in runningRows)
            {
                json.WriteStartArray();
                json.WriteNumberValue(lane);
                json.WriteNumberValue(function);
                json.WriteNumberValue(start);
                json.WriteEndArray();
            }

            json.WriteEndArray();

            json.WriteStartArray("failures");
            foreach (var failure in full ? [.. _failures] : failures)
            {
                json.WriteStartObject();
                json.WriteNumber("seq", failure.Sequence);
                json.WriteString("executor", failure.Task.Executor.Name);
                json.WriteNumber("task", failure.Task.Future.Id);
                json.WriteString("function", failure.Task.Function);
                json.WriteString("worker", failure.Task.WorkerName ?? "-");
                json.WriteNumber("at", Ms(failure.Task.EndTimestamp));
                json.WriteString("type", failure.Error.GetType().FullName);
                json.WriteString("message", failure.Error.Message);
                json.WriteString("stack", Truncate(failure.Error.ToString(), 8000));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private void WriteWorkers(Utf8JsonWriter json, long now)
    {
        var refresh = now - _lastProcessStats >= ProcessStatsEvery.TotalSeconds * Stopwatch.Frequency;
        if (refresh)
        {
            _lastProcessStats = now;
        }

        json.WriteStartArray("workers");
        var seenPids = new HashSet<int>();
        foreach (var executor in _executors.Keys.OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            var isProcess = executor is ProcessPoolExecutor;
            foreach (var worker in executor.DescribeWorkers())
            {
                json.WriteStartObject();
                json.WriteString("executor", executor.Name);
                json.WriteString("name", worker.Name);
                if (worker.Node is { } node)
                {
                    WriteNode(json, worker, node);
                    continue;
                }

                json.WriteString("kind", isProcess ? "process" : "thread");
                json.WriteBoolean("busy", worker.Busy);
                var stats = _workerStats.TryGetValue(worker.Name, out var s) ? s : null;
                json.WriteNumber("done", stats?.Done ?? 0);
                json.WriteNumber("failed", stats?.Failed ?? 0);
                if (isProcess)
                {
                    json.WriteNumber("pid", worker.ProcessId);
                    seenPids.Add(worker.ProcessId);
                    var sample = SampleProcess(worker.ProcessId, now, refresh);
                    if (sample is not null)
                    {
                        json.WriteNumber("memoryMb", Math.Round(sample.WorkingSet / 1048576.0, 1));
                        json.WriteNumber("cpu", Math.Round(sample.CpuPercent, 0));
                    }
                }
                else
                {
                    json.WriteNumber("thread", worker.ThreadId);
                }

                json.WriteEndObject();
            }
        }

        json.WriteEndArray();
        foreach (var gone in _processSamples.Keys.Where(pid => !seenPids.Contains(pid)).ToList())
        {
            _processSamples.Remove(gone);
        }
    }

    /// <summary>A cluster node's row: its own report (memory and CPU are measured on its machine), this app's task counts.</summary>
    private void WriteNode(Utf8JsonWriter json, WorkerInfo worker, NodeReport node)
    {
        json.WriteString("kind", "node");
        json.WriteBoolean("busy", worker.Busy);
        var stats = _workerStats.TryGetValue(worker.Name, out var s) ? s : null;
        json.WriteNumber("done", stats?.Done ?? 0);
        json.WriteNumber("failed", stats?.Failed ?? 0);
        json.WriteNumber("pid", worker.ProcessId);
        json.WriteString("host", node.Host);
        json.WriteNumber("running", node.Running);
        json.WriteNumber("slots", node.Slots);
        json.WriteNumber("processes", node.Processes);
        json.WriteNumber("nodeDone", node.Done);
        json.WriteNumber("nodeFailed", node.Failed);
        json.WriteNumber("redelivered", node.Redelivered);
        json.WriteNumber("restarts", node.Restarts);
        json.WriteNumber("memoryMb", Math.Round(node.MemoryBytes / 1048576.0, 1));
        json.WriteNumber("cpu", Math.Round(node.CpuPercent, 0));
        json.WriteEndObject();
    }

    private ProcessSample? SampleProcess(int pid, long now, bool refresh)
    {
        _processSamples.TryGetValue(pid, out var previous);
        if (!refresh && previous is not null)
        {
            return previous;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            var cpu = process.TotalProcessorTime;
            var percent = previous is null ? 0
                : (cpu - previous.Cpu).TotalSeconds / Math.Max(1e-6, (now - previous.At) / (double)Stopwatch.Frequency) * 100;
            var sample = new ProcessSample(now, cpu, process.WorkingSet64, Math.Max(0, percent));
            _processSamples[pid] = sample;
            return sample;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Exited between the listing and the look-up.
            return previous;
        }
    }

    private int Lane(string worker)
    {
        if (!_laneIndex.TryGetValue(worker, out var index))
        {
            index = _lanes.Count;
            _lanes.Add(worker);
            _laneIndex[worker] = index;
        }

        return index;
    }

    private int FunctionIndex(string function)
    {
        if (!_functionIndex.TryGetValue(function, out var index))
        {
            index = _functionNames.Count;
            _functionNames.Add(function);
            _functionIndex[function] = index;
        }

        return index;
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max] + "…";

    private sealed record Subscriber(Channel<string> Channel);

    private sealed record Bar(string Worker, string Function, long Start, long End, bool Failed);

    private sealed record Failure(long Sequence, TaskTrace Task, Exception Error);

    private sealed record ProcessSample(long At, TimeSpan Cpu, long WorkingSet, double CpuPercent);

    private sealed class WorkerStats
    {
        private long _done;
        private long _failed;

        public long Done => Volatile.Read(ref _done);

        public long Failed => Volatile.Read(ref _failed);

        public void Finished(TaskOutcome outcome)
        {
            Interlocked.Increment(ref _done);
            if (outcome == TaskOutcome.Failed)
            {
                Interlocked.Increment(ref _failed);
            }
        }
    }

    private sealed class FunctionStats
    {
        private long _submitted;
        private long _running;
        private long _succeeded;
        private long _failed;
        private long _cancelled;

        public void Submitted() => Interlocked.Increment(ref _submitted);

        public void Started() => Interlocked.Increment(ref _running);

        public void Finished(TaskOutcome outcome, bool wasRunning)
        {
            if (wasRunning)
            {
                Interlocked.Decrement(ref _running);
            }

            switch (outcome)
            {
                case TaskOutcome.Succeeded:
                    Interlocked.Increment(ref _succeeded);
                    break;
                case TaskOutcome.Failed:
                    Interlocked.Increment(ref _failed);
                    break;
                default:
                    Interlocked.Increment(ref _cancelled);
                    break;
            }
        }

        public void Write(Utf8JsonWriter json)
        {
            var submitted = Volatile.Read(ref _submitted);
            var running = Math.Max(0, Volatile.Read(ref _running));
            var succeeded = Volatile.Read(ref _succeeded);
            var failed = Volatile.Read(ref _failed);
            var cancelled = Volatile.Read(ref _cancelled);
            json.WriteNumber("submitted", submitted);
            json.WriteNumber("running", running);
            json.WriteNumber("done", succeeded);
            json.WriteNumber("failed", failed);
            json.WriteNumber("cancelled", cancelled);
            json.WriteNumber("pending", Math.Max(0, submitted - running - succeeded - failed - cancelled));
        }
    }
}
