using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Juggle.Cli.Cluster;

/// <summary>
/// A private RabbitMQ node for <c>juggle cluster up</c>: its own node name, free ports, data on tmpfs, 127.0.0.1 only,
/// a random password; stopped (with its epmd) on dispose. Needs the rabbitmq-server package.
/// </summary>
internal sealed class LocalBroker : IDisposable
{
    /// <summary>Where the rabbitmq-server package puts its scripts.</summary>
    public const string DefaultBinDirectory = "/usr/lib/rabbitmq/bin";

    /// <summary>Overrides <see cref="DefaultBinDirectory"/>: the folder holding <c>rabbitmq-server</c> (a RabbitMQ installed elsewhere).</summary>
    public const string BinVariable = "JUGGLE_RABBITMQ_BIN";

    /// <summary>The <c>rabbitmq-server</c> script to start: in <c>JUGGLE_RABBITMQ_BIN</c> if set, else in <see cref="DefaultBinDirectory"/>.</summary>
    public static string ServerScript => Path.Combine(
        Environment.GetEnvironmentVariable(BinVariable) is { Length: > 0 } bin ? bin : DefaultBinDirectory, "rabbitmq-server");

    private readonly string _directory;
    private readonly Dictionary<string, string> _environment = [];
    private Process? _server;

    private LocalBroker(string directory, Uri uri)
    {
        _directory = directory;
        Uri = uri;
    }

    /// <summary>The node's URI with its credentials (print it only to the user who started it).</summary>
    public Uri Uri { get; }

    /// <summary>Starts a node and waits until it accepts connections; throws <see cref="InvalidOperationException"/> saying how to install RabbitMQ when it is missing.</summary>
    public static async Task<LocalBroker> StartAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var script = ServerScript;
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"RabbitMQ is not installed ({script} is missing). Install it with 'sudo apt-get install rabbitmq-server' (or run 'bash build/test.sh' in the repository); if it is installed elsewhere, set {BinVariable} to the folder holding rabbitmq-server; or point executors and workers at an existing broker with --broker.");
        }

        var directory = Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), $"juggle-cluster-{Guid.NewGuid():N}");
        var home = Path.Combine(directory, "home");
        Directory.CreateDirectory(home);
        Directory.CreateDirectory(Path.Combine(directory, "mnesia"));
        Directory.CreateDirectory(Path.Combine(directory, "log"));
        var cookie = Path.Combine(home, ".erlang.cookie");
        await File.WriteAllTextAsync(cookie, Guid.NewGuid().ToString("N"), cancellationToken).ConfigureAwait(false);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(cookie, UnixFileMode.UserRead);
        }

        var password = Guid.NewGuid().ToString("N")[..16];
        var port = FreePort();
        await File.WriteAllTextAsync(Path.Combine(directory, "rabbitmq.conf"), $"default_user = juggle\ndefault_pass = {password}\nloopback_users = none\nlisteners.tcp.default = 127.0.0.1:{port}\n", cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(directory, "enabled_plugins"), "[].", cancellationToken).ConfigureAwait(false);
        var broker = new LocalBroker(directory, new Uri($"amqp://juggle:{password}@127.0.0.1:{port}/"));
        var env = broker._environment;
        env["HOME"] = home;
        env["RABBITMQ_NODENAME"] = $"juggle-cluster-{Environment.ProcessId}@localhost";
        env["RABBITMQ_MNESIA_BASE"] = Path.Combine(directory, "mnesia");
        env["RABBITMQ_LOG_BASE"] = Path.Combine(directory, "log");
        env["RABBITMQ_CONFIG_FILE"] = Path.Combine(directory, "rabbitmq");
        env["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(directory, "enabled_plugins");
        env["RABBITMQ_PID_FILE"] = Path.Combine(directory, "pid");
        env["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1";
        env["RABBITMQ_NODE_PORT"] = port.ToString(CultureInfo.InvariantCulture);
        env["RABBITMQ_DIST_PORT"] = FreePort().ToString(CultureInfo.InvariantCulture);
        env["ERL_EPMD_ADDRESS"] = "127.0.0.1";
        env["ERL_EPMD_PORT"] = FreePort().ToString(CultureInfo.InvariantCulture);
        env["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "+sbwt none +sbwtdcpu none +sbwtdio none";
        try
        {
            await broker.StartAsync(script, port, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            broker.Dispose();
            throw;
        }

        return broker;
    }

    public void Dispose()
    {
        if (_server is { } server)
        {
            _server = null;
            if (!server.HasExited)
            {
                // SIGTERM is a graceful stop for the node.
                Run("/bin/kill", "-TERM", server.Id.ToString(CultureInfo.InvariantCulture));
                if (!server.WaitForExit(TimeSpan.FromSeconds(60)))
                {
                    server.Kill(entireProcessTree: true);
                }
            }

            server.Dispose();
        }

        // The node started its own epmd on the private port; it outlives the node unless told to stop.
        Run("/usr/bin/epmd", "-kill");
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Leftovers in tmpfs are harmless.
        }
    }

    private static int FreePort() => BrokerNodeTools.FreePort();

    private async Task StartAsync(string script, int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(script) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in _environment)
        {
            info.Environment[key] = value;
        }

        _server = Process.Start(info)!;
        _server.OutputDataReceived += (_, _) => { };
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (_server.HasExited)
            {
                throw new InvalidOperationException($"rabbitmq-server exited with code {_server.ExitCode} while starting; its log is in {Path.Combine(_directory, "log")}.");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (SocketException) when (watch.Elapsed < timeout)
            {
                await Task.Delay(250, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException ex)
            {
                throw new InvalidOperationException($"The RabbitMQ node did not accept connections within {timeout.TotalSeconds:0} s (a loaded machine starts it slowly).", ex);
            }
        }
    }

    private void Run(string file, params string[] arguments) => BrokerNodeTools.RunQuietly(_environment, file, arguments);
}
