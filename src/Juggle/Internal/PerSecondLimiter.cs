using System.Threading.RateLimiting;

namespace Juggle.Internal;

/// <summary>Builds the limiter behind <see cref="ExecutorOptions.TasksPerSecond"/>: starts spread evenly over each second.</summary>
internal static class PerSecondLimiter
{
    // Replenishing more often than every 10 ms is not reliable with timer resolution; above 100/s, refill in batches.
    private static readonly TimeSpan MinPeriod = TimeSpan.FromMilliseconds(10);

    public static RateLimiter Create(double perSecond)
    {
        var tokens = 1;
        var period = TimeSpan.FromSeconds(1 / perSecond);
        if (period < MinPeriod)
        {
            tokens = (int)Math.Ceiling(perSecond * MinPeriod.TotalSeconds);
            period = TimeSpan.FromSeconds(tokens / perSecond);
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
