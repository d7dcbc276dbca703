using System.Runtime.CompilerServices;

namespace Juggle.Tests;

/// <summary>
/// CPython's test_free_reference and test_free_reference_yielded_future: neither Map nor AsCompleted keeps results
/// or yielded futures alive once the caller is done with them (large results must not pile up in memory).
/// </summary>
public sealed class ReferenceReleaseTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public void Map_does_not_keep_yielded_results_alive()
    {
        using var pool = new ThreadPoolExecutor(2);
        using var e = pool.Map(_ => new byte[1024], Enumerable.Range(0, 10)).GetEnumerator();
        var references = new List<WeakReference>();
        while (Advance(e, references))
        {
            Collect();
            Assert.All(references.SkipLast(1), r => Assert.False(r.IsAlive, "Map kept an already yielded result alive"));
        }

        Assert.Equal(10, references.Count);
    }

    [Fact]
    public void AsCompleted_does_not_keep_yielded_futures_alive()
    {
        using var pool = new ThreadPoolExecutor(2);
        using var e = StartAsCompleted(pool);
        var references = new List<WeakReference>();
        while (Advance(e, references))
        {
            Collect();
            Assert.All(references.SkipLast(1), r => Assert.False(r.IsAlive, "AsCompleted kept an already yielded future alive"));
        }

        Assert.Equal(10, references.Count);
    }

    /// <summary>Submits ten tasks, waits for them, and starts AsCompleted over them; the caller keeps no list.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static IEnumerator<Future<byte[]>> StartAsCompleted(ThreadPoolExecutor pool)
    {
        var futures = Enumerable.Range(0, 10).Select(_ => pool.Submit(() => new byte[1024])).ToList();
        futures.ForEach(f => f.Wait(Patience));
        return Futures.AsCompleted(futures, Patience).GetEnumerator();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool Advance<T>(IEnumerator<T> e, List<WeakReference> references)
    {
        if (!e.MoveNext())
        {
            return false;
        }

        references.Add(new WeakReference(e.Current));
        return true;
    }

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
