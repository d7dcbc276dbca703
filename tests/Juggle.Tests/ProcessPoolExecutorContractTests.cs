namespace Juggle.Tests;

/// <summary>The executor contract for <see cref="ProcessPoolExecutor"/>: the same tests, with tasks in worker processes.</summary>
public sealed class ProcessPoolExecutorContractTests : ExecutorContractTests
{
    protected override Executor CreateExecutor(int maxWorkers) => new ProcessPoolExecutor(maxWorkers);

    protected override Executor CreateExecutor(int maxWorkers, Action<ExecutorOptions> configure)
    {
        var options = new ProcessPoolExecutorOptions { MaxWorkers = maxWorkers };
        configure(options);
        return new ProcessPoolExecutor(options);
    }
}
