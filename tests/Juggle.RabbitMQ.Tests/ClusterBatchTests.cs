using System.Globalization;
using System.Threading.Channels;
using Juggle.RabbitMQ.Internal;
using Juggle.Remoting;
using Juggle.Tests;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Juggle.RabbitMQ.Tests;

/// <summary>
/// Batched claims and answers: the executor decides each claim of a batch on its own future, completes each answer of a
/// batch once, and a worker killed with answers still unsent has exactly those tasks run again elsewhere.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class ClusterBatchTests(BrokerFixture broker) : ClusterTestBase(broker)
{
    [Fact]
    public async Task A_claim_batch_gets_skip_for_the_task_cancelled_in_between_only_and_an_answer_batch_completes_each_future_once()
    {
        var executor = CreateExecutor();
        var futures = Enumerable.Range(1, 3).Select(i => executor.Submit(ContractFunctions.Square, i)).ToList();

        // This test is the worker: it takes the three task messages off the queue itself.
        using var raw = await ConnectRawAsync();
        var channel = raw.Channel;
        var control = await raw.DeclarePrivateQueueAsync();
        var tasks = await ConsumeAsync(channel, Queue, 3);
        var controls = Channel.CreateUnbounded<BasicDeliverEventArgs>();
        await ConsumeIntoAsync(channel, control, controls);
        var replyTo = tasks[0].BasicProperties.ReplyTo!;
        Assert.All(tasks, t => Assert.Equal(replyTo, t.BasicProperties.ReplyTo));
        Assert.All(tasks, t => Assert.False(t.BasicProperties.Persistent, "task messages are transient: the executor sends them again after a reconnect"));
        var ids = tasks.Select(t => TaskMessage.Parse(t.Body.ToArray()).TaskId).ToList();
        Assert.Equal(futures.Select(f => f.Id), ids);

        // The second is cancelled after its message reached the worker, before the worker's claim arrives.
        Assert.True(futures[1].Cancel());
        var claims = ids.Select((id, i) => new ClaimEntry(id, 100 + i, Redelivered: false)).ToList();
        await channel.BasicPublishAsync(string.Empty, replyTo, mandatory: false, ClaimProperties(control), Wire.WriteClaims(claims));

        var grant = await ReadAsync(controls);
        Assert.Equal(Wire.Grant, grant.BasicProperties.Type);
        Assert.Equal([new GrantEntry(100, true), new GrantEntry(101, false), new GrantEntry(102, true)], Wire.ReadGrants(grant.Body.Span));
        Assert.Equal(FutureState.Running, futures[0].State);
        Assert.True(futures[1].Cancelled);
        Assert.Equal(FutureState.Running, futures[2].State);

        // One answer message for both granted tasks, the first one twice (a task that ran twice): each completes once.
        var completions = new int[3];
        for (var i = 0; i < 3; i++)
        {
            var index = i;
            futures[i].AddDoneCallback(_ => Interlocked.Increment(ref completions[index]));
        }

        var builder = Wire.StartAnswers(new FrameBuilder());
        Wire.WriteAnswer(builder, Result(ids[0], 1), []);
        Wire.WriteAnswer(builder, Result(ids[2], 9), []);
        Wire.WriteAnswer(builder, Result(ids[0], 99), []);
        await channel.BasicPublishAsync(string.Empty, replyTo, mandatory: false, AnswerProperties(), Wire.FinishAnswers(builder, 3));

        Assert.Equal(1, futures[0].Result(Patience));
        Assert.Equal(9, futures[2].Result(Patience));
        executor.Shutdown(wait: true);
        Assert.Equal([1, 1, 1], completions);
    }

    [Fact]
    public async Task A_malformed_claim_batch_is_dropped_and_the_executor_goes_on()
    {
        var executor = CreateExecutor();
        var future = executor.Submit(ContractFunctions.Square, 6);
        using var raw = await ConnectRawAsync();
        var channel = raw.Channel;
        var control = await raw.DeclarePrivateQueueAsync();
        var task = (await ConsumeAsync(channel, Queue, 1))[0];

        // A count larger than the body: nothing may be granted, and the executor must still serve a good batch after it.
        await channel.BasicPublishAsync(string.Empty, task.BasicProperties.ReplyTo!, mandatory: false, ClaimProperties(control), new byte[] { 200, 0, 0, 0, 1 });
        await channel.CloseAsync(); // hands the task back to the queue

        StartWorker("--concurrency", "1");
        Assert.Equal(36, future.Result(Patience));
    }

    [Fact]
    public void Every_future_completes_exactly_once_when_a_worker_is_killed_with_answers_not_yet_sent()
    {
        var doomed = StartWorker("--concurrency", "4", "--node", "doomed");
        var executor = CreateExecutor();
        var log = TempFolder();
        const int Count = 300;
        var completions = new int[Count];
        using var some = new CountdownEvent(20);
        var futures = new List<Future<int>>();
        for (var i = 0; i < Count; i++)
        {
            var index = i;
            var future = executor.Submit(ClusterFunctions.LogAndSquare, log, i);
            future.AddDoneCallback(_ =>
            {
                Interlocked.Increment(ref completions[index]);
                if (!some.IsSet)
                {
                    try
                    {
                        some.Signal();
                    }
                    catch (InvalidOperationException)
                    {
                        // Counted down already by another callback.
                    }
                }
            });
            futures.Add(future);
        }

        // Killed mid-run: some answers confirmed, some sent, some still being batched on the node.
        Assert.True(some.Wait(Patience), "the first worker answered no tasks");
        StartWorker("--concurrency", "4", "--node", "survivor");
        doomed.Kill();

        Assert.Equal(Enumerable.Range(0, Count).Select(i => i * i), futures.Select(f => f.Result(Patience)));
        executor.Shutdown(wait: true);
        Assert.All(completions, c => Assert.Equal(1, c));
        Assert.Equal(Count, Directory.GetFiles(log).Length);
        Assert.Equal(Count, executor.Progress.Succeeded);
    }

    private static BasicProperties ClaimProperties(string control) => new()
    {
        Type = Wire.Claim,
        Headers = new Dictionary<string, object?> { [Wire.ControlHeader] = control, [Wire.NodeHeader] = "test" },
    };

    private static BasicProperties AnswerProperties() => new()
    {
        Type = Wire.Answer,
        Headers = new Dictionary<string, object?> { [Wire.NodeHeader] = "test" },
    };

    private static byte[] Result(long taskId, int value) =>
        new FrameBuilder().WriteKind(MessageKind.Result).WriteInt64(taskId).WriteBytes(ArgumentCodec.Serialize(value, typeof(int))).ToArray();

    private static async Task<List<BasicDeliverEventArgs>> ConsumeAsync(IChannel channel, string queue, int count)
    {
        var deliveries = Channel.CreateUnbounded<BasicDeliverEventArgs>();
        await channel.BasicQosAsync(0, (ushort)count, global: false);
        await ConsumeIntoAsync(channel, queue, deliveries, autoAck: false);
        var taken = new List<BasicDeliverEventArgs>();
        for (var i = 0; i < count; i++)
        {
            taken.Add(await ReadAsync(deliveries));
        }

        return taken;
    }

    private static async Task ConsumeIntoAsync(IChannel channel, string queue, Channel<BasicDeliverEventArgs> into, bool autoAck = true)
    {
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            // The body's memory belongs to the client library only during the event: keep a copy.
            var copy = new BasicDeliverEventArgs(delivery.ConsumerTag, delivery.DeliveryTag, delivery.Redelivered, delivery.Exchange, delivery.RoutingKey, delivery.BasicProperties, delivery.Body.ToArray());
            into.Writer.TryWrite(copy);
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck, consumer);
    }

    private static async Task<BasicDeliverEventArgs> ReadAsync(Channel<BasicDeliverEventArgs> from)
    {
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            return await from.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"No message within {Patience.TotalSeconds} s."));
        }
    }
}
