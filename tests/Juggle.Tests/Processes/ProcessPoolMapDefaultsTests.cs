namespace Juggle.Tests;

/// <summary>The process pool's Map with default arguments over many cheap items (batched from measured task times).</summary>
public sealed class ProcessPoolMapDefaultsTests
{
    [Fact]
    public void Map_with_defaults_over_many_cheap_items_finishes_in_order()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 2);
        var items = Enumerable.Range(0, 100_000).ToArray();
        var results = pool.Map(ContractFunctions.Square, items, timeout: TimeSpan.FromSeconds(120)).ToList();
        Assert.Equal(items.Select(i => i * i), results);
        pool.Shutdown();
        Assert.InRange(pool.Progress.Submitted, 1, 100_000 / 4);
    }
}
