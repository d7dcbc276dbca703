using System.Diagnostics;
using Juggle.Tests;

namespace Juggle.RabbitMQ.Tests;

/// <summary>What the cluster executor adds to the contract: [JuggleFunction] checks, size limits, the node in errors, connection errors.</summary>
[Collection(BrokerCollection.Name)]
public sealed class RabbitMqExecutorTests(BrokerFixture broker) : ClusterTestBase(broker)
{
    [Fact]
    public void A_method_without_JuggleFunction_is_refused_at_Submit()
    {
        var executor = CreateExecutor();
        var ex = Assert.Throws<ArgumentException>(() => executor.Submit(ClusterFunctions.NotMarked, 1));
        Assert.Equal("fn", ex.ParamName);
        Assert.Contains("[JuggleFunction]", ex.Message);
        Assert.Contains("NotMarked", ex.Message);
        Assert.Throws<ArgumentException>(() => executor.Map(ClusterFunctions.NotMarked, [1, 2]).ToList());
        Assert.Throws<ArgumentException>(() => executor.Submit(static (int x) => x + 1, 1));
        Assert.Equal(0, executor.Progress.Submitted);
    }

    [Fact]
    public void A_failed_task_names_the_node_that_ran_it()
    {
        StartWorker("--node", "node-with-a-name");
        var executor = CreateExecutor();
        var ex = Assert.Throws<ArgumentException>(() => executor.Submit(ClusterFunctions.ThrowArgument, "bad input").Result(Patience));
        Assert.Equal("bad input", ex.Message);
        Assert.Equal("node-with-a-name", ex.Data[RabbitMqExecutor.NodeDataKey]);
        Assert.Contains("ThrowArgument", (string)ex.Data[ProcessPoolExecutor.RemoteStackTraceKey]!);
    }

    [Fact]
    public void Arguments_over_the_message_size_limit_are_refused_at_Submit_naming_the_limit()
    {
        var executor = CreateExecutor(o => o.MaxMessageSize = 64 * 1024);
        var ex = Assert.Throws<ArgumentException>(() => executor.Submit(ContractFunctions.Echo, new string('x', 100_000)));
        Assert.Contains("MaxMessageSize", ex.Message);
        Assert.Contains("65,536", ex.Message);
        Assert.Equal("arg", ex.ParamName);
    }

    [Fact]
    public void A_result_over_the_workers_message_size_limit_fails_its_task_naming_the_limit()
    {
        StartWorker();
        var executor = CreateExecutor();
        var ex = Assert.Throws<InvalidOperationException>(() => executor.Submit(ClusterFunctions.Text, 17 << 20).Result(Patience));
        Assert.Contains("MaxMessageSize", ex.Message);
        Assert.Equal(5, executor.Submit(ClusterFunctions.Text, 5).Result(Patience).Length);
    }

    [Fact]
    public void Wrong_credentials_fail_fast_with_a_clear_error_that_never_shows_the_password()
    {
        var uri = new UriBuilder(Broker.Uri) { Password = "wrong-secret-password" }.Uri;
        var watch = Stopwatch.StartNew();
        var ex = Assert.Throws<BrokerConnectionException>(() => new RabbitMqExecutor(new RabbitMqExecutorOptions { Broker = uri, QueueName = Queue }));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
        Assert.Contains("credentials", ex.Message);
        Assert.DoesNotContain("wrong-secret-password", ex.ToString());
        Assert.Contains("***", ex.Broker);
    }

    [Fact]
    public void An_unreachable_broker_fails_within_the_connect_timeout()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now
        var watch = Stopwatch.StartNew();
        var ex = Assert.Throws<BrokerConnectionException>(() => new RabbitMqExecutor(new RabbitMqExecutorOptions
        {
            Broker = new Uri($"amqp://user:hunter2secret@127.0.0.1:{port}/"),
            ConnectTimeout = TimeSpan.FromSeconds(3),
        }));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
        Assert.DoesNotContain("hunter2secret", ex.ToString());
        Assert.Contains($"127.0.0.1:{port}", ex.Message);
    }

    [Fact]
    public void The_broker_comes_from_JUGGLE_BROKER_when_not_given()
    {
        var previous = Environment.GetEnvironmentVariable("JUGGLE_BROKER");
        Environment.SetEnvironmentVariable("JUGGLE_BROKER", Broker.Uri.ToString());
        try
        {
            StartWorker();
            using var executor = new RabbitMqExecutor(new RabbitMqExecutorOptions { QueueName = Queue });
            Assert.Equal(9, executor.Submit(ContractFunctions.Square, 3).Result(Patience));
            var password = Broker.Uri.UserInfo.Split(':')[1];
            Assert.DoesNotContain($":{password}@", executor.Broker);
            Assert.Contains("***", executor.Broker);
        }
        finally
        {
            Environment.SetEnvironmentVariable("JUGGLE_BROKER", previous);
        }
    }

    [Fact]
    public void Options_are_validated_naming_the_option()
    {
        Assert.Equal("QueueName", Assert.ThrowsAny<ArgumentException>(() => new RabbitMqExecutor(new RabbitMqExecutorOptions { Broker = Broker.Uri, QueueName = "" })).ParamName);
        Assert.Equal("PoisonLimit", Assert.ThrowsAny<ArgumentException>(() => new RabbitMqExecutor(new RabbitMqExecutorOptions { Broker = Broker.Uri, PoisonLimit = 0 })).ParamName);
        Assert.Equal("TaskTimeout", Assert.ThrowsAny<ArgumentException>(() => new RabbitMqExecutor(new RabbitMqExecutorOptions { Broker = Broker.Uri, TaskTimeout = TimeSpan.Zero })).ParamName);
        Assert.Equal("MaxMessageSize", Assert.ThrowsAny<ArgumentException>(() => new RabbitMqExecutor(new RabbitMqExecutorOptions { Broker = Broker.Uri, MaxMessageSize = 10 })).ParamName);
        Assert.Equal("Broker", Assert.ThrowsAny<ArgumentException>(() => new RabbitMqExecutor(new RabbitMqExecutorOptions { Broker = new Uri("http://example.com/") })).ParamName);
        Assert.Equal("AssemblyPaths", Assert.ThrowsAny<ArgumentException>(() => new RabbitMqWorker(new RabbitMqWorkerOptions { Broker = Broker.Uri })).ParamName);
        Assert.Equal("Concurrency", Assert.ThrowsAny<ArgumentException>(() => new RabbitMqWorker(new RabbitMqWorkerOptions { Broker = Broker.Uri, Concurrency = 0, Assemblies = { typeof(ClusterFunctions).Assembly } })).ParamName);
        var missing = Assert.ThrowsAny<ArgumentException>(() => new RabbitMqWorker(new RabbitMqWorkerOptions { Broker = Broker.Uri, AssemblyPaths = { "/nonexistent/Functions.dll" } }));
        Assert.Equal("AssemblyPaths", missing.ParamName);
        Assert.Contains("/nonexistent/Functions.dll", missing.Message);
    }

    [Fact]
    public void TaskTimeout_fails_a_task_that_runs_too_long_and_the_worker_goes_on()
    {
        StartWorker("--concurrency", "1");
        var executor = CreateExecutor(o => o.TaskTimeout = TimeSpan.FromSeconds(2));
        using var gate = new CrossProcessGate();
        var slow = executor.Submit(ContractFunctions.BlockUntilReleased, gate.Path);
        var ex = Assert.Throws<TimeoutException>(() => slow.Result(Patience));
        Assert.Contains("TaskTimeout", ex.Message);
        gate.Release();
        Assert.Equal(16, executor.Submit(ContractFunctions.Square, 4).Result(Patience));
    }

    [Fact]
    public void A_trace_context_travels_with_the_task()
    {
        StartWorker();
        var executor = CreateExecutor();
        using var activity = new Activity("submit").SetIdFormat(ActivityIdFormat.W3C).Start();
        var traceParent = executor.Submit(ClusterFunctions.CurrentTraceParent).Result(Patience);
        Assert.NotNull(traceParent);
        Assert.Contains(activity.TraceId.ToHexString(), traceParent);
    }
}
