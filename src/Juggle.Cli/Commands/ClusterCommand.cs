using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Juggle.Cli.Cluster;

namespace Juggle.Cli.Commands;

/// <summary>
/// <c>juggle cluster up</c>: a cluster on this machine for trying things out — a private RabbitMQ node (on 127.0.0.1,
/// data in tmpfs, a random password) and N <c>juggle worker</c> processes running this tool's own functions (the
/// ones <c>--mode cluster</c> uses) plus any <c>--assembly</c>. Prints the broker URI; Ctrl+C stops everything.
/// </summary>
internal static class ClusterCommand
{
    /// <summary>The one line the root help shows for this command.</summary>
    internal const string Summary = "A local cluster for the cluster executor (RabbitMQ)";

    public static Command Create(CliEnvironment env)
    {
        var workers = OptionRules.Int("--workers", "Worker nodes to start", 0, 64, 2, 2);
        var assemblies = new Option<string[]>("--assembly") { Description = "Also run the [JuggleFunction] methods of this assembly (repeat for more)", HelpName = "PATH" };
        var up = new Command("up", "Start a private RabbitMQ node and N local worker nodes; print the broker URI; Ctrl+C stops them all")
        {
            workers, assemblies,
        };
        up.SetAction((result, token) => UpAsync(env, result.GetValue(workers), result.GetValue(assemblies) ?? [], token));
        return new Command("cluster", Summary) { up };
    }

    private static async Task<int> UpAsync(CliEnvironment env, int count, string[] assemblies, CancellationToken cancellationToken)
    {
        Native.NativeBuild.ThrowIfNativeWithAssemblies("cluster up", assemblies);
        foreach (var path in assemblies)
        {
            if (!File.Exists(path))
            {
                throw new UsageException($"--assembly: '{path}' does not exist.");
            }
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        await env.Error.WriteLineAsync("Starting a private RabbitMQ node (10-60 s)...").ConfigureAwait(false);
        using var broker = await LocalBroker.StartAsync(TimeSpan.FromMinutes(3), stop.Token).ConfigureAwait(false);
        var nodes = new List<Process>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                nodes.Add(StartWorker(broker.Uri, i, assemblies));
            }

            await env.Out.WriteLineAsync(broker.Uri.ToString()).ConfigureAwait(false);
            await env.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Broker ready with {count} worker node(s). Use it with: export JUGGLE_BROKER='{broker.Uri}'  (e.g. juggle words --mode cluster FILES). Ctrl+C stops everything.")).ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C or SIGTERM.
            }
        }
        finally
        {
            await env.Error.WriteLineAsync("Stopping the workers and the broker...").ConfigureAwait(false);
            foreach (var node in nodes)
            {
                try
                {
                    node.StandardInput.Close();
                    if (!node.HasExited)
                    {
                        using var term = Process.Start(new ProcessStartInfo("/bin/kill") { ArgumentList = { "-TERM", node.Id.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false });
                        term?.WaitForExit(TimeSpan.FromSeconds(10));
                    }

                    if (!node.WaitForExit(TimeSpan.FromSeconds(30)))
                    {
                        node.Kill(entireProcessTree: true);
                    }
                }
                catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
                {
                    // Already gone.
                }

                node.Dispose();
            }
        }

        return ExitCodes.Success;
    }

    /// <summary>Starts <c>juggle worker</c> as a child process: the same tool, so the same functions and dependencies.</summary>
    private static Process StartWorker(Uri broker, int index, string[] assemblies)
    {
        var self = Environment.ProcessPath ?? "dotnet";
        var info = new ProcessStartInfo(self) { UseShellExecute = false, RedirectStandardInput = true };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            info.ArgumentList.Add("exec");
            info.ArgumentList.Add(Native.NativeBuild.ToolAssemblyPath());
        }

        // A worker runs this tool's own functions without being told (the ones --mode cluster uses).
        info.ArgumentList.Add("worker");
        foreach (var path in assemblies)
        {
            info.ArgumentList.Add("--assembly");
            info.ArgumentList.Add(Path.GetFullPath(path));
        }

        info.ArgumentList.Add("--node");
        info.ArgumentList.Add(string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}-worker-{index + 1}"));

        // The URI travels in the environment, not on the command line where other users could read it.
        info.Environment["JUGGLE_BROKER"] = broker.ToString();
        return Process.Start(info) ?? throw new InvalidOperationException("Could not start a worker node.");
    }
}
