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

    [Fact]
    public void Cancel_running_async_task_kills_its_worker()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        var future = pool.Submit(ContractFunctions.WaitForCancellationAsync);
        Assert.True(SpinWait.SpinUntil(() => future.Running, Patience));
        var pid = pool.GetWorkerProcessIds().Single();
        Assert.False(future.Cancel());
        Assert.True(future.TryWait(Patience), "not cancelled");
        Assert.True(future.Cancelled);
        Assert.True(WaitForExit(pid), "worker still alive");
        Assert.Equal(9, pool.Submit(ContractFunctions.Square, 3).Result(Patience));
    }

    internal static bool WaitForExit(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.WaitForExit(Patience);
        }
        catch (ArgumentException)
        {
            return true;
        }
    }
}
