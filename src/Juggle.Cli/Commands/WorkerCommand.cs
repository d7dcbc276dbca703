using System.CommandLine;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Juggle.Cli.Cluster;
using Juggle.Cli.Workloads;
using Juggle.RabbitMQ;
using Juggle.RabbitMQ.Internal;
using Microsoft.Extensions.Logging;

namespace Juggle.Cli.Commands;

/// <summary>
/// <c>juggle worker</c>: a cluster worker node. Runs the <c>[JuggleFunction]</c> methods of this tool (what
/// <c>words</c> and <c>bench</c> run with <c>--mode cluster</c>) and of the given assemblies (loaded with their
/// dependencies) for <see cref="RabbitMqExecutor"/>s on the same broker and queue, until Ctrl+C or SIGTERM, which stop
/// it gracefully (running tasks finish, waiting ones go back to the queue) with exit code 0 — also while it is still
/// connecting.
/// </summary>
internal static class WorkerCommand
{
    /// <summary>The one line the root help shows for this command.</summary>
    internal const string Summary = "Run a cluster worker node: take tasks from a RabbitMQ broker and run juggle's own [JuggleFunction] methods and those of the given assemblies";

    public static Command Create(CliEnvironment env)
    {
        var broker = new Option<Uri?>("--broker") { Description = "The broker, amqp://user:password@host:5672/vhost (default: the JUGGLE_BROKER environment variable)", HelpName = "URI" };
        var assemblies = new Option<string[]>("--assembly") { Description = "Also run the [JuggleFunction] methods of this assembly (repeat for more; without it, juggle's own: words and bench --mode cluster)", HelpName = "PATH", Arity = ArgumentArity.OneOrMore };
        var concurrency = OptionRules.OptionalInt("--concurrency", "Tasks at once on this node (default: one per core)", 1, 4096, 8);
        var processes = OptionRules.OptionalInt("--processes", "Run tasks in N worker processes on this node (crash isolation, hard timeouts) instead of threads", 1, 1024, 2);
        var queue = new Option<string>("--queue") { Description = "The task queue", DefaultValueFactory = _ => RabbitMqExecutorOptions.DefaultQueueName };
        var node = new Option<string?>("--node") { Description = "This node's name in logs and errors (default: host:pid)" };
        var verbose = new Option<bool>("--verbose") { Description = "Log every task" };
        var tlsCa = new Option<string?>("--tls-ca") { Description = "With an amqps:// broker: trust the certificate authority in this PEM or DER file for its certificate", HelpName = "FILE" };
        tlsCa.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } path && !File.Exists(path))
            {
                r.AddError($"--tls-ca '{path}' does not exist: give the CA certificate file (PEM or DER) that signed the broker's certificate.");
            }
        });
        var command = new Command("worker", Summary)
        {
            broker, assemblies, concurrency, processes, queue, node, verbose, tlsCa,
        };
        command.SetAction((result, token) =>
        {
            var paths = result.GetValue(assemblies) ?? [];
            Native.NativeBuild.ThrowIfNativeWithAssemblies("worker", paths);
            var options = new RabbitMqWorkerOptions
            {
                Broker = result.GetValue(broker),
                Concurrency = result.GetValue(concurrency),
                Processes = result.GetValue(processes),
                QueueName = result.GetValue(queue)!,
                NodeName = result.GetValue(node),
                Logger = new LineLogger(env.Error, result.GetValue(verbose) ? LogLevel.Debug : LogLevel.Information),
            };

            if (result.GetValue(tlsCa) is { } ca)
            {
                try
                {
                    options.Tls = BrokerTls.TrustCertificateAuthority(ca);
                }
                catch (ArgumentException ex)
                {
                    throw new UsageException($"--tls-ca: {ex.Message}", ex);
                }
            }

            // Only [JuggleFunction] methods run: this tool's own (FileCount.Of, CpuWork's bench tasks) and the given ones.
            options.Assemblies.Add(typeof(WorkerCommand).Assembly);
            foreach (var path in paths)
            {
                options.AssemblyPaths.Add(path);
            }

            return RunAsync(env, options, token);
        });
        return command;
    }

    /// <summary>Runs a node until <paramref name="cancellationToken"/> (Ctrl+C) or SIGTERM; 0 after a graceful stop.</summary>
    [DynamicDependency(nameof(FileCount.Of), typeof(FileCount))]
    [DynamicDependency(nameof(CpuWork.BenchMath), typeof(CpuWork))]
    [DynamicDependency(nameof(CpuWork.BenchHash), typeof(CpuWork))]
    [DynamicDependency(nameof(CpuWork.IsPrime), typeof(CpuWork))]
    [DynamicDependency(nameof(ProcessTask.Run), typeof(ProcessTask))]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = Native.NativeBuild.WorkerJustification)]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = Native.NativeBuild.WorkerJustification)]
    public static async Task<int> RunAsync(CliEnvironment env, RabbitMqWorkerOptions options, CancellationToken cancellationToken)
    {
        RabbitMqWorker worker;
        try
        {
            worker = new RabbitMqWorker(options);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message, ex);
        }

        await using (worker.ConfigureAwait(false))
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                stop.Cancel();
            });
            try
            {
                await worker.RunAsync(stop.Token).ConfigureAwait(false);
            }
            catch (BrokerConnectionException ex)
            {
                await env.Error.WriteLineAsync($"juggle: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.SomeFailed;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Stopped while connecting: no task was taken, so stopping is complete.
                await env.Error.WriteLineAsync($"Worker {worker.Node} stopped before it was connected; it took no task.").ConfigureAwait(false);
            }
        }

        return ExitCodes.Success;
    }
}
