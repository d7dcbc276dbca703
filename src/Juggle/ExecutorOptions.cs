using System.Globalization;
using System.Threading.RateLimiting;
using Juggle.Internal;
using Microsoft.Extensions.Logging;

namespace Juggle;

/// <summary>Options every executor understands. Validated when the executor is created.</summary>
public abstract class ExecutorOptions
{
    /// <summary>How many tasks run at once; <see langword="null"/> for the executor's default. Must be positive.</summary>
    public int? MaxWorkers { get; set; }

    /// <summary>
    /// A limiter consulted each time a task starts (one permit per task, held until the task ends, so a
    /// <see cref="ConcurrencyLimiter"/> also works). The executor does not dispose it.
    /// </summary>
    public RateLimiter? RateLimiter { get; set; }

    /// <summary>A simple rate limit: at most this many task starts per second. Cannot be combined with <see cref="RateLimiter"/>.</summary>
    public double? TasksPerSecond { get; set; }

    /// <summary>Receives a snapshot of the task counts each time one changes.</summary>
    public IProgress<ExecutorProgress>? Progress { get; set; }

    /// <summary>Where failures that have no caller (a throwing done callback) are logged; <see cref="System.Diagnostics.Trace"/> when null.</summary>
    public ILogger? Logger { get; set; }

    /// <summary>The clock used for task timestamps and Map deadlines. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>A name for logs and metrics tags; defaults to the executor's type and number.</summary>
    public string? Name { get; set; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public virtual void Validate()
    {
        if (MaxWorkers is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxWorkers), MaxWorkers, "maxWorkers must be greater than 0.");
        }

        if (TasksPerSecond is { } rate && (!(rate > 0) || double.IsInfinity(rate)))
        {
            throw new ArgumentOutOfRangeException(nameof(TasksPerSecond), rate, "TasksPerSecond must be a positive, finite number of task starts per second.");
        }

        if (TasksPerSecond is { } slow && slow < PerSecondLimiter.MinRate)
        {
            throw new ArgumentOutOfRangeException(nameof(TasksPerSecond), slow, string.Create(
                CultureInfo.InvariantCulture,
                $"TasksPerSecond must be at least {PerSecondLimiter.MinRate:0.###e+0} (one task start per {PerSecondLimiter.MaxPeriod.TotalDays:0.#} days, the longest period a timer takes); for slower or on-demand starts pass your own RateLimiter."));
        }

        if (TasksPerSecond is not null && RateLimiter is not null)
        {
            throw new ArgumentException("Set either RateLimiter or TasksPerSecond, not both.", nameof(TasksPerSecond));
        }

        if (TimeProvider is null)
        {
            throw new ArgumentNullException(nameof(TimeProvider), "TimeProvider cannot be null; use TimeProvider.System.");
        }
    }
}
