using System.Collections;

namespace Juggle.Tests;

/// <summary>An input for Map that counts how many items were pulled from it (0, 1, 2, ... up to an optional limit).</summary>
public sealed class CountingSource(int? count = null) : IEnumerable<int>
{
    private int _pulled;
    private int _enumerations;

    /// <summary>Items handed out so far (successful MoveNext calls).</summary>
    public int Pulled => Volatile.Read(ref _pulled);

    public int Enumerations => Volatile.Read(ref _enumerations);

    public IEnumerator<int> GetEnumerator()
    {
        Interlocked.Increment(ref _enumerations);
        for (var i = 0; count is null || i < count; i++)
        {
            Interlocked.Increment(ref _pulled);
            yield return i;
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
