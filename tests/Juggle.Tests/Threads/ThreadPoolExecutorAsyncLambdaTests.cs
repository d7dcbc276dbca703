namespace Juggle.Tests;

/// <summary>
/// Async lambdas without a token bind to the awaiting overloads, as they do for <c>Task.Run</c>; sync lambdas keep
/// binding to the sync ones. The declared types below are the overload-resolution check: with the wrong binding this
/// file does not compile (<c>Future&lt;Task&lt;int&gt;&gt;</c>) or the future ends before the work (async void).
/// </summary>
public sealed class ThreadPoolExecutorAsyncLambdaTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Brief = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void An_async_lambda_gives_a_future_of_its_value()
    {
        using var pool = new ThreadPoolExecutor(2);
        Future<int> value = pool.Submit(async () =>
        {
            await Task.Yield();
            return 1;
        });
        Assert.Equal(1, value.Result(Patience));

        Future<string> one = pool.Submit(async (int x) =>
        {
            await Task.Yield();
            return $"<{x}>";
        }, 7);
        Assert.Equal("<7>", one.Result(Patience));

        Future<int> two = pool.Submit(async (int a, int b) =>
        {
            await Task.Yield();
            return a * b;
        }, 6, 7);
        Assert.Equal(42, two.Result(Patience));

        // Like Task.Run, a lambda returning a task is awaited too.
        Future<int> fromResult = pool.Submit(() => Task.FromResult(3));
        Assert.Equal(3, fromResult.Result(Patience));
    }

    [Fact]
    public void A_sync_lambda_still_binds_to_the_sync_overload()
    {
        using var pool = new ThreadPoolExecutor(2);
        Future<int> plain = pool.Submit(() => 1);
        Future<int> withArg = pool.Submit(x => x + 1, 1);
        Future<int> withTwo = pool.Submit((a, b) => a + b, 1, 2);
        Assert.Equal(1, plain.Result(Patience));
        Assert.Equal(2, withArg.Result(Patience));
        Assert.Equal(3, withTwo.Result(Patience));

        // The token-taking overload is unchanged.
        Future<int> token = pool.Submit(async (CancellationToken ct) =>
        {
            await Task.Delay(1, ct);
            return 5;
        });
        Assert.Equal(5, token.Result(Patience));
    }

    [Fact]
    public void An_async_void_shaped_lambda_is_awaited_not_fired_and_forgotten()
    {
        using var pool = new ThreadPoolExecutor(2);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = false;

        // Bound to Submit(Action) this would be async void: the future would end at the first await.
        Future future = pool.Submit(async () =>
        {
            await release.Task;
            finished = true;
        });
        Assert.False(future.TryWait(Brief), "the future ended before the async work did");
        release.SetResult();
        future.Wait(Patience);
        Assert.True(finished);
    }

    [Fact]
    public void An_async_lambdas_exception_fails_its_future_instead_of_being_lost()
    {
        using var pool = new ThreadPoolExecutor(2);
        Future failed = pool.Submit(async () =>
        {
            await Task.Yield();
            throw new InvalidOperationException("lost before");
        });
        Assert.Equal("lost before", Assert.Throws<InvalidOperationException>(() => failed.Wait(Patience)).Message);

        Future<int> failedValue = pool.Submit(async () =>
        {
            await Task.Yield();
            return int.Parse("x", System.Globalization.CultureInfo.InvariantCulture);
        });
        Assert.Throws<FormatException>(() => failedValue.Result(Patience));
    }

    [Fact]
    public async Task Map_with_an_async_lambda_yields_values()
    {
        using var pool = new ThreadPoolExecutor(2);
        IEnumerable<string> values = pool.Map(async (int x) =>
        {
            await Task.Yield();
            return x.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }, [1, 2, 3]);
        Assert.Equal(["1", "2", "3"], values.ToList());

        IEnumerable<Outcome<int, int>> outcomes = pool.MapOutcomes(async (int x) =>
        {
            await Task.Yield();
            return x > 1 ? throw new InvalidOperationException("two") : x;
        }, [1, 2]);
        var list = outcomes.ToList();
        Assert.Equal(1, list[0].Value);
        Assert.IsType<InvalidOperationException>(list[1].Exception);

        IAsyncEnumerable<int> mapped = pool.MapAsync(async (int x) =>
        {
            await Task.Yield();
            return x * 10;
        }, [1, 2]);
        Assert.Equal([10, 20], await mapped.ToListAsync().AsTask().WaitAsync(Patience));

        // A sync selector keeps the sync Map.
        IEnumerable<int> sync = pool.Map(x => x + 1, [1]);
        Assert.Equal([2], sync.ToList());
    }
}
