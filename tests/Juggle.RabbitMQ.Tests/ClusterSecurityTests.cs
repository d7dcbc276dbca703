using System.Text;
using Juggle.RabbitMQ.Internal;
using Juggle.Remoting;
using Juggle.Tests;
using RabbitMQ.Client;

namespace Juggle.RabbitMQ.Tests;

/// <summary>What a worker does with messages nobody should send: raw publishes naming other methods, garbage, oversized bodies.</summary>
[Collection(BrokerCollection.Name)]
public sealed class ClusterSecurityTests(BrokerFixture broker) : ClusterTestBase(broker)
{
    [Fact]
    public async Task A_raw_message_naming_File_Delete_is_refused_and_dead_lettered_and_the_file_survives()
    {
        var worker = StartWorker();
        var victim = TempFile();
        var delete = typeof(File).GetMethod(nameof(File.Delete), [typeof(string)])!;
        var body = TaskBody(FunctionReference.FromMethod(delete, "method"), 7, [ArgumentCodec.Serialize(victim, typeof(string))]);

        var answer = await PublishAndReadAnswerAsync(body);
        Assert.True(File.Exists(victim), "the worker ran File.Delete");
        var (kind, error) = ReadError(answer);
        Assert.Equal(MessageKind.Error, kind);
        Assert.Contains("System.Private.CoreLib", error.Message);
        Assert.Contains("[JuggleFunction]", error.Message);
        Assert.Equal(1u, await DeadLetterCountAsync());
        AssertWorkerStillServes(worker);
    }

    [Fact]
    public async Task A_raw_message_naming_a_method_without_the_attribute_is_refused()
    {
        var worker = StartWorker();
        var method = typeof(ClusterFunctions).GetMethod(nameof(ClusterFunctions.NotMarked))!;
        var body = TaskBody(FunctionReference.FromMethod(method, "method"), 8, [ArgumentCodec.Serialize(5, typeof(int))]);

        var (kind, error) = ReadError(await PublishAndReadAnswerAsync(body));
        Assert.Equal(MessageKind.Error, kind);
        Assert.Contains("not a public static method marked [JuggleFunction]", error.Message);
        AssertWorkerStillServes(worker);
    }

    [Fact]
    public async Task Malformed_and_oversized_messages_are_dead_lettered_without_killing_the_worker()
    {
        var worker = StartWorker();
        using var raw = await ConnectRawAsync();
        var channel = raw.Channel;
        await Wire.DeclareTaskQueueAsync(channel, Queue, CancellationToken.None);
        var garbage = new byte[1000];
        Random.Shared.NextBytes(garbage);
        await channel.BasicPublishAsync(string.Empty, Queue, false, TaskProperties("amq.rabbitmq.reply-to.none"), garbage);
        await channel.BasicPublishAsync(string.Empty, Queue, false, TaskProperties("nowhere"), Encoding.UTF8.GetBytes("{\"not\":\"frames\"}"));
        await channel.BasicPublishAsync(string.Empty, Queue, false, new BasicProperties { Type = "something-else" }, new byte[] { 1, 2, 3 });
        await channel.BasicPublishAsync(string.Empty, Queue, false, TaskProperties("nowhere"), new byte[17 << 20]);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (await DeadLetterCountAsync() < 4 && watch.Elapsed < Patience)
        {
            await Task.Delay(100); // polling the broker's count; no handshake exists for "the worker rejected it"
        }

        Assert.Equal(4u, await DeadLetterCountAsync());
        AssertWorkerStillServes(worker);
        Assert.Contains("dead-letter", worker.Log);
        Assert.Contains("message size limit", worker.Log);
    }

    [Fact]
    public void The_worker_log_never_contains_the_broker_password()
    {
        var worker = StartWorker();
        AssertWorkerStillServes(worker);
        var password = Broker.Uri.UserInfo.Split(':')[1];
        Assert.Contains("***", worker.Log);
        Assert.DoesNotContain($":{password}@", worker.Log);
    }

    private static BasicProperties TaskProperties(string replyTo) => new()
    {
        Type = Wire.Call,
        ReplyTo = replyTo,
        CorrelationId = "7",
        Headers = new Dictionary<string, object?> { [Wire.VersionHeader] = Wire.Version },
    };

    private static byte[] TaskBody(FunctionReference function, long taskId, byte[][] arguments)
    {
        using var stream = new MemoryStream();
        Frames.Write(stream, Messages.Define(0, function));
        Messages.WriteCall(stream, taskId, 0, arguments);
        return stream.ToArray();
    }

    private static (MessageKind Kind, RemoteError Error) ReadError(byte[] batch)
    {
        var answers = Wire.ReadAnswers(batch);
        Assert.Single(answers);
        var parser = new FrameParser(answers[0].Answer);
        var kind = parser.ReadKind();
        parser.ReadInt64();
        return (kind, RemoteError.Read(ref parser));
    }

    private void AssertWorkerStillServes(WorkerNode worker)
    {
        Assert.False(worker.HasExited, worker.Log);
        using var executor = CreateExecutor();
        Assert.Equal(49, executor.Submit(ContractFunctions.Square, 7).Result(Patience));
    }

    private async Task<byte[]> PublishAndReadAnswerAsync(byte[] body)
    {
        using var raw = await ConnectRawAsync();
        var channel = raw.Channel;
        await Wire.DeclareTaskQueueAsync(channel, Queue, CancellationToken.None);
        var reply = await raw.DeclarePrivateQueueAsync();
        await channel.BasicPublishAsync(string.Empty, Queue, false, TaskProperties(reply), body);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (watch.Elapsed < Patience)
        {
            if (await channel.BasicGetAsync(reply, autoAck: true) is { } got)
            {
                return got.Body.ToArray();
            }

            await Task.Delay(50); // polling the reply queue of a raw client
        }

        throw new TimeoutException("The worker never answered the raw message.");
    }

    private async Task<uint> DeadLetterCountAsync()
    {
        using var raw = await ConnectRawAsync();
        return await raw.Channel.MessageCountAsync(Wire.DeadLetterQueue(Queue));
    }
}
