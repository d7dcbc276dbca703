using System.Globalization;
using Juggle.RabbitMQ.Internal;
using Juggle.Remoting;
using Juggle.Tests;
using RabbitMQ.Client;

namespace Juggle.RabbitMQ.Tests;

/// <summary>
/// Task envelopes: with a backlog several tasks travel in one task message, yet each is still claimed, cancelled,
/// answered and redelivered on its own, and a node never sits on a batch of slow tasks while another idles.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class ClusterEnvelopeTests(BrokerFixture broker) : ClusterTestBase(broker)
{
    [Fact]
    public void Envelopes_and_grants_round_trip_on_the_wire()
    {
        EnvelopeEntry[] entries = [new("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "k=v", [1, 2, 3]), new(null, null, [4])];
        var read = Wire.ReadEnvelope(Wire.WriteEnvelope(entries));
        Assert.Equal(2, read.Length);
        Assert.Equal(entries[0].TraceParent, read[0].TraceParent);
        Assert.Equal(entries[0].TraceState, read[0].TraceState);
        Assert.Equal([1, 2, 3], read[0].Task);
        Assert.Null(read[1].TraceParent);
        Assert.Equal([4], read[1].Task);
        Assert.Throws<FrameException>(() => Wire.ReadEnvelope(Wire.WriteEnvelope([])));
        Assert.Throws<FrameException>(() => Wire.ReadEnvelope(new byte[] { 200, 0, 0, 0, 1 }));

        GrantEntry[] grants = [new(1, true), new(2, false), new(3, true, Alone: true)];
        Assert.Equal(grants, Wire.ReadGrants(Wire.WriteGrants(grants)));
    }

    [Fact]
    public void A_backlog_travels_in_envelopes_and_a_task_cancelled_on_the_broker_is_refused_alone_and_never_runs()
    {
        StartWorker("--concurrency", "1");
        var executor = CreateExecutor();
        Assert.Equal(4, executor.Submit(ContractFunctions.Square, 2).Result(Patience)); // the node's claim tells its slots
        using var gate = new CrossProcessGate();
        var blocker = executor.Submit(ContractFunctions.BlockThenReturn, gate.Path, 1);
        Assert.True(gate.WaitStarted(Patience), "the blocking task did not start");

        var log = TempFolder();
        var before = executor.TaskMessagesPublished;
        List<Future<int>> futures;
        using (executor.PauseDispatch())
        {
            futures = Enumerable.Range(0, 40).Select(i => executor.Submit(ClusterFunctions.LogAndSquare, log, i)).ToList();
        }

        // Published (the node's only slot is busy, so none is claimed yet), then cancelled inside their envelopes.
        Assert.True(SpinWait.SpinUntil(() => executor.TaskMessagesPublished > before, Patience), "nothing was published");
        int[] cancelled = [5, 17, 25];
        foreach (var i in cancelled)
        {
            Assert.True(futures[i].Cancel(), $"task {i} was not pending");
        }

        gate.Release();
        Assert.Equal(1, blocker.Result(Patience));
        for (var i = 0; i < futures.Count; i++)
        {
            if (cancelled.Contains(i))
            {
                Assert.True(futures[i].Cancelled);
            }
            else
            {
                Assert.Equal(i * i, futures[i].Result(Patience));
            }
        }

        var published = executor.TaskMessagesPublished - before;
        Assert.True(published < 10, $"40 tasks with a backlog went in {published} task messages, not in envelopes");

        // One slot takes the tasks in order, so the cancelled ones were refused before the last ones ran.
        var ran = Directory.GetFiles(log).Select(f => int.Parse(Path.GetFileName(f), CultureInfo.InvariantCulture)).Order();
        Assert.Equal(Enumerable.Range(0, 40).Except(cancelled), ran);
    }

    [Fact]
    public void An_envelope_redelivered_after_its_worker_is_killed_reruns_only_the_task_that_was_not_answered()
    {
        var doomed = StartWorker("--concurrency", "2", "--node", "doomed");
        var executor = CreateExecutor();
        Assert.Equal(4, executor.Submit(ContractFunctions.Square, 2).Result(Patience));
        var log = TempFolder();
        using var gate = new CrossProcessGate();
        var before = executor.TaskMessagesPublished;
        Future<int> slow;
        List<Future<int>> fast;
        using (executor.PauseDispatch())
        {
            // The slow task shares its envelope with the first fast ones, which the node's other slot answers.
            slow = executor.Submit(ClusterFunctions.MarkThenBlock, $"{log}\n{gate.Path}", 1000);
            fast = Enumerable.Range(1, 39).Select(i => executor.Submit(ClusterFunctions.LogAndSquare, log, i)).ToList();
        }

        Assert.True(gate.WaitStarted(Patience), "the slow task did not start");
        Assert.Equal(Enumerable.Range(1, 39).Select(i => i * i), fast.Select(f => f.Result(Patience)));
        Assert.True(executor.TaskMessagesPublished - before < 20, "the tasks did not travel in envelopes");
        var doomedPid = doomed.ProcessId.ToString(CultureInfo.InvariantCulture);

        doomed.Kill();
        var survivor = StartWorker("--concurrency", "2", "--node", "survivor");
        Assert.True(gate.WaitStarted(Patience), "the slow task was not redelivered after its worker was killed");
        gate.Release();
        Assert.Equal(1000, slow.Result(Patience));
        Assert.Equal(survivor.ProcessId.ToString(CultureInfo.InvariantCulture), File.ReadAllText(Path.Combine(log, "1000")));

        // The answered tasks of the redelivered envelope were refused when claimed again: none ran twice.
        Assert.All(Enumerable.Range(1, 39), i => Assert.Equal(doomedPid, File.ReadAllText(Path.Combine(log, i.ToString(CultureInfo.InvariantCulture)))));
        Assert.Equal(41, executor.Progress.Succeeded); // with the first Square
    }

    [Fact]
    public void Slow_tasks_with_a_backlog_keep_both_workers_busy_instead_of_going_to_one_in_a_batch()
    {
        var first = StartWorker("--concurrency", "2", "--node", "first");
        var second = StartWorker("--concurrency", "2", "--node", "second");
        var executor = CreateExecutor();
        var log = TempFolder();
        using var gate = new CrossProcessGate();
        List<Future<int>> futures;
        using (executor.PauseDispatch())
        {
            futures = Enumerable.Range(0, 24).Select(i => executor.Submit(ClusterFunctions.MarkThenBlock, $"{log}\n{gate.Path}", i)).ToList();
        }

        // Every slot of both nodes gets a task: one node holding them all would leave the other's slots idle.
        Assert.True(gate.WaitStarted(Patience, 4), "four slow tasks did not start on the two nodes' four slots");
        var nodes = Directory.GetFiles(log).Select(File.ReadAllText).Distinct().Order().ToList();
        Assert.Equal(new[] { first.ProcessId, second.ProcessId }.Select(p => p.ToString(CultureInfo.InvariantCulture)).Order(), nodes);

        gate.Release(24);
        Assert.Equal(Enumerable.Range(0, 24), futures.Select(f => f.Result(Patience)));
    }

    [Fact]
    public void With_as_many_tasks_in_flight_as_slots_a_freed_slot_gets_the_next_task_of_a_backlog_at_once()
    {
        // Nothing waits on the broker: holding tasks back to fill an envelope would leave the freed slot idle.
        StartWorker("--concurrency", "2");
        var executor = CreateExecutor(o => o.MaxWorkers = 2);
        var log = TempFolder();
        using var gate = new CrossProcessGate();
        List<Future<int>> futures;
        using (executor.PauseDispatch())
        {
            futures = Enumerable.Range(0, 40).Select(i => executor.Submit(ClusterFunctions.MarkThenBlock, $"{log}\n{gate.Path}", i)).ToList();
        }

        Assert.True(gate.WaitStarted(Patience, 2), "the first two slow tasks did not start");
        for (var i = 0; i < 38; i++)
        {
            gate.Release();
            Assert.True(gate.WaitStarted(Patience), $"after {i + 1} task(s) ended, the freed slot got no task");
        }

        gate.Release(2);
        Assert.Equal(Enumerable.Range(0, 40), futures.Select(f => f.Result(Patience)));
    }

    [Fact]
    public void A_poison_task_in_an_envelope_fails_after_three_deaths_and_its_envelope_neighbours_all_succeed()
    {
        var workers = Enumerable.Range(0, 4)
            .Select(i => Task.Run(() => StartWorker("--concurrency", "2", "--node", $"poison-{i}")))
            .Select(t => t.Result)
            .ToList();
        var executor = CreateExecutor();
        using var gate = new CrossProcessGate();
        Future<int> poison;
        List<Future<int>> innocent;
        using (executor.PauseDispatch())
        {
            poison = executor.Submit(ClusterFunctions.KillMyWorker, 0);
            innocent = Enumerable.Range(1, 39).Select(i => executor.Submit(ClusterFunctions.SquareAfter, gate.Path, i)).ToList();
        }

        Assert.True(SpinWait.SpinUntil(() => workers.Any(w => w.HasExited), Patience), "the poison task killed no worker");
        gate.Release(1000);

        var ex = Assert.Throws<PoisonTaskException>(() => poison.Result(Patience * 3));
        Assert.Equal(3, ex.Deaths);
        Assert.Equal(Enumerable.Range(1, 39).Select(i => i * i), innocent.Select(f => f.Result(Patience)));
        Assert.Equal(3, workers.Count(w => w.HasExited));
    }

    [Fact]
    public async Task A_malformed_envelope_is_dead_lettered_and_the_worker_goes_on()
    {
        var worker = StartWorker();
        using var raw = await ConnectRawAsync();
        var channel = raw.Channel;
        await Wire.DeclareTaskQueueAsync(channel, Queue, CancellationToken.None);
        var reply = await raw.DeclarePrivateQueueAsync();
        var garbage = new byte[500];
        Random.Shared.NextBytes(garbage);
        await channel.BasicPublishAsync(string.Empty, Queue, false, EnvelopeProperties(reply), garbage);
        await channel.BasicPublishAsync(string.Empty, Queue, false, EnvelopeProperties(reply), Wire.WriteEnvelope([]));

        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (await raw.Channel.MessageCountAsync(Wire.DeadLetterQueue(Queue)) < 2 && watch.Elapsed < Patience)
        {
            await Task.Delay(100); // polling the broker's count; no handshake exists for "the worker rejected it"
        }

        Assert.Equal(2u, await raw.Channel.MessageCountAsync(Wire.DeadLetterQueue(Queue)));
        Assert.False(worker.HasExited, worker.Log);
        Assert.Contains("malformed task envelope", worker.Log);
        var executor = CreateExecutor();
        Assert.Equal(49, executor.Submit(ContractFunctions.Square, 7).Result(Patience));
    }

    private static BasicProperties EnvelopeProperties(string replyTo) => new()
    {
        Type = Wire.Calls,
        ReplyTo = replyTo,
        Headers = new Dictionary<string, object?> { [Wire.VersionHeader] = Wire.Version },
    };
}
