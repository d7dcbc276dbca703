namespace Juggle.Benchmarks;

/// <summary>
/// The no-op <c>Submit</c> + <c>Result</c> loop and its warm 2-worker executor, shared by <see cref="SubmitBenchmarks"/>
/// and <see cref="TracingBenchmarks"/> so both measure exactly the same thing.
/// </summary>
internal static class NoOpSubmit
{
    public static readonly Func<int> NoOp = static () => 0;

    /// <summary>A <c>ThreadPoolExecutor(maxWorkers: 2)</c> with both workers started.</summary>
    public static ThreadPoolExecutor CreateExecutor()
    {
        var executor = new ThreadPoolExecutor(maxWorkers: 2);
        executor.Submit(NoOp).Result();
        executor.Submit(NoOp).Result();
        return executor;
    }

    /// <summary>Submits one no-op per slot of <paramref name="futures"/>, then reads every result.</summary>
    public static long Run(ThreadPoolExecutor executor, Future<int>[] futures)
    {
        for (var i = 0; i < futures.Length; i++)
        {
            futures[i] = executor.Submit(NoOp);
        }

        long sum = 0;
        for (var i = 0; i < futures.Length; i++)
        {
            sum += futures[i].Result();
        }

        return sum;
    }
}
