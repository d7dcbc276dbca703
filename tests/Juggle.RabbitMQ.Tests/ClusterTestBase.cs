using RabbitMQ.Client;

namespace Juggle.RabbitMQ.Tests;

/// <summary>Helpers for the cluster tests: a fresh queue per test, private worker processes, executors on that queue.</summary>
public abstract class ClusterTestBase : IDisposable
{
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly List<IDisposable> _owned = [];

    protected ClusterTestBase(BrokerFixture broker)
    {
        Broker = broker;
        Queue = $"juggle.test.{GetType().Name}.{Guid.NewGuid():N}";
    }

    protected BrokerFixture Broker { get; }

    protected string Queue { get; }

    public void Dispose()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }

        GC.SuppressFinalize(this);
    }

    protected WorkerNode StartWorker(params string[] extra)
    {
        var node = Broker.StartWorker(Queue, extra);
        _owned.Add(node);
        return node;
    }

    protected RabbitMqExecutor CreateExecutor(Action<RabbitMqExecutorOptions>? configure = null)
    {
        var options = new RabbitMqExecutorOptions { Broker = Broker.Uri, QueueName = Queue };
        configure?.Invoke(options);
        var executor = new RabbitMqExecutor(options);
        _owned.Add(executor);
        return executor;
    }

    /// <summary>A raw AMQP client on the test broker, for tests that play a worker or publish what no executor sends; disposing closes it.</summary>
    protected async Task<RawClient> ConnectRawAsync()
    {
        var connection = await Broker.ConnectAsync();
        try
        {
            return new RawClient(connection, await connection.CreateChannelAsync());
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    protected T Own<T>(T disposable)
        where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    protected string TempFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"juggle-cluster-{Guid.NewGuid():N}.log");
        File.WriteAllText(path, string.Empty);
        _owned.Add(new Deleter(path));
        return path;
    }

    /// <summary>A fresh folder where tasks record that they ran (one file each: no shared file to append to).</summary>
    protected string TempFolder()
    {
        var path = Directory.CreateTempSubdirectory("juggle-cluster-").FullName;
        _owned.Add(new Deleter(path));
        return path;
    }

    /// <summary>A connection and its one channel.</summary>
    protected sealed class RawClient(IConnection connection, IChannel channel) : IDisposable
    {
        public IChannel Channel => channel;

        /// <summary>Declares a server-named queue only this client sees, deleted with it (for answers and control messages).</summary>
        public async Task<string> DeclarePrivateQueueAsync() =>
            (await channel.QueueDeclareAsync(string.Empty, durable: false, exclusive: true, autoDelete: true)).QueueName;

        public void Dispose()
        {
            channel.Dispose();
            connection.Dispose();
        }
    }

    private sealed class Deleter(string path) : IDisposable
    {
        public void Dispose()
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
            else
            {
                File.Delete(path);
            }
        }
    }
}
