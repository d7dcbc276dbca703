using System.Diagnostics;

namespace Juggle.Tests;

/// <summary>Process-pool specifics: crashes, kills, timeouts, recycling, validation, big payloads.</summary>
public sealed class ProcessPoolExecutorTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public void Runs_tasks_in_other_processes()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 2);
        var pid = pool.Submit(ProcessPoolFunctions.Pid).Result(Patience);
        Assert.NotEqual(Environment.ProcessId, pid);
        Assert.Contains(pid, pool.GetWorkerProcessIds());
        Assert.Equal(49, pool.Submit(ProcessPoolFunctions.Square, 7).Result(Patience));
    }
}
