namespace Juggle.Internal;

/// <summary>
/// Waits with timeouts of any length. The BCL's waits take at most <c>int.MaxValue - 1</c> ms (about 24.8 days); a
/// longer timeout (<c>TimeSpan.FromDays(30)</c>, <c>TimeSpan.MaxValue</c>) is waited in slices of that length, so it
/// means what it says instead of throwing <see cref="ArgumentOutOfRangeException"/> from deep inside a wait.
/// </summary>
internal static class Timeouts
{
    /// <summary>The longest single wait the BCL's primitives accept.</summary>
    public static readonly TimeSpan MaxSlice = TimeSpan.FromMilliseconds(int.MaxValue - 1);

    /// <summary>Throws for a negative timeout other than <see cref="Timeout.InfiniteTimeSpan"/>.</summary>
    public static void Validate(TimeSpan timeout, string paramName)
    {
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(paramName, timeout, "A timeout must be zero or positive (or null to wait for ever).");
        }
    }

    /// <summary>Waits for <paramref name="signal"/> up to <paramref name="timeout"/> (any length, or infinite).</summary>
    public static bool Wait(ManualResetEventSlim signal, TimeSpan timeout)
    {
        while (timeout > MaxSlice)
        {
            if (signal.Wait(MaxSlice))
            {
                return true;
            }

            timeout -= MaxSlice;
        }

        return signal.Wait(timeout);
    }

    /// <summary>Waits for <paramref name="task"/> up to <paramref name="timeout"/> (any length, or infinite).</summary>
    public static bool Wait(Task task, TimeSpan timeout)
    {
        while (timeout > MaxSlice)
        {
            if (task.Wait(MaxSlice))
            {
                return true;
            }

            timeout -= MaxSlice;
        }

        return task.Wait(timeout);
    }

    /// <summary><see cref="Task{TResult}.WaitAsync(TimeSpan, CancellationToken)"/> for a timeout of any length.</summary>
    public static async Task<T> WaitAsync<T>(Task<T> task, TimeSpan timeout, CancellationToken cancellationToken)
    {
        while (timeout > MaxSlice)
        {
            try
            {
                return await task.WaitAsync(MaxSlice, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException) when (!task.IsCompleted)
            {
                timeout -= MaxSlice;
            }
        }

        return await task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><see cref="Task.WaitAsync(TimeSpan, CancellationToken)"/> for a timeout of any length.</summary>
    public static async Task WaitAsync(Task task, TimeSpan timeout, CancellationToken cancellationToken)
    {
        while (timeout > MaxSlice)
        {
            try
            {
                await task.WaitAsync(MaxSlice, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (TimeoutException) when (!task.IsCompleted)
            {
                timeout -= MaxSlice;
            }
        }

        await task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
    }
}
