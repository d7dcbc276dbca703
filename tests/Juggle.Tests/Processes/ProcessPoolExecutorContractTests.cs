namespace Juggle.Tests;

/// <summary>The executor contract for <see cref="ProcessPoolExecutor"/>: the same tests, with tasks in worker processes.</summary>
public sealed class ProcessPoolExecutorContractTests : ExecutorContractTests
{
    /// <summary>Cancel() on a running task kills its worker process: the hard cancel threads cannot do.</summary>
    protected override bool CancelStopsRunningWork => true;

    protected override Executor CreateExecutor(int maxWorkers) => new ProcessPoolExecutor(maxWorkers);

    protected override Executor CreateExecutor(int maxWorkers, Action<ExecutorOptions> configure)
    {
        var options = new ProcessPoolExecutorOptions { MaxWorkers = maxWorkers };
        configure(options);
        return new ProcessPoolExecutor(options);
    }
}
