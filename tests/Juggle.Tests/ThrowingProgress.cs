namespace Juggle.Tests;

/// <summary>A progress handler that always throws, counting its calls.</summary>
public sealed class ThrowingProgress : IProgress<ExecutorProgress>
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public void Report(ExecutorProgress value)
    {
        Interlocked.Increment(ref _calls);
        throw new InvalidOperationException("progress handler failure");
    }
}
