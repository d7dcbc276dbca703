using System.Globalization;
using Juggle.Tests;

namespace Juggle.RabbitMQ.Tests;

/// <summary>At-least-once delivery against real failures: SIGKILL and SIGSTOP of worker processes, poison tasks, cancel races.</summary>
[Collection(BrokerCollection.Name)]
public sealed class ClusterFailureTests(BrokerFixture broker) : ClusterTestBase(broker)
{
    [Fact]
    public void A_task_on_a_killed_worker_is_redelivered_and_completes_on_another_exactly_once()
    {
        var first = StartWorker("--concurrency", "1", "--node", "first");
        var executor = CreateExecutor();
        var log = TempFile();
        using var gate = new CrossProcessGate();
        var completions = 0;
        using var completed = new ManualResetEventSlim();
        var future = executor.Submit(ClusterFunctions.LogThenBlock, log, gate.Path);
        future.AddDoneCallback(_ =>
        {
            Interlocked.Increment(ref completions);
            completed.Set();
        });
        Assert.True(gate.WaitStarted(Patience), "the task did not start on the first worker");
        Assert.Equal(FutureState.Running, future.State);

        var second = StartWorker("--concurrency", "1", "--node", "second");
        first.Kill();
        Assert.True(gate.WaitStarted(Patience), "the task was not redelivered after its worker was killed");
        gate.Release();

        Assert.Equal(second.ProcessId, future.Result(Patience));
        Assert.Equal([$"task {first.ProcessId}", $"task {second.ProcessId}"], File.ReadAllLines(log));
        Assert.True(completed.Wait(Patience));
        executor.Shutdown();
        Assert.Equal(1, Volatile.Read(ref completions));
        Assert.Equal(1, executor.Progress.Succeeded);
    }

    [Fact]
    public void A_task_on_a_frozen_worker_completes_on_another_once_the_heartbeat_times_out()
    {
        var frozen = StartWorker("--concurrency", "1", "--heartbeat", "2", "--node", "frozen");
        var executor = CreateExecutor();
        var log = TempFile();
        using var gate = new CrossProcessGate();
        var future = executor.Submit(ClusterFunctions.LogThenBlock, log, gate.Path);
        Assert.True(gate.WaitStarted(Patience), "the task did not start");

        var healthy = StartWorker("--concurrency", "1", "--node", "healthy");
        frozen.Freeze();
        Assert.True(gate.WaitStarted(Patience), "the task was not redelivered after its worker froze");
        gate.Release();
        Assert.Equal(healthy.ProcessId, future.Result(Patience));
        frozen.Thaw();
    }

    [Fact]
    public void A_poison_task_fails_after_killing_three_workers_and_the_tasks_beside_it_all_succeed()
    {
        var workers = Enumerable.Range(0, 4)
            .Select(i => Task.Run(() => StartWorker("--concurrency", "2", "--node", $"poison-{i}")))
            .Select(t => t.Result)
            .ToList();
        var executor = CreateExecutor();
        using var gate = new CrossProcessGate();
        var poison = executor.Submit(ClusterFunctions.KillMyWorker, 0);
        var innocent = Enumerable.Range(1, 20).Select(i => executor.Submit(ClusterFunctions.SquareAfter, gate.Path, i)).ToList();

        // The first death happens while innocent tasks are running beside the poison one on the same node.
        Assert.True(SpinWait.SpinUntil(() => workers.Any(w => w.HasExited), Patience), "the poison task killed no worker");
        for (var i = 0; i < 200; i++)
        {
            gate.Release();
        }

        var ex = Assert.Throws<PoisonTaskException>(() => poison.Result(Patience * 3));
        Assert.Equal(3, ex.Deaths);
        Assert.Equal(poison.Id, ex.TaskId);
        Assert.Contains("died 3 time(s)", ex.Message);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => i * i), innocent.Select(f => f.Result(Patience)));
        Assert.Equal(3, workers.Count(w => w.HasExited));
    }

    [Fact]
    public void A_cancelled_queued_task_never_runs_even_when_cancelled_in_a_race_with_its_worker()
    {
        StartWorker("--concurrency", "2");
        var executor = CreateExecutor();
        var log = TempFolder();
        var futures = new List<Future<int>>();
        var cancelled = new List<bool>();
        for (var i = 0; i < 60; i++)
        {
            var future = executor.Submit(ClusterFunctions.LogAndSquare, log, i);
            futures.Add(future);
            cancelled.Add(i % 2 == 1 && future.Cancel());
        }

        executor.Shutdown(wait: true);
        var ran = Directory.GetFiles(log).Select(f => int.Parse(Path.GetFileName(f), CultureInfo.InvariantCulture)).ToHashSet();
        for (var i = 0; i < futures.Count; i++)
        {
            if (cancelled[i])
            {
                Assert.True(futures[i].Cancelled);
                Assert.DoesNotContain(i, ran);
            }
            else
            {
                Assert.Equal(i * i, futures[i].Result(TimeSpan.Zero));
                Assert.Contains(i, ran);
            }
        }

        Assert.Contains(true, cancelled);
    }

    [Fact]
    public void Shutdown_with_cancelFutures_cancels_tasks_already_on_the_broker_and_they_never_run()
    {
        StartWorker("--concurrency", "1", "--prefetch", "1");
        var executor = CreateExecutor();
        var log = TempFolder();
        using var gate = new CrossProcessGate();
        var blocker = executor.Submit(ContractFunctions.BlockUntilReleased, gate.Path);
        Assert.True(gate.WaitStarted(Patience));
        var queued = Enumerable.Range(0, 10).Select(i => executor.Submit(ClusterFunctions.LogAndSquare, log, i)).ToList();

        executor.Shutdown(wait: false, cancelFutures: true);
        Assert.All(queued, f => Assert.True(f.Cancelled));
        gate.Release();
        Assert.Equal("released", blocker.Result(Patience));
        executor.Shutdown(wait: true);

        // The worker asked about every queued task and was refused: the log stays empty.
        var probe = CreateExecutor();
        Assert.Equal(4, probe.Submit(ContractFunctions.Square, 2).Result(Patience));
        probe.Shutdown();
        Assert.Empty(Directory.GetFiles(log));
    }

    [Fact]
    public void Every_future_completes_across_a_broker_restart()
    {
        var workers = Enumerable.Range(0, 2).Select(i => StartWorker("--concurrency", "3", "--node", $"restart-{i}")).ToList();

        // A private node restarts slowly on a loaded machine: give it longer than the default 60 s to come back.
        var executor = CreateExecutor(o => o.ReconnectTimeout = TimeSpan.FromMinutes(5));
        using var gate = new CrossProcessGate();
        var futures = Enumerable.Range(0, 20).Select(i => executor.Submit(ClusterFunctions.SquareAfter, gate.Path, i)).ToList();
        Assert.True(gate.WaitStarted(Patience), "no task started before the restart");

        Broker.RestartNode();
        for (var i = 0; i < 200; i++)
        {
            gate.Release();
        }

        Assert.Equal(Enumerable.Range(0, 20).Select(i => i * i), futures.Select(f => f.Result(TimeSpan.FromMinutes(4))));
        Assert.All(workers, w => Assert.False(w.HasExited, w.Log));
        Assert.Equal(25, executor.Submit(ContractFunctions.Square, 5).Result(Patience));
    }

    [Fact]
    public void A_worker_running_tasks_in_processes_survives_a_task_that_kills_its_process()
    {
        var node = StartWorker("--processes", "2", "--node", "isolated");
        var executor = CreateExecutor();
        var crash = Assert.Throws<RemoteException>(() => executor.Submit(ClusterFunctions.KillMyWorker, 1).Result(Patience));
        Assert.Equal(typeof(WorkerCrashedException).FullName, crash.RemoteType);
        Assert.Equal("isolated", crash.Data[RabbitMqExecutor.NodeDataKey]);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i * i), executor.Map(ContractFunctions.Square, Enumerable.Range(0, 10), chunkSize: 3));
        Assert.NotEqual(node.ProcessId, executor.Submit(ClusterFunctions.ProcessId).Result(Patience));
        Assert.False(node.HasExited, node.Log);
    }
}
