namespace Juggle.Tests;

/// <summary>Async functions without a token (the shapes <c>Task.Run</c> takes) are awaited: futures hold their results, never tasks.</summary>
public abstract partial class ExecutorContractTests
{
    [Fact]
    public void Async_functions_without_a_token_are_awaited_for_every_Submit_shape()
    {
        using var pool = CreateExecutor(2);
        Future<int> none = pool.Submit(ContractFunctions.AnswerNoTokenAsync);
        Future<int> one = pool.Submit(ContractFunctions.SquareAsync, 5);
        Future<int> two = pool.Submit(ContractFunctions.AddAsync, 2, 3);
        Assert.Equal(42, none.Result(Patience));
        Assert.Equal(25, one.Result(Patience));
        Assert.Equal(5, two.Result(Patience));

        var path = Path.Combine(Path.GetTempPath(), $"juggle-async-{Guid.NewGuid():N}.txt");
        try
        {
            Future written = pool.Submit(ContractFunctions.WriteFileAsync, path, "awaited");
            written.Wait(Patience);
            Assert.Equal("awaited", File.ReadAllText(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_exception_of_an_async_function_without_a_token_fails_its_future()
    {
        using var pool = CreateExecutor(2);
        Future failed = pool.Submit(ContractFunctions.FailNoTokenAsync);
        var ex = Assert.Throws<InvalidOperationException>(() => failed.Wait(Patience));
        Assert.Equal(ContractFunctions.FailurePrefix + "async without a token", ex.Message);

        var item = pool.Submit(ContractFunctions.SquareOrFailAsync, -3);
        Assert.Equal("bad item -3", Assert.Throws<InvalidOperationException>(() => item.Result(Patience)).Message);
    }

    [Fact]
    public async Task Map_MapOutcomes_and_MapAsync_await_an_async_selector()
    {
        using var pool = CreateExecutor(2);
        int[] items = [1, 2, 3, 4, 5];
        IEnumerable<int> mapped = pool.Map(ContractFunctions.SquareAsync, items);
        Assert.Equal([1, 4, 9, 16, 25], mapped.ToList());
        Assert.Equal([1, 4, 9, 16, 25], pool.Map(ContractFunctions.SquareAsync, items, chunkSize: 2).ToList());

        var outcomes = pool.MapOutcomes(ContractFunctions.SquareOrFailAsync, [1, -2, 3]).ToList();
        Assert.Equal([1, -2, 3], outcomes.Select(o => o.Item));
        Assert.Equal(1, outcomes[0].Value);
        Assert.Equal("bad item -2", Assert.IsType<InvalidOperationException>(outcomes[1].Exception).Message);
        Assert.Equal(9, outcomes[2].Value);

        // Map stops at the failing item with its exception, after the results before it.
        var seen = new List<int>();
        var ex = Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (var value in pool.Map(ContractFunctions.SquareOrFailAsync, [2, 3, -4, 5]))
            {
                seen.Add(value);
            }
        });
        Assert.Equal("bad item -4", ex.Message);
        Assert.Equal([4, 9], seen);

        Assert.Equal([1, 4, 9], await pool.MapAsync(ContractFunctions.SquareAsync, [1, 2, 3]).ToListAsync().AsTask().WaitAsync(Patience));
        var asyncOutcomes = await pool.MapOutcomesAsync(ContractFunctions.SquareOrFailAsync, [-1, 2]).ToListAsync().AsTask().WaitAsync(Patience);
        Assert.IsType<InvalidOperationException>(asyncOutcomes[0].Exception);
        Assert.Equal(4, asyncOutcomes[1].Value);
    }
}
