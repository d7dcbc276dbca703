namespace Juggle;

/// <summary>The life cycle of a <see cref="Future"/>: pending → running → finished, or pending → cancelled.</summary>
public enum FutureState
{
    /// <summary>Submitted, waiting for a worker.</summary>
    Pending = 0,

    /// <summary>A worker is executing it.</summary>
    Running = 1,

    /// <summary>Completed with a value or an exception.</summary>
    Finished = 2,

    /// <summary>Cancelled before it finished.</summary>
    Cancelled = 3,
}
