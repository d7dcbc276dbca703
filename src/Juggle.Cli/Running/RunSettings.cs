namespace Juggle.Cli.Running;

/// <summary>The common options after parsing: mode, workers, rate, retries, timeout, output and diagram files.</summary>
internal sealed record RunSettings
{
    public RunMode Mode { get; init; } = RunMode.Threads;

    /// <summary>Whether <c>--mode</c> was given (bench then measures only that mode against sequential).</summary>
    public bool ModeGiven { get; init; }

    /// <summary>Worker count; 0 means "pick for the mode".</summary>
    public int Workers { get; init; }

    /// <summary>Task starts per second, or null for no limit.</summary>
    public double? Rate { get; init; }

    public int Retries { get; init; } = 2;

    /// <summary>The broker of <c>--mode cluster</c> (<c>--broker</c>), or null for <c>JUGGLE_BROKER</c>.</summary>
    public Uri? Broker { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    public bool Json { get; init; }

    public string? TimelineFile { get; init; }

    public string? TraceFile { get; init; }

    /// <summary>The default worker count for fetching pages (titles, bench io): many, as they mostly wait.</summary>
    public const int DefaultIoWorkers = 32;

    /// <summary>The default worker count for downloads: fewer than for pages, as each moves a whole file.</summary>
    public const int DefaultDownloadWorkers = 8;

    /// <summary>The default worker count for the downloads of <c>words</c>.</summary>
    public const int DefaultWordsDownloadWorkers = 16;

    /// <summary>The port of the live dashboard (0: a free one), or null for none.</summary>
    public int? DashboardPort { get; init; }

    /// <summary>Workers to use for I/O-bound work (many: they mostly wait).</summary>
    public int IoWorkers => Workers > 0 ? Workers : Mode == RunMode.Sequential ? 1 : DefaultIoWorkers;

    /// <summary>Workers to use for CPU-bound work (one per core).</summary>
    public int CpuWorkers => Workers > 0 ? Workers : Mode == RunMode.Sequential ? 1 : Environment.ProcessorCount;
}
