using System.Threading.RateLimiting;

namespace Juggle.Tests;

/// <summary>A <see cref="RateLimiter"/> the test drives: permits exist only when <see cref="Grant"/> hands them out.</summary>
public sealed class ManualRateLimiter : RateLimiter
{
    private readonly object _lock = new();
    private readonly Queue<TaskCompletionSource<RateLimitLease>> _waiters = new();
    private int _available;
    private long _requests;

    public bool IsDisposed { get; private set; }

    /// <summary>How many acquisitions have been asked for (granted or queued).</summary>
    public long Requests
    {
        get
        {
            lock (_lock)
            {
                return _requests;
            }
        }
    }

    public override TimeSpan? IdleDuration => null;

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_lock)
        {
            return new RateLimiterStatistics { CurrentAvailablePermits = _available, CurrentQueuedCount = _waiters.Count };
        }
    }

    /// <summary>Hands out <paramref name="permits"/> permits: to queued requests first, the rest kept for later ones.</summary>
    public void Grant(int permits)
    {
        var granted = new List<TaskCompletionSource<RateLimitLease>>();
        lock (_lock)
        {
            for (var i = 0; i < permits; i++)
            {
                if (_waiters.TryDequeue(out var waiter))
                {
                    granted.Add(waiter);
                }
                else
                {
                    _available++;
                }
            }
        }

        foreach (var waiter in granted)
        {
            waiter.TrySetResult(Lease.Granted);
        }
    }

    /// <summary>Waits until <paramref name="count"/> requests are queued for a permit.</summary>
    public bool WaitForQueued(int count, TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        lock (_lock)
        {
            while (_waiters.Count < count)
            {
                var left = deadline - Environment.TickCount64;
                if (left <= 0 || !Monitor.Wait(_lock, (int)left))
                {
                    return _waiters.Count >= count;
                }
            }

            return true;
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        lock (_lock)
        {
            _requests++;
            if (_available >= permitCount)
            {
                _available -= permitCount;
                return Lease.Granted;
            }

            return Lease.Refused;
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _requests++;
            if (_available >= permitCount)
            {
                _available -= permitCount;
                return ValueTask.FromResult<RateLimitLease>(Lease.Granted);
            }

            cancellationToken.ThrowIfCancellationRequested();
            var waiter = new TaskCompletionSource<RateLimitLease>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue(waiter);
            Monitor.PulseAll(_lock);
            if (cancellationToken.CanBeCanceled)
            {
                // Like the built-in limiters: a cancelled request leaves the queue and its task is cancelled.
                cancellationToken.Register(() =>
                {
                    lock (_lock)
                    {
                        var remaining = _waiters.Where(w => w != waiter).ToList();
                        _waiters.Clear();
                        remaining.ForEach(_waiters.Enqueue);
                    }

                    waiter.TrySetCanceled(cancellationToken);
                });
            }

            return new ValueTask<RateLimitLease>(waiter.Task);
        }
    }

    protected override void Dispose(bool disposing)
    {
        IsDisposed = true;
        lock (_lock)
        {
            while (_waiters.TryDequeue(out var waiter))
            {
                waiter.TrySetResult(Lease.Refused);
            }
        }

        base.Dispose(disposing);
    }

    private sealed class Lease(bool acquired) : RateLimitLease
    {
        public static readonly Lease Granted = new(true);
        public static readonly Lease Refused = new(false);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
