using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Juggle.Cli.Cluster;
using RabbitMQ.Client;

namespace Juggle.RabbitMQ.Tests;

/// <summary>
/// One private RabbitMQ node for the whole test run: its own node name, ports (AMQP, distribution, epmd) taken from
/// free ones, data and logs on tmpfs, listening on 127.0.0.1 only, so it never meets a system node. Stopped (with
/// its epmd) at the end. Without <c>rabbitmq-server</c> installed every broker test fails saying how to install it.
/// </summary>
/// <remarks>
/// Set <c>JUGGLE_TEST_BROKER</c> to an <c>amqp://</c> URI to run against an existing broker instead (the tests that
/// restart the node then fail, naming the variable).
/// </remarks>
public sealed class BrokerFixture : IDisposable
{
    public const string ServerScript = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(240);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, IReadOnlyList<WorkerNode>> _shared = [];
    private readonly List<WorkerNode> _workers = [];
    private readonly string? _directory;
    private readonly Dictionary<string, string> _environment = [];
    private Process? _server;

    public BrokerFixture()
    {
        if (Environment.GetEnvironmentVariable("JUGGLE_TEST_BROKER") is { Length: > 0 } external)
        {
            Uri = new Uri(external);
            return;
        }

        if (!File.Exists(ServerScript))
        {
            throw new InvalidOperationException($"rabbitmq-server is not installed ({ServerScript} is missing): the cluster tests need a real broker. Run `bash build/test.sh` (it installs it) or `sudo apt-get install rabbitmq-server`.");
        }

        _directory = Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), $"juggle-rabbit-{Guid.NewGuid():N}");
        var home = Path.Combine(_directory, "home");
        Directory.CreateDirectory(home);
        Directory.CreateDirectory(Path.Combine(_directory, "mnesia"));
        Directory.CreateDirectory(Path.Combine(_directory, "log"));
        var cookie = Path.Combine(home, ".erlang.cookie");
        File.WriteAllText(cookie, Guid.NewGuid().ToString("N"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(cookie, UnixFileMode.UserRead);
        }
        Password = Guid.NewGuid().ToString("N")[..16];
        File.WriteAllText(Path.Combine(_directory, "rabbitmq.conf"), $"default_user = juggle\ndefault_pass = {Password}\nloopback_users = none\nlisteners.tcp.default = 127.0.0.1:{AmqpPort = FreePort()}\n{TlsListener(Path.Combine(_directory, "tls"))}");
        File.WriteAllText(Path.Combine(_directory, "enabled_plugins"), "[].");

        NodeName = $"juggle-test-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}@localhost";
        var epmdPort = FreePort();
        _environment["HOME"] = home;
        _environment["RABBITMQ_NODENAME"] = NodeName;
        _environment["RABBITMQ_MNESIA_BASE"] = Path.Combine(_directory, "mnesia");
        _environment["RABBITMQ_LOG_BASE"] = Path.Combine(_directory, "log");
        _environment["RABBITMQ_CONFIG_FILE"] = Path.Combine(_directory, "rabbitmq");
        _environment["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(_directory, "enabled_plugins");
        _environment["RABBITMQ_PID_FILE"] = Path.Combine(_directory, "pid");
        _environment["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1";
        _environment["RABBITMQ_NODE_PORT"] = AmqpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _environment["RABBITMQ_DIST_PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        _environment["ERL_EPMD_ADDRESS"] = "127.0.0.1";
        _environment["ERL_EPMD_PORT"] = epmdPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // Schedulers that busy-wait would take CPU from everything else on a loaded machine.
        _environment["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "+sbwt none +sbwtdcpu none +sbwtdio none";
        Uri = new Uri($"amqp://juggle:{Password}@127.0.0.1:{AmqpPort}/");
        try
        {
            StartNode();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The TLS listener's port (amqps), or 0 when its certificates could not be made (see <see cref="TlsProblem"/>).</summary>
    public int TlsPort { get; private set; }

    /// <summary>The CA that signed the TLS listener's certificate, and another that did not.</summary>
    public TlsCertificates? Tls { get; private set; }

    /// <summary>Why the node has no TLS listener, or null.</summary>
    public string? TlsProblem { get; private set; }

    /// <summary>The broker over TLS, with credentials: <c>amqps://juggle:…@127.0.0.1:port/</c>.</summary>
    public Uri TlsUri => new($"amqps://juggle:{Password}@127.0.0.1:{TlsPort}/");

    /// <summary>The broker, with credentials.</summary>
    public Uri Uri { get; }

    public string Password { get; } = string.Empty;

    public int AmqpPort { get; }

    public string NodeName { get; } = string.Empty;

    /// <summary>The node's log, for failure messages.</summary>
    public string LogTail => _directory is null ? string.Empty : string.Join('\n', Directory.GetFiles(Path.Combine(_directory, "log"), "*.log").SelectMany(f => File.ReadLines(f).TakeLast(20)));

    /// <summary>Stops the node gracefully (SIGTERM) and starts it again on the same data: a broker restart.</summary>
    public void RestartNode()
    {
        if (_server is null)
        {
            throw new InvalidOperationException("The tests run against JUGGLE_TEST_BROKER, which they cannot restart; unset it to use a private node.");
        }

        StopNode();
        StartNode();
    }

    /// <summary>Shared worker processes for <paramref name="queue"/>, started once for the run.</summary>
    public IReadOnlyList<WorkerNode> SharedWorkers(string queue, int count, int concurrency)
    {
        lock (_lock)
        {
            if (!_shared.TryGetValue(queue, out var workers))
            {
                workers = Enumerable.Range(0, count).Select(i => StartWorker(queue, "--concurrency", concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture), "--node", $"{queue}-{i}")).ToList();
                _shared[queue] = workers;
            }

            return workers;
        }
    }

    /// <summary>Starts a worker process (the test worker app) on <paramref name="queue"/>, loading this test assembly; returns once it takes tasks.</summary>
    public WorkerNode StartWorker(string queue, params string[] extra)
    {
        var node = WorkerNode.Start(Uri, queue, extra);
        lock (_lock)
        {
            _workers.Add(node);
        }

        return node;
    }

    /// <summary>An open connection to the broker for tests that publish or inspect raw messages.</summary>
    public async Task<IConnection> ConnectAsync() =>
        await new ConnectionFactory { Uri = Uri, AutomaticRecoveryEnabled = false }.CreateConnectionAsync();

    public void Dispose()
    {
        List<WorkerNode> workers;
        lock (_lock)
        {
            workers = [.. _workers];
        }

        foreach (var worker in workers)
        {
            worker.Dispose();
        }

        if (_server is not null)
        {
            StopNode();
        }

        if (_environment.TryGetValue("ERL_EPMD_PORT", out _))
        {
            // The node started its own epmd on the private port; stopping the node leaves it running.
            Run("/usr/bin/epmd", "-kill");
        }

        if (_directory is not null)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>rabbitmq.conf lines for an amqps listener with a certificate from a CA made now (none if openssl fails: only the TLS tests then fail).</summary>
    private string TlsListener(string directory)
    {
        try
        {
            Tls = TlsCertificates.Create(directory);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
        {
            TlsProblem = ex.Message;
            return string.Empty;
        }

        TlsPort = FreePort();
        return $"listeners.ssl.default = 127.0.0.1:{TlsPort}\nssl_options.cacertfile = {Tls.CaCertificate}\nssl_options.certfile = {Tls.ServerCertificate}\nssl_options.keyfile = {Tls.ServerKey}\nssl_options.verify = verify_none\nssl_options.fail_if_no_peer_cert = false\n";
    }

    private static int FreePort() => BrokerNodeTools.FreePort();

    private void StartNode()
    {
        var info = new ProcessStartInfo(ServerScript) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in _environment)
        {
            info.Environment[key] = value;
        }

        var output = new StringBuilder();
        _server = Process.Start(info)!;
        _server.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        _server.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();

        var watch = Stopwatch.StartNew();
        var factory = new ConnectionFactory { Uri = Uri, AutomaticRecoveryEnabled = false, RequestedConnectionTimeout = TimeSpan.FromSeconds(5) };
        while (true)
        {
            if (_server.HasExited)
            {
                throw new InvalidOperationException($"rabbitmq-server exited with code {_server.ExitCode} while starting:\n{output}\n{LogTail}");
            }

            try
            {
                using var connection = factory.CreateConnectionAsync().GetAwaiter().GetResult();
                StartupTime = watch.Elapsed;
                return;
            }
            catch (Exception ex) when (ex is global::RabbitMQ.Client.Exceptions.BrokerUnreachableException or IOException or SocketException)
            {
                if (watch.Elapsed > StartTimeout)
                {
                    throw new TimeoutException($"The private RabbitMQ node did not accept connections within {StartTimeout.TotalSeconds} s:\n{output}\n{LogTail}");
                }

                Thread.Sleep(250); // polling a process we do not control; not synchronising threads
            }
        }
    }

    /// <summary>How long the node took to accept connections the last time it started.</summary>
    public TimeSpan StartupTime { get; private set; }

    private void StopNode()
    {
        var server = _server!;
        _server = null;
        if (!server.HasExited)
        {
            Run("/bin/kill", "-TERM", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (!server.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                server.Kill(entireProcessTree: true);
                server.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }

        server.Dispose();
    }

    private void Run(string file, params string[] arguments) => BrokerNodeTools.RunQuietly(_environment, file, arguments);
}

[CollectionDefinition(Name)]
public sealed class BrokerCollection : ICollectionFixture<BrokerFixture>
{
    public const string Name = "broker";
}
