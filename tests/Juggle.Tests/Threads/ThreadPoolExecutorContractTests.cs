namespace Juggle.Tests;

/// <summary>The executor contract for <see cref="ThreadPoolExecutor"/>.</summary>
public sealed class ThreadPoolExecutorContractTests : ExecutorContractTests
{
    protected override Executor CreateExecutor(int maxWorkers) => new ThreadPoolExecutor(maxWorkers);

    protected override Executor CreateExecutor(int maxWorkers, Action<ExecutorOptions> configure)
    {
        var options = new ThreadPoolExecutorOptions { MaxWorkers = maxWorkers };
        configure(options);
        return new ThreadPoolExecutor(options);
    }
}
