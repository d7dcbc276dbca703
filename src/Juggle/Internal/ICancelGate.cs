namespace Juggle.Internal;

/// <summary>
/// Consulted by <see cref="Future.Cancel"/> on a pending future whose executor may commit the call to run before it
/// starts (the process pool sends calls ahead to a worker): <see cref="Future.Cancel"/> returns
/// <see langword="true"/> only when the gate promises the function will never run.
/// </summary>
internal interface ICancelGate
{
    /// <summary>
    /// <see langword="true"/> when the call is withdrawn for good (it was not committed to a worker), so cancelling the
    /// future is safe; <see langword="false"/> when it may already be starting (the executor then asks the worker to skip it).
    /// </summary>
    bool TryWithdraw();
}
