namespace Juggle.Internal;

/// <summary>A live worker of an executor, for the dashboard: a thread (its managed id), a process (its id) or a cluster node.</summary>
internal sealed record WorkerInfo(string Name, int ProcessId, int ThreadId, bool Busy)
{
    /// <summary>What a cluster node last reported about itself; null for this machine's threads and processes.</summary>
    public NodeReport? Node { get; init; }
}

/// <summary>
/// A cluster node's own figures, from the status it publishes every second: where it runs, how busy it is, what it
/// did (for every client), and its memory and CPU (its process and its process pool's, if any).
/// </summary>
internal sealed record NodeReport(
    string Host,
    int Running,
    int Slots,
    long Done,
    long Failed,
    long Redelivered,
    int Restarts,
    long MemoryBytes,
    double CpuPercent,
    int Processes);
