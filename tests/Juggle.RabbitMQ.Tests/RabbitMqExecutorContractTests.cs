using Juggle.Tests;

namespace Juggle.RabbitMQ.Tests;

/// <summary>The executor contract for <see cref="RabbitMqExecutor"/>: the same tests, with tasks on two worker processes through a private broker.</summary>
[Collection(BrokerCollection.Name)]
public sealed class RabbitMqExecutorContractTests : ExecutorContractTests
{
    private const string Queue = "juggle.test.contract";
    private readonly BrokerFixture _broker;

    public RabbitMqExecutorContractTests(BrokerFixture broker)
    {
        _broker = broker;
        broker.SharedWorkers(Queue, count: 2, concurrency: 4);
    }

    protected override Executor CreateExecutor(int maxWorkers)
    {
        if (maxWorkers <= 0)
        {
            return new RabbitMqExecutor(_broker.Uri, maxWorkers);
        }

        return new RabbitMqExecutor(new RabbitMqExecutorOptions { Broker = _broker.Uri, QueueName = Queue, MaxWorkers = maxWorkers });
    }

    protected override Executor CreateExecutor(int maxWorkers, Action<ExecutorOptions> configure)
    {
        var options = new RabbitMqExecutorOptions { Broker = _broker.Uri, QueueName = Queue, MaxWorkers = maxWorkers };
        configure(options);
        return new RabbitMqExecutor(options);
    }
}
