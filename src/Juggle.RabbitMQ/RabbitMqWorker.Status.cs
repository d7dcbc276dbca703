using System.Diagnostics;
using Juggle.Internal;
using Juggle.RabbitMQ.Internal;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Juggle.RabbitMQ;

/// <summary>
/// Node status for the clients' dashboards: every second, one small message on the queue's status exchange (a
/// fanout, so every client that watches gets it and none has to ask): where the node runs, how busy it is, its
/// totals, and its memory and CPU (with its process pool's). A last message says the node stopped.
/// </summary>
public sealed partial class RabbitMqWorker
{
    private readonly Lock _statusLock = new();
    private IChannel? _statusChannel;
    private Timer? _statusTimer;
    private long _redelivered;
    private TimeSpan _lastCpu;
    private long _lastCpuAt;
    private int _publishingStatus;

    /// <summary>Declares the status exchange and starts publishing. Status is telemetry: failing here never stops the node.</summary>
    private async Task StartStatusAsync(IConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await channel.ExchangeDeclareAsync(Wire.StatusExchange(_options.QueueName), ExchangeType.Fanout, durable: false, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
            lock (_statusLock)
            {
                _statusChannel = channel;
                _statusTimer = new Timer(static state => ((RabbitMqWorker)state!).PublishStatus(stopped: false), this, TimeSpan.Zero, NodeStatus.Interval);
            }
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or IOException or TimeoutException)
        {
            WorkerLog.Unexpected(_logger, ex, Node);
        }
    }

    /// <summary>Stops the timer and says goodbye, so dashboards drop this node at once.</summary>
    private void StopStatus()
    {
        Timer? timer;
        lock (_statusLock)
        {
            timer = _statusTimer;
            _statusTimer = null;
        }

        if (timer is null)
        {
            return;
        }

        using var stopped = new ManualResetEventSlim();
        timer.Dispose(stopped.WaitHandle);
        stopped.Wait(TimeSpan.FromSeconds(5));
        PublishStatus(stopped: true);
    }

    private void PublishStatus(bool stopped)
    {
        if (Interlocked.Exchange(ref _publishingStatus, 1) != 0)
        {
            return; // The previous one is still out (a slow broker): skip, the next tick carries newer figures.
        }

        try
        {
            var channel = _statusChannel;
            if (channel is not { IsOpen: true })
            {
                return;
            }

            var status = new NodeStatus(Node, Environment.ProcessId, Report(), stopped);
            var properties = new BasicProperties { Type = Wire.Status, Expiration = "10000" };
            channel.BasicPublishAsync(Wire.StatusExchange(_options.QueueName), string.Empty, mandatory: false, properties, status.Encode()).AsTask().GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or IOException or ObjectDisposedException or PublishException)
        {
            // The connection is down: the next tick after it is back reports again.
        }
        finally
        {
            Volatile.Write(ref _publishingStatus, 0);
        }
    }

    private NodeReport Report()
    {
        // This process and its process pool's workers: memory now, CPU since the last report.
        var memory = 0L;
        var cpu = TimeSpan.Zero;
        var pids = new List<int> { Environment.ProcessId };
        if (_processes is not null)
        {
            pids.AddRange(_processes.DescribeWorkers().Select(w => w.ProcessId));
        }

        foreach (var pid in pids)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                memory += process.WorkingSet64;
                cpu += process.TotalProcessorTime;
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Exited between the listing and the look-up.
            }
        }

        var now = Stopwatch.GetTimestamp();
        var percent = 0.0;
        if (_lastCpuAt != 0 && cpu >= _lastCpu)
        {
            percent = (cpu - _lastCpu).TotalSeconds / Math.Max(1e-6, Stopwatch.GetElapsedTime(_lastCpuAt, now).TotalSeconds) * 100;
        }

        _lastCpu = cpu;
        _lastCpuAt = now;
        return new NodeReport(
            Environment.MachineName,
            _running.Count,
            _concurrency,
            TasksCompleted,
            TasksFailed,
            Interlocked.Read(ref _redelivered),
            _processes?.WorkerRestarts ?? 0,
            memory,
            percent,
            _options.Processes ?? 0);
    }
}
