namespace Juggle.Internal;

/// <summary>An auto-reset wrapper over <see cref="SemaphoreSlim"/>: any number of <see cref="Set"/> calls wake one <see cref="Wait"/>.</summary>
internal sealed class ManualResetEventSlimAuto : IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    public void Set()
    {
        try
        {
            _semaphore.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
        catch (ObjectDisposedException)
        {
            // The iterator finished.
        }
    }

    /// <summary>Waits up to <paramref name="timeout"/> of any length (longer than one wait takes: in slices).</summary>
    public bool Wait(TimeSpan timeout)
    {
        while (timeout > Timeouts.MaxSlice)
        {
            if (_semaphore.Wait(Timeouts.MaxSlice))
            {
                return true;
            }

            timeout -= Timeouts.MaxSlice;
        }

        return _semaphore.Wait(timeout);
    }

    public void Dispose() => _semaphore.Dispose();
}
