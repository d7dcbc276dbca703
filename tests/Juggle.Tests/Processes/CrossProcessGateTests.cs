namespace Juggle.Tests;

public sealed class CrossProcessGateTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public void Task_signals_started_and_blocks_until_released()
    {
        using var gate = new CrossProcessGate();
        using var returned = new ManualResetEventSlim();
        var thread = new Thread(() =>
        {
            ContractFunctions.BlockUntilReleased(gate.Path);
            returned.Set();
        });
        thread.Start();

        Assert.True(gate.WaitStarted(Patience));
        Assert.False(returned.IsSet);
        gate.Release();
        Assert.True(returned.Wait(Patience));
        Assert.True(thread.Join(Patience));
    }

    [Fact]
    public void WaitStarted_times_out_when_no_task_arrives()
    {
        using var gate = new CrossProcessGate();
        Assert.False(gate.WaitStarted(TimeSpan.FromMilliseconds(50)));
        Assert.False(gate.WaitStarted(TimeSpan.Zero));
    }

    [Fact]
    public void A_release_sent_early_is_kept_for_the_next_task()
    {
        using var gate = new CrossProcessGate();
        gate.Release(2);
        ContractFunctions.BlockUntilReleased(gate.Path);
        ContractFunctions.BlockUntilReleased(gate.Path);
        Assert.True(gate.WaitStarted(Patience, count: 2));
        Assert.False(gate.WaitStarted(TimeSpan.Zero));
    }

    [Fact]
    public void Counts_several_tasks()
    {
        using var gate = new CrossProcessGate();
        var threads = Enumerable.Range(0, 3).Select(_ => new Thread(() => ContractFunctions.BlockUntilReleased(gate.Path))).ToList();
        threads.ForEach(t => t.Start());
        Assert.True(gate.WaitStarted(Patience, count: 3));
        gate.Release(3);
        Assert.All(threads, t => Assert.True(t.Join(Patience)));
    }

    [Fact]
    public void Dispose_fails_blocked_tasks_and_deletes_the_directory()
    {
        var gate = new CrossProcessGate();
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                ContractFunctions.BlockUntilReleased(gate.Path);
            }
            catch (Exception ex)
            {
                error = ex;
            }
        });
        thread.Start();
        Assert.True(gate.WaitStarted(Patience));

        gate.Dispose();

        Assert.True(thread.Join(Patience));
        Assert.IsType<InvalidOperationException>(error);
        Assert.Contains("disposed", error!.Message);
        Assert.False(Directory.Exists(gate.Path));
        Assert.Throws<ObjectDisposedException>(() => gate.Release());
        gate.Dispose(); // idempotent
    }

    [Fact]
    public void A_task_arriving_after_dispose_fails_fast()
    {
        var gate = new CrossProcessGate();
        gate.Dispose();
        var ex = Assert.Throws<InvalidOperationException>(() => ContractFunctions.BlockUntilReleased(gate.Path));
        Assert.Contains("gone", ex.Message);
    }

    [Fact]
    public void The_task_side_gives_up_after_its_max_wait()
    {
        using var gate = new CrossProcessGate();
        Assert.Throws<TimeoutException>(() => CrossProcessGate.SignalStartedAndWaitForRelease(gate.Path, TimeSpan.FromMilliseconds(50)));
        Assert.True(gate.WaitStarted(Patience));
    }

    [Fact]
    public void Works_across_processes()
    {
        using var gate = new CrossProcessGate();
        // A real second process: a shell writes "started", then blocks reading one byte from "release".
        var psi = new System.Diagnostics.ProcessStartInfo("/bin/sh")
        {
            ArgumentList = { "-c", "printf x > \"$1/started\" && head -c 1 \"$1/release\" > /dev/null && echo done", "sh", gate.Path },
            RedirectStandardOutput = true,
        };
        using var process = System.Diagnostics.Process.Start(psi)!;
        Assert.True(gate.WaitStarted(Patience));
        Assert.False(process.HasExited);
        gate.Release();
        Assert.True(process.WaitForExit(Patience));
        Assert.Equal("done", process.StandardOutput.ReadToEnd().Trim());
    }
}
