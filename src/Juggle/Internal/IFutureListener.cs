namespace Juggle.Internal;

/// <summary>An internal done callback (used by <see cref="Futures"/>), cheaper than a delegate and removable.</summary>
internal interface IFutureListener
{
    void OnDone(Future future);
}
