using Juggle.Remoting;

namespace Juggle.Tests.Remoting;

/// <summary>The worker's set of task ids behaves as a <see cref="HashSet{T}"/> of longs under any mix of operations.</summary>
public sealed class TaskIdSetTests
{
    [Theory]
    [InlineData(1, 40)]
    [InlineData(2, 5_000)]
    [InlineData(3, 200)]
    public void Matches_a_hash_set_under_random_operations(int seed, int range)
    {
        var random = new Random(seed);
        var set = new TaskIdSet();
        var expected = new HashSet<long>();
        for (var step = 0; step < 20_000; step++)
        {
            // Ids near each other (as the parent makes them) and a few far apart, negative and extreme.
            long id = random.Next(10) == 0 ? random.NextInt64(long.MinValue + 1, long.MaxValue) : random.Next(range) - 5;
            switch (random.Next(3))
            {
                case 0:
                    Assert.Equal(expected.Add(id), set.Add(id));
                    break;
                case 1:
                    Assert.Equal(expected.Remove(id), set.Remove(id));
                    break;
                default:
                    Assert.Equal(expected.Contains(id), set.Contains(id));
                    break;
            }
        }

        foreach (var id in expected)
        {
            Assert.True(set.Contains(id));
        }
    }

    [Fact]
    public void The_sentinel_value_is_never_a_member()
    {
        var set = new TaskIdSet();
        Assert.False(set.Add(long.MinValue));
        Assert.False(set.Contains(long.MinValue));
        Assert.False(set.Remove(long.MinValue));
        Assert.True(set.Add(0));
        Assert.False(set.Contains(long.MinValue));
    }
}
