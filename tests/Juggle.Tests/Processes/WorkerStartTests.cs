namespace Juggle.Tests;

/// <summary>How worker processes are started: their runtime settings, and fresh workers for a recycling pool.</summary>
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
}

/// <summary>Functions the worker-start tests run in worker processes.</summary>
public static class WorkerStartFunctions
{
    public static string? Variable(string name) => Environment.GetEnvironmentVariable(name);

    public static bool ServerGc() => System.Runtime.GCSettings.IsServerGC;
}
