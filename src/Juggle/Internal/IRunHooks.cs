namespace Juggle.Internal;

/// <summary>Lets a worker act just before the future it runs is published as done, and when async work leaves it.</summary>
internal interface IRunHooks
{
    /// <summary>Called after the work returned or threw, before waiters and callbacks see the outcome.</summary>
    void BeforeComplete();

    /// <summary>
    /// Called on the worker when async work did not complete synchronously: the work goes on without a thread and the
    /// worker is free for other work. Returns what <see cref="DetachedCompleted"/> gets back.
    /// </summary>
    object? Detach(Future future);

    /// <summary>Called on whichever thread completed the detached work, after its outcome is published.</summary>
    void DetachedCompleted(object? state);
}
