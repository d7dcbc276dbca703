namespace Juggle.Tests;

/// <summary>An <see cref="IProgress{T}"/> that records every snapshot synchronously and lets a test wait for one.</summary>
public sealed class ProgressRecorder : IProgress<ExecutorProgress>
{
    private readonly object _lock = new();
    private readonly List<ExecutorProgress> _reports = [];

    public IReadOnlyList<ExecutorProgress> Reports
    {
        get
        {
            lock (_lock)
            {
                return [.. _reports];
            }
        }
    }

    public long MaxRunning
    {
        get
        {
            lock (_lock)
            {
                return _reports.Count == 0 ? 0 : _reports.Max(p => p.Running);
            }
        }
    }

    public void Report(ExecutorProgress value)
    {
        lock (_lock)
        {
            _reports.Add(value);
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>Waits until some snapshot reported so far matches; <see langword="false"/> on timeout.</summary>
    public bool WaitFor(Func<ExecutorProgress, bool> predicate, TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        lock (_lock)
        {
            var seen = 0;
            while (true)
            {
                for (; seen < _reports.Count; seen++)
                {
                    if (predicate(_reports[seen]))
                    {
                        return true;
                    }
                }

                var left = deadline - Environment.TickCount64;
                if (left <= 0 || !Monitor.Wait(_lock, (int)left))
                {
                    return _reports.Skip(seen).Any(predicate);
                }
            }
        }
    }
}
