namespace Juggle.Tests;

/// <summary>
/// Map over an input that blocks or fails: results that are done are yielded while the input is slow, the timeout
/// covers waiting on the input, and an input's exception comes after the results of the items read before it.
/// </summary>
public sealed class ThreadPoolExecutorMapInputTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(100);

    [Fact]
    public void Map_yields_a_finished_result_while_the_input_blocks()
    {
        using var pool = new ThreadPoolExecutor(2);
        using var gate = new ManualResetEventSlim();
        var results = new List<int>();
        foreach (var value in pool.Map(x => x * 10, GatedInput(gate, 1)))
        {
            results.Add(value);

            // The input gives item 1 only after the consumer has seen item 0.
            gate.Set();
        }

        Assert.Equal([0, 10], results);
    }

    [Fact]
    public void MapAsync_yields_a_finished_result_while_the_input_blocks()
    {
        using var pool = new ThreadPoolExecutor(2);
        using var gate = new ManualResetEventSlim();
        var results = new List<int>();
        var run = Task.Run(async () =>
        {
            await foreach (var value in pool.MapAsync(x => x * 10, GatedInput(gate, 1)))
            {
                results.Add(value);
                gate.Set();
            }
        });
        Assert.True(run.Wait(Patience));
        Assert.Equal([0, 10], results);
    }

    [Fact]
    public void Map_timeout_covers_waiting_for_the_input()
    {
        // The deadline is on the executor's clock, which moves only when the test says: item 0 is always in time,
        // however loaded the machine, and the wait for the blocked input is past the deadline once the clock moves.
        var clock = new TestClocks.Manual();
        using var pool = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxWorkers = 2, TimeProvider = clock });
        using var gate = new ManualResetEventSlim();
        var results = new List<int>();
        try
        {
            var ex = Assert.Throws<TimeoutException>(() =>
            {
                foreach (var value in pool.Map(x => x * 10, GatedInput(gate, 1), timeout: Deadline))
                {
                    results.Add(value);
                    clock.Advance(Deadline);
                }
            });
            Assert.Contains("input", ex.Message, StringComparison.Ordinal);
            Assert.Equal([0], results);
        }
        finally
        {
            gate.Set();
        }
    }

    [Fact]
    public async Task MapAsync_timeout_covers_waiting_for_the_input()
    {
        var clock = new TestClocks.Manual();
        using var pool = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxWorkers = 2, TimeProvider = clock });
        using var gate = new ManualResetEventSlim();
        var results = new List<int>();
        try
        {
            await Assert.ThrowsAsync<TimeoutException>(async () =>
            {
                await foreach (var value in pool.MapAsync(x => x * 10, GatedInput(gate, 1), timeout: Deadline))
                {
                    results.Add(value);
                    clock.Advance(Deadline);
                }
            }).WaitAsync(Patience);
            Assert.Equal([0], results);
        }
        finally
        {
            gate.Set();
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData(1)]
    [InlineData(3)]
    public void Map_yields_the_results_before_an_input_failure_then_throws_it(int? chunkSize)
    {
        using var pool = new ThreadPoolExecutor(2);
        var results = new List<int>();
        var ex = Assert.Throws<InvalidDataException>(() =>
        {
            foreach (var value in pool.Map(x => x * 10, FailingInput(5), chunkSize: chunkSize))
            {
                results.Add(value);
            }
        });
        Assert.Equal("input broke at 5", ex.Message);
        Assert.Equal([0, 10, 20, 30, 40], results);
    }

    [Fact]
    public void MapOutcomes_yields_every_outcome_before_an_input_failure_then_throws_it()
    {
        using var pool = new ThreadPoolExecutor(2);
        var outcomes = new List<Outcome<int, int>>();
        var ex = Assert.Throws<InvalidDataException>(() =>
        {
            foreach (var outcome in pool.MapOutcomes(x => x == 2 ? throw new InvalidOperationException("item 2") : x, FailingInput(5)))
            {
                outcomes.Add(outcome);
            }
        });
        Assert.Equal("input broke at 5", ex.Message);
        Assert.Equal([0, 1, 2, 3, 4], outcomes.Select(o => o.Item));
        Assert.IsType<InvalidOperationException>(outcomes[2].Exception);
        Assert.Equal(4, outcomes[4].Value);
    }

    [Fact]
    public async Task MapAsync_yields_the_results_before_an_input_failure_then_throws_it()
    {
        using var pool = new ThreadPoolExecutor(2);
        var results = new List<int>();
        var ex = await Assert.ThrowsAsync<InvalidDataException>(async () =>
        {
            await foreach (var value in pool.MapAsync(x => x * 10, FailingInput(5)))
            {
                results.Add(value);
            }
        }).WaitAsync(Patience);
        Assert.Equal("input broke at 5", ex.Message);
        Assert.Equal([0, 10, 20, 30, 40], results);
    }

    [Fact]
    public void A_failing_collection_read_on_the_callers_thread_also_yields_the_earlier_results()
    {
        using var pool = new ThreadPoolExecutor(2);
        var results = new List<int>();
        Assert.Throws<InvalidDataException>(() =>
        {
            foreach (var value in pool.Map(x => x * 10, new FailingCollection(5)))
            {
                results.Add(value);
            }
        });
        Assert.Equal([0, 10, 20, 30, 40], results);
    }

    /// <summary>Yields 0, then waits for <paramref name="gate"/> (bounded) before yielding 1 .. <paramref name="last"/>.</summary>
    private static IEnumerable<int> GatedInput(ManualResetEventSlim gate, int last)
    {
        yield return 0;
        if (!gate.Wait(Patience))
        {
            throw new TimeoutException("the consumer never saw item 0 while the input was blocked");
        }

        for (var i = 1; i <= last; i++)
        {
            yield return i;
        }
    }

    private static IEnumerable<int> FailingInput(int failAt)
    {
        for (var i = 0; ; i++)
        {
            if (i == failAt)
            {
                throw new InvalidDataException($"input broke at {failAt}");
            }

            yield return i;
        }
    }

    /// <summary>A collection (so Map reads it on the caller's thread) whose enumerator fails at <c>failAt</c>.</summary>
    private sealed class FailingCollection(int failAt) : ICollection<int>
    {
        public int Count => failAt + 1;

        public bool IsReadOnly => true;

        public IEnumerator<int> GetEnumerator() => FailingInput(failAt).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public void Add(int item) => throw new NotSupportedException();

        public void Clear() => throw new NotSupportedException();

        public bool Contains(int item) => item >= 0 && item < failAt;

        public void CopyTo(int[] array, int arrayIndex) => throw new NotSupportedException();

        public bool Remove(int item) => throw new NotSupportedException();
    }
}
