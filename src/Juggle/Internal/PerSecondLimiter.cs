using System.Threading.RateLimiting;

namespace Juggle.Internal;

/// <summary>Builds the limiter behind <see cref="ExecutorOptions.TasksPerSecond"/>: starts spread evenly over each second.</summary>
internal static class PerSecondLimiter
{
    /// <summary>The longest replenishment period: the longest period a <see cref="Timer"/> takes (about 24.8 days).</summary>
    public static readonly TimeSpan MaxPeriod = Timeouts.MaxSlice;

    /// <summary>The slowest rate a token bucket can express: one start per <see cref="MaxPeriod"/>.</summary>
    public static readonly double MinRate = 1 / MaxPeriod.TotalSeconds;

    // Replenishing more often than every 10 ms is not reliable with timer resolution; above 100/s, refill in batches.
    private static readonly TimeSpan MinPeriod = TimeSpan.FromMilliseconds(10);

    // A bucket this large per 10 ms (about 10^11 starts a second) is beyond what any executor starts: no limit in effect.
    private const int MaxTokens = 1 << 30;

    public static RateLimiter Create(double perSecond)
    {
        var tokens = 1;
        var period = TimeSpan.FromSeconds(Math.Min(1 / perSecond, MaxPeriod.TotalSeconds));
        if (period < MinPeriod)
        {
            tokens = (int)Math.Min(Math.Ceiling(perSecond * MinPeriod.TotalSeconds), MaxTokens);
            period = TimeSpan.FromSeconds(Math.Max(tokens / perSecond, MinPeriod.TotalSeconds));
        }

        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = tokens,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = period,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }
}
