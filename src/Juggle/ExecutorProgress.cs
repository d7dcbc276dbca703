namespace Juggle;

/// <summary>A snapshot of an executor's task counts, for progress bars and dashboards.</summary>
/// <param name="Submitted">Tasks submitted so far.</param>
/// <param name="Running">Tasks executing now.</param>
/// <param name="Succeeded">Tasks that finished with a value.</param>
/// <param name="Failed">Tasks that finished with an exception.</param>
/// <param name="Cancelled">Tasks cancelled.</param>
public readonly record struct ExecutorProgress(long Submitted, long Running, long Succeeded, long Failed, long Cancelled)
{
    /// <summary>Tasks finished, failed or cancelled.</summary>
    public long Done => Succeeded + Failed + Cancelled;

    /// <summary>Tasks submitted but not started.</summary>
    public long Pending => Math.Max(0, Submitted - Running - Done);
}
