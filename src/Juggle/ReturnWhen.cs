namespace Juggle;

/// <summary>When <see cref="Futures.Wait{TFuture}(IEnumerable{TFuture}, TimeSpan?, ReturnWhen)"/> returns (Python's <c>FIRST_COMPLETED</c>, <c>FIRST_EXCEPTION</c>, <c>ALL_COMPLETED</c>).</summary>
public enum ReturnWhen
{
    /// <summary>Return when every future is finished or cancelled.</summary>
    AllCompleted = 0,

    /// <summary>Return as soon as any future finishes or is cancelled.</summary>
    FirstCompleted = 1,

    /// <summary>Return as soon as any future fails with an exception, or when all are done.</summary>
    FirstException = 2,
}
