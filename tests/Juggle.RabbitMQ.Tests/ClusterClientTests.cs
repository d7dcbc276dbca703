using System.Diagnostics;
using System.Security.Authentication;
using Juggle.RabbitMQ.Internal;
using Juggle.Tests;

namespace Juggle.RabbitMQ.Tests;

/// <summary>Clients that die with tasks queued and running, and clients and workers over amqps://.</summary>
[Collection(BrokerCollection.Name)]
public sealed class ClusterClientTests(BrokerFixture broker) : ClusterTestBase(broker)
{
    [Fact]
    public async Task A_killed_client_leaves_nothing_running_for_it_and_the_worker_serves_the_next_client()
    {
        var worker = StartWorker("--concurrency", "2", "--node", "survivor");
        var folder = TempFolder();
        using var gate = new CrossProcessGate();
        using var client = StartClient(folder, gate.Path, count: 10);

        // Two tasks running on the worker, eight queued on the broker behind them.
        Assert.True(gate.WaitStarted(Patience, count: 2), "no task of the client started");
        Assert.True(await WaitForQueueAsync(count => count == 8), "the client's other tasks never reached the broker");

        client.Kill(entireProcessTree: true);
        Assert.True(client.WaitForExit(Patience));
        gate.Release(2);

        // The next client's task queues behind the dead one's: once it is answered, the worker has been through them.
        using (var next = CreateExecutor())
        {
            Assert.Equal(81, next.Submit(ContractFunctions.Square, 9).Result(Patience));
        }

        Assert.Equal(["0", "1"], Directory.GetFiles(folder).Select(Path.GetFileName).Order());
        Assert.True(await WaitForQueueAsync(count => count == 0), "tasks of the dead client are still queued");
        Assert.Contains("its executor is gone", worker.Log);
        Assert.False(worker.HasExited, worker.Log);

        // Nothing comes back later either: a last round trip, and still only the two that were running ever ran.
        using (var last = CreateExecutor())
        {
            Assert.Equal(4, last.Submit(ContractFunctions.Square, 2).Result(Patience));
        }

        Assert.Equal(2, Directory.GetFiles(folder).Length);
    }

    [Fact]
    public void A_client_and_a_worker_run_tasks_over_amqps_with_the_CA_trusted_through_the_options()
    {
        var tls = Broker.Tls ?? throw new InvalidOperationException($"The private node has no TLS listener: {Broker.TlsProblem}");
        using var stop = new CancellationTokenSource();
        var worker = new RabbitMqWorker(new RabbitMqWorkerOptions
        {
            Broker = Broker.TlsUri,
            QueueName = Queue,
            Tls = BrokerTls.TrustCertificateAuthority(tls.CaCertificate),
            Assemblies = { typeof(ContractFunctions).Assembly },
        });
        var run = worker.RunAsync(stop.Token);
        try
        {
            Assert.True(worker.Ready.Wait(Patience), "the worker did not connect over TLS");
            var executor = CreateExecutor(o =>
            {
                o.Broker = Broker.TlsUri;
                o.Tls = BrokerTls.TrustCertificateAuthority(tls.CaCertificate, serverName: "localhost");
            });
            Assert.Equal(Enumerable.Range(0, 20).Select(i => i * i), executor.Map(ContractFunctions.Square, Enumerable.Range(0, 20)));
            Assert.Equal(20, worker.TasksCompleted);
        }
        finally
        {
            stop.Cancel();
            Assert.True(run.Wait(Patience));
            worker.Dispose();
        }
    }

    [Fact]
    public void An_untrusted_broker_certificate_fails_with_a_clear_error()
    {
        var tls = Broker.Tls ?? throw new InvalidOperationException($"The private node has no TLS listener: {Broker.TlsProblem}");
        var watch = Stopwatch.StartNew();

        // Neither another CA nor the system's roots vouch for the node's certificate.
        foreach (var options in new[] { BrokerTls.TrustCertificateAuthority(tls.OtherCaCertificate), null })
        {
            var ex = Assert.Throws<BrokerConnectionException>(() => new RabbitMqExecutor(new RabbitMqExecutorOptions { Broker = Broker.TlsUri, QueueName = Queue, Tls = options }));
            Assert.Contains("TLS: the broker's certificate is not trusted", ex.Message);
            Assert.Contains("BrokerTls.TrustCertificateAuthority", ex.Message);
            Assert.DoesNotContain(Broker.Password, ex.Message);
        }

        // A name the certificate does not carry fails too, even with the right CA.
        var wrongName = Assert.Throws<BrokerConnectionException>(() => new RabbitMqExecutor(new RabbitMqExecutorOptions
        {
            Broker = Broker.TlsUri,
            QueueName = Queue,
            Tls = BrokerTls.TrustCertificateAuthority(tls.CaCertificate, serverName: "broker.example"),
        }));
        Assert.Contains("TLS:", wrongName.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(90), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Juggle_worker_connects_over_amqps_with_tls_ca()
    {
        var tls = Broker.Tls ?? throw new InvalidOperationException($"The private node has no TLS listener: {Broker.TlsProblem}");
        using var worker = JuggleProcess.Start(
            new Dictionary<string, string?> { ["JUGGLE_BROKER"] = Broker.TlsUri.ToString() },
            "worker", "--queue", Queue, "--tls-ca", tls.CaCertificate);
        Assert.True(worker.WaitForLine("connected to amqps://juggle:***@127.0.0.1", TimeSpan.FromSeconds(120)), worker.Transcript);
        var executor = CreateExecutor();
        Assert.True(executor.Submit(Juggle.Cli.Workloads.CpuWork.IsPrime, 1_000_003L).Result(Patience));
        worker.Signal("TERM");
        Assert.Equal(0, worker.WaitForExit(Patience));
    }

    private Process StartClient(string folder, string gate, int count)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])["exec", WorkerNode.WorkerDll, "client", "--broker", Broker.Uri.ToString(), "--assembly", WorkerNode.TestAssembly, "--queue", Queue, "--folder", folder, "--gate", gate, "--count", count.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Polls the task queue's ready count (the broker has no event for it) until <paramref name="done"/>; false after the patience.</summary>
    private async Task<bool> WaitForQueueAsync(Func<uint, bool> done)
    {
        using var raw = await ConnectRawAsync();
        var channel = raw.Channel;
        await Wire.DeclareTaskQueueAsync(channel, Queue, CancellationToken.None);
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < Patience)
        {
            if (done(await channel.MessageCountAsync(Queue)))
            {
                return true;
            }

            await Task.Delay(100); // polling the broker's count
        }

        return false;
    }
}
