namespace Juggle.Tests;

/// <summary>
/// The behaviour every <see cref="Executor"/> must have (CPython's test_concurrent_futures, plus Juggle's additions).
/// Subclass it per executor. Tasks are only static methods of <see cref="ContractFunctions"/> with JSON-serialisable
/// arguments, so executors that run work in other processes pass the same tests; handshakes use
/// <see cref="CrossProcessGate"/>.
/// </summary>
public abstract partial class ExecutorContractTests
{
    /// <summary>The guard for every wait: long enough never to fire on a healthy run, short enough to fail fast.</summary>
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>Creates the executor under test with <paramref name="maxWorkers"/> workers.</summary>
    protected abstract Executor CreateExecutor(int maxWorkers);

    /// <summary>Creates the executor under test with <paramref name="maxWorkers"/> workers and options set by <paramref name="configure"/>.</summary>
    protected abstract Executor CreateExecutor(int maxWorkers, Action<ExecutorOptions> configure);

    [Fact]
    public void Submit_returns_the_value()
    {
        using var pool = CreateExecutor(2);
        Assert.Equal(42, pool.Submit(ContractFunctions.Answer).Result(Patience));
        Assert.Equal(9, pool.Submit(ContractFunctions.Square, 3).Result(Patience));
        Assert.Equal(5, pool.Submit(ContractFunctions.Add, 2, 3).Result(Patience));
    }
}
