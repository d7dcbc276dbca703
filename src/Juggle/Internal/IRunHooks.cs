namespace Juggle.Internal;

/// <summary>Lets a worker act just before the future it runs is published as done.</summary>
internal interface IRunHooks
{
    /// <summary>Called after the work returned or threw, before waiters and callbacks see the outcome.</summary>
    void BeforeComplete();
}
