namespace Juggle.Internal;

/// <summary>A token cancelled when a future is done (for example cancelled); removes itself from the future when disposed.</summary>
internal sealed class CancelWhenDone : IFutureListener, IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly Future _future;

    public CancelWhenDone(Future future)
    {
        _future = future;
        future.AddListener(this); // runs at once if the future is already done
    }

    public CancellationToken Token => _cts.Token;

    public void OnDone(Future future)
    {
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The wait already ended.
        }
    }

    public void Dispose()
    {
        _future.RemoveListener(this);
        _cts.Dispose();
    }
}
