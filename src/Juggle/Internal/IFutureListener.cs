namespace Juggle.Internal;

/// <summary>An internal done callback (used by <see cref="Futures"/>), cheaper than a delegate and removable.</summary>
internal interface IFutureListener
{
    void OnDone(Future future);
}

/// <summary>
/// The source of a future's <see cref="Future.AsTask"/> task. It waits in the callbacks slot as a listener that does
/// nothing (the typed future completes it before the callbacks run) and stays there once the future is done, so a
/// future needs no field of its own for it.
/// </summary>
internal interface IFutureTaskSource : IFutureListener
{
}
