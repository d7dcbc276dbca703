using System.Globalization;
using Juggle.RabbitMQ.Internal;
using Juggle.Tests;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Juggle.RabbitMQ.Tests;

/// <summary>
/// Redelivered tasks on a busy node: a redelivered task runs alone on its node, but one whose executor is gone never
/// runs, so it must be dropped at once rather than wait for the node's running tasks (and hold up every new task
/// behind it meanwhile).
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class ClusterRedeliveryTests(BrokerFixture broker) : ClusterTestBase(broker)
{
    [Fact]
    public async Task A_redelivered_task_whose_executor_is_gone_is_dropped_at_once_and_holds_up_no_task_while_another_runs()
    {
        // An orphan: its message taken (unacknowledged) by this test, then its executor gone with its reply queue.
        var gone = CreateExecutor();
        _ = gone.Submit(ContractFunctions.Square, 3);
        using var connection = await Broker.ConnectAsync();
        var holder = await connection.CreateChannelAsync();
        await holder.BasicQosAsync(0, 1, global: false);
        var taken = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new AsyncEventingBasicConsumer(holder);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            taken.TrySetResult(TaskMessage.Parse(delivery.Body.ToArray()).TaskId);
            return Task.CompletedTask;
        };
        await holder.BasicConsumeAsync(Queue, autoAck: false, consumer);
        var orphan = await taken.Task.WaitAsync(Patience);
        gone.Shutdown(wait: true, cancelFutures: true);

        using var dropped = new ManualResetEventSlim();
        var marker = string.Create(CultureInfo.InvariantCulture, $"dropped task {orphan} (before running it)");
        using var stop = new CancellationTokenSource();
        await using var worker = new RabbitMqWorker(new RabbitMqWorkerOptions
        {
            Broker = Broker.Uri,
            QueueName = Queue,
            Concurrency = 2,
            Assemblies = { typeof(ContractFunctions).Assembly },
            Logger = new SignallingLogger(message =>
            {
                if (message.Contains(marker, StringComparison.Ordinal))
                {
                    dropped.Set();
                }
            }),
        });
        var run = worker.RunAsync(stop.Token);
        using var gate = new CrossProcessGate();
        try
        {
            Assert.True(worker.Ready.Wait(Patience), "the worker did not start");
            var executor = CreateExecutor();
            var slow = executor.Submit(ContractFunctions.BlockThenReturn, gate.Path, 1);
            Assert.True(gate.WaitStarted(Patience), "the gated task did not start");

            // Closing the holder's channel hands the orphan back: it comes to the worker's free slot as a redelivery.
            await holder.CloseAsync();
            holder.Dispose();
            // Well within the 30 s after which the gated task gives up waiting (and would let a blocked orphan through).
            Assert.True(dropped.Wait(TimeSpan.FromSeconds(25)), "the redelivered orphan was not dropped while another task ran on its node");

            var fast = executor.Submit(ContractFunctions.Square, 2);
            Assert.Equal(4, fast.Result(Patience));
            Assert.False(slow.Done, "the gated task ended before the task submitted after it");
            gate.Release();
            Assert.Equal(1, slow.Result(Patience));
        }
        finally
        {
            gate.Release();
            await stop.CancelAsync();
            await run.WaitAsync(Patience);
        }
    }

    [Fact]
    public void A_long_task_stays_unacknowledged_while_later_tasks_on_its_node_are_acknowledged_together_and_is_redelivered_when_the_node_dies()
    {
        // The gated task is the node's oldest delivery; the answers after it are acknowledged in batches, and an
        // acknowledgement that covered it by mistake would lose it when the node dies.
        var doomed = StartWorker("--concurrency", "4", "--node", "doomed");
        var executor = CreateExecutor();
        using var gate = new CrossProcessGate();
        var slow = executor.Submit(ContractFunctions.BlockThenReturn, gate.Path, 7);
        Assert.True(gate.WaitStarted(Patience), "the gated task did not start");
        var fast = Enumerable.Range(0, 200).Select(i => executor.Submit(ContractFunctions.Square, i)).ToList();
        Assert.Equal(Enumerable.Range(0, 200).Select(i => i * i), fast.Select(f => f.Result(Patience)));

        doomed.Kill();
        StartWorker("--concurrency", "2", "--node", "survivor");
        Assert.True(gate.WaitStarted(Patience), "the gated task was not redelivered after its node died");
        gate.Release();
        Assert.Equal(7, slow.Result(Patience));
    }

    private sealed class SignallingLogger(Action<string> onMessage) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            onMessage(formatter(state, exception));
    }
}
