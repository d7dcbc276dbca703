namespace Juggle.Tests;

/// <summary>
/// How worker processes are started: their runtime settings, fresh workers for a recycling pool, and the two ways of
/// starting them (posix_spawn, Linux's default, and System.Diagnostics.Process) behaving alike.
/// </summary>
public sealed class WorkerStartTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public void A_worker_runs_with_a_16_MB_gen0_budget_unless_the_app_sets_one()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        var expected = Environment.GetEnvironmentVariable("DOTNET_GCgen0size")
            ?? (Environment.GetEnvironmentVariable("COMPlus_GCgen0size") is null ? "0x1000000" : null);
        var seen = pool.Submit(WorkerStartFunctions.Variable, "DOTNET_GCgen0size").Result(Patience);
        Assert.Equal(expected, seen);
        Assert.False(pool.Submit(WorkerStartFunctions.ServerGc).Result(Patience));
    }

    [Fact]
    public void With_one_task_per_child_and_two_workers_every_task_runs_in_a_process_of_its_own()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 2, maxTasksPerChild: 1);
        var answers = Enumerable.Range(0, 8).Select(i => pool.Submit(ProcessPoolFunctions.PidAndValue, i)).ToList();
        var results = answers.Select(f => f.Result(Patience)).ToList();
        Assert.Equal(Enumerable.Range(0, 8), results.Select(r => r.Value));
        Assert.Equal(8, results.Select(r => r.Pid).Distinct().Count());
        Assert.DoesNotContain(Environment.ProcessId, results.Select(r => r.Pid));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("process")]
    public void Exit_codes_signals_and_shutdown_read_the_same_either_way(string? spawn)
    {
        // Other tests' pools started meanwhile may use the other way: both are correct, so that race is harmless.
        var saved = Environment.GetEnvironmentVariable(ProcessPoolExecutor.SpawnVariable);
        Environment.SetEnvironmentVariable(ProcessPoolExecutor.SpawnVariable, spawn);
        try
        {
            var pool = new ProcessPoolExecutor(maxWorkers: 1);
            Assert.Equal(49, pool.Submit(ProcessPoolFunctions.Square, 7).Result(Patience));

            var exited = Assert.IsType<WorkerCrashedException>(pool.Submit(ProcessPoolFunctions.ExitWith, 7).GetException(Patience));
            Assert.Equal(7, exited.ExitCode);
            Assert.Null(exited.Signal);

            var killed = Assert.IsType<WorkerCrashedException>(pool.Submit(ProcessPoolFunctions.KillSelf, 0).GetException(Patience));
            Assert.Equal(9, killed.Signal);

            var pid = pool.Submit(ProcessPoolFunctions.Pid).Result(Patience);
            Assert.NotEqual(Environment.ProcessId, pid);
            pool.Dispose();
            Assert.True(ProcessPoolExecutorTests.WaitGone(pid), $"worker {pid} outlived Dispose");
            if (OperatingSystem.IsLinux())
            {
                // Reaped, not left a zombie: Dispose waited for the worker's exit status.
                Assert.False(Directory.Exists($"/proc/{pid}"), $"worker {pid} is a zombie after Dispose");
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable(ProcessPoolExecutor.SpawnVariable, saved);
        }
    }
}

/// <summary>Functions the worker-start tests run in worker processes.</summary>
public static class WorkerStartFunctions
{
    public static string? Variable(string name) => Environment.GetEnvironmentVariable(name);

    public static bool ServerGc() => System.Runtime.GCSettings.IsServerGC;
}
