namespace Juggle.Tests;

/// <summary>Map and MapOutcomes: input order, laziness, bounds, chunks, errors, timeouts.</summary>
public abstract partial class ExecutorContractTests
{
    [Fact]
    public void Map_returns_results_in_input_order()
    {
        using var pool = CreateExecutor(4);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => i * i), pool.Map(ContractFunctions.Square, Enumerable.Range(0, 100)));
        Assert.Empty(pool.Map(ContractFunctions.Square, Array.Empty<int>()));
    }

    [Fact]
    public void Map_keeps_input_order_when_later_items_finish_first()
    {
        var progress = new ProgressRecorder();
        using var pool = CreateExecutor(2, o => o.Progress = progress);
        using var gate = new CrossProcessGate();
        GatedValue[] items = [new(1, gate.Path), new(2), new(3)];

        // Release the first item only once the two after it have finished.
        var releaser = Task.Run(() =>
        {
            Assert.True(gate.WaitStarted(Patience));
            Assert.True(progress.WaitFor(p => p.Succeeded >= 2, Patience));
            gate.Release();
        });

        Assert.Equal([1, 2, 3], pool.Map(ContractFunctions.ValueOrBlock, items, bufferSize: 3).ToList());
        Assert.True(releaser.Wait(Patience));
    }

    [Fact]
    public void Map_is_lazy_and_reads_at_most_bufferSize_items_ahead()
    {
        using var pool = CreateExecutor(2);
        var source = new CountingSource();
        var results = pool.Map(ContractFunctions.Square, source, bufferSize: 3);
        Assert.Equal(0, source.Enumerations);
        Assert.Equal(0, source.Pulled);

        using var e = results.GetEnumerator();
        for (var consumed = 1; consumed <= 20; consumed++)
        {
            Assert.True(e.MoveNext());
            Assert.Equal((consumed - 1) * (consumed - 1), e.Current);
            Assert.InRange(source.Pulled, consumed, consumed + 3);
        }

        Assert.Equal(1, source.Enumerations);
    }

    [Theory]
    [InlineData(4, 2)]
    [InlineData(3, 1)]
    [InlineData(1, 5)]
    public void Map_with_chunks_reads_at_most_bufferSize_chunks_ahead(int chunkSize, int bufferSize)
    {
        using var pool = CreateExecutor(2);
        var source = new CountingSource();
        using var e = pool.Map(ContractFunctions.Square, source, chunkSize: chunkSize, bufferSize: bufferSize).GetEnumerator();
        for (var consumed = 1; consumed <= 25; consumed++)
        {
            Assert.True(e.MoveNext());
            Assert.Equal((consumed - 1) * (consumed - 1), e.Current);
            var chunksStarted = (consumed + chunkSize - 1) / chunkSize;
            Assert.InRange(source.Pulled, consumed, (chunksStarted + bufferSize) * chunkSize);
        }
    }

    [Fact]
    public void Map_over_an_infinite_source_stops_when_the_caller_stops()
    {
        using var pool = CreateExecutor(2);
        var source = new CountingSource();
        Assert.Equal([0, 1, 4, 9, 16], pool.Map(ContractFunctions.Square, source, bufferSize: 4).Take(5).ToList());
        Assert.InRange(source.Pulled, 5, 9);

        pool.Shutdown();
        var progress = pool.Progress;

        // An iterator is read by Map's reader thread: an item it was reading when the consumer stopped is dropped.
        Assert.InRange(progress.Submitted, source.Pulled - 1, source.Pulled);
        Assert.Equal(progress.Submitted, progress.Done);
    }

    [Fact]
    public void Map_with_chunkSize_submits_one_task_per_chunk()
    {
        using var pool = CreateExecutor(3);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => i * i), pool.Map(ContractFunctions.Square, Enumerable.Range(0, 100), chunkSize: 7));
        pool.Shutdown();
        Assert.Equal(15, pool.Progress.Submitted); // ceil(100 / 7)
        Assert.Equal(15, pool.Progress.Succeeded);
    }

    [Fact]
    public void Map_throws_an_items_exception_when_its_result_is_reached()
    {
        using var pool = CreateExecutor(2);
        var got = new List<int>();
        var ex = Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (var value in pool.Map(ContractFunctions.SquareOrFail, [1, 2, -3, 4, 5]))
            {
                got.Add(value);
            }
        });

        Assert.Equal([1, 4], got);
        Assert.Equal("bad item -3", ex.Message);
    }

    [Fact]
    public void Map_exception_in_a_chunk_surfaces_after_the_earlier_items_of_that_chunk()
    {
        using var pool = CreateExecutor(2);
        var got = new List<int>();
        var ex = Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (var value in pool.Map(ContractFunctions.SquareOrFail, [1, 2, 3, -4, 5, 6], chunkSize: 3))
            {
                got.Add(value);
            }
        });

        Assert.Equal([1, 4, 9], got);
        Assert.Equal("bad item -4", ex.Message);
    }

    [Fact]
    public void MapOutcomes_gives_every_items_value_or_exception()
    {
        using var pool = CreateExecutor(2);
        int[] items = [1, -2, 3, -4, 5];
        var outcomes = pool.MapOutcomes(ContractFunctions.SquareOrFail, items, chunkSize: 2).ToList();

        Assert.Equal(5, outcomes.Count);
        Assert.Equal([0L, 1, 2, 3, 4], outcomes.Select(o => o.Index));
        Assert.Equal(items, outcomes.Select(o => o.Item));
        Assert.Equal([true, false, true, false, true], outcomes.Select(o => o.Succeeded));
        Assert.Equal(9, outcomes[2].Value);
        Assert.Null(outcomes[2].Exception);
        Assert.IsType<InvalidOperationException>(outcomes[1].Exception);
        Assert.Equal("bad item -2", outcomes[1].Exception!.Message);
        Assert.Equal("bad item -4", Assert.Throws<InvalidOperationException>(() => outcomes[3].Value).Message);
        Assert.Equal(-1, outcomes[3].GetValueOrDefault(-1));
        Assert.Equal(25, outcomes[4].GetValueOrDefault(-1));
    }

    [Fact]
    public void Map_timeout_yields_the_ready_results_then_throws()
    {
        // The deadline is on the executor's clock, which stands still until the test moves it: however slow the
        // machine, the first item is in time, and the second (blocked) is not once the clock has passed the deadline.
        var clock = new TestClocks.Manual();
        using var pool = CreateExecutor(2, o => o.TimeProvider = clock);
        using var gate = new CrossProcessGate();
        var timeout = TimeSpan.FromSeconds(100);

        var got = new List<int>();
        var ex = Assert.Throws<TimeoutException>(() =>
        {
            foreach (var value in pool.Map(ContractFunctions.ValueOrBlock, [new GatedValue(1), new GatedValue(2, gate.Path), new GatedValue(3)], timeout: timeout, chunkSize: 1))
            {
                got.Add(value);

                // The second item runs and blocks (a wait with a hang guard only); then the deadline passes.
                Assert.True(gate.WaitStarted(TimeSpan.FromMinutes(2)), "the blocked item never started");
                clock.Advance(timeout);
            }
        });

        Assert.Equal([1], got);
        Assert.Contains("100 s", ex.Message);
        gate.Release();
    }

    [Fact]
    public void Map_stopping_early_cancels_the_queued_chunks()
    {
        var progress = new ProgressRecorder();
        using var pool = CreateExecutor(1, o => o.Progress = progress);
        using var gate = new CrossProcessGate();
        GatedValue[] items = [new(1, gate.Path), new(2, gate.Path), new(3), new(4), new(5), new(6)];
        gate.Release(); // lets the first item through, the second blocks

        using (var e = pool.Map(ContractFunctions.ValueOrBlock, items, bufferSize: 3).GetEnumerator())
        {
            Assert.True(e.MoveNext());
            Assert.Equal(1, e.Current);
            Assert.True(gate.WaitStarted(Patience, count: 2)); // the second item runs now
        }

        // Items 3 and 4 were queued behind the running item 2: stopping cancelled them.
        Assert.Equal(2, pool.Progress.Cancelled);
        gate.Release();
        pool.Shutdown();
        var final = pool.Progress;
        Assert.Equal(4, final.Submitted);
        Assert.Equal(2, final.Succeeded);
        Assert.Equal(2, final.Cancelled);
    }

    [Fact]
    public void Map_rejects_bad_arguments_at_the_call_naming_the_parameter()
    {
        using var pool = CreateExecutor(1);
        int[] items = [1, 2];
        Assert.Equal("chunkSize", Assert.Throws<ArgumentOutOfRangeException>(() => pool.Map(ContractFunctions.Square, items, chunkSize: 0)).ParamName);
        Assert.Equal("bufferSize", Assert.Throws<ArgumentOutOfRangeException>(() => pool.Map(ContractFunctions.Square, items, bufferSize: 0)).ParamName);
        Assert.Equal("timeout", Assert.Throws<ArgumentOutOfRangeException>(() => pool.Map(ContractFunctions.Square, items, timeout: TimeSpan.FromSeconds(-1))).ParamName);
        Assert.Equal("fn", Assert.Throws<ArgumentNullException>(() => pool.Map((Func<int, int>)null!, items)).ParamName);
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => pool.Map(ContractFunctions.Square, (IEnumerable<int>)null!)).ParamName);
        Assert.Equal("chunkSize", Assert.Throws<ArgumentOutOfRangeException>(() => pool.MapOutcomes(ContractFunctions.Square, items, chunkSize: -1)).ParamName);
        Assert.Equal("bufferSize", Assert.Throws<ArgumentOutOfRangeException>(() => pool.MapOutcomes(ContractFunctions.Square, items, bufferSize: -5)).ParamName);
        Assert.Equal("fn", Assert.Throws<ArgumentNullException>(() => pool.MapOutcomes((Func<int, int>)null!, items)).ParamName);
        Assert.Equal(0, pool.Progress.Submitted);
    }
}
