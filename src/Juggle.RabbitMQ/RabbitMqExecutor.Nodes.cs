using System.Collections.Concurrent;
using System.Diagnostics;
using Juggle.Internal;
using Juggle.RabbitMQ.Internal;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Juggle.RabbitMQ;

/// <summary>
/// The cluster's nodes for the dashboard: once something asks (<see cref="DescribeWorkers"/>), this executor listens
/// to the status its queue's nodes publish every second and lists the nodes heard from lately.
/// </summary>
public sealed partial class RabbitMqExecutor
{
    private readonly ConcurrentDictionary<string, (NodeStatus Status, long HeardAt)> _nodes = new(StringComparer.Ordinal);
    private int _watchingNodes;

    internal override string DashboardKind => "cluster";

    internal override IReadOnlyList<WorkerInfo> DescribeWorkers()
    {
        if (Interlocked.Exchange(ref _watchingNodes, 1) == 0)
        {
            _ = WatchNodesAsync();
        }

        var now = Stopwatch.GetTimestamp();
        var nodes = new List<WorkerInfo>();
        foreach (var (name, (status, heardAt)) in _nodes)
        {
            if (Stopwatch.GetElapsedTime(heardAt, now) > NodeStatus.Expiry)
            {
                // Gone without a word (killed, cut off): it left the cluster as far as anyone can tell.
                _nodes.TryRemove(name, out _);
                continue;
            }

            nodes.Add(new WorkerInfo(name, status.ProcessId, 0, status.Report.Running > 0) { Node = status.Report });
        }

        nodes.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return nodes;
    }

    internal override int WorkerRestarts => _nodes.Values.Sum(n => n.Status.Report.Restarts);

    /// <summary>Binds a private queue to the status exchange. Telemetry: a failure is logged, tasks are not affected.</summary>
    private async Task WatchNodesAsync()
    {
        try
        {
            var channel = await _connection.CreateChannelAsync().ConfigureAwait(false);
            var exchange = Wire.StatusExchange(_queue);
            await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: false, autoDelete: false).ConfigureAwait(false);
            var queue = await channel.QueueDeclareAsync($"juggle.status.{_clientId}", durable: false, exclusive: true, autoDelete: true).ConfigureAwait(false);
            await channel.QueueBindAsync(queue.QueueName, exchange, string.Empty).ConfigureAwait(false);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, delivery) =>
            {
                if (delivery.BasicProperties.Type == Wire.Status && NodeStatus.TryDecode(delivery.Body) is { } status)
                {
                    if (status.Stopped)
                    {
                        _nodes.TryRemove(status.Node, out (NodeStatus, long) _);
                    }
                    else
                    {
                        _nodes[status.Node] = (status, Stopwatch.GetTimestamp());
                    }
                }

                return Task.CompletedTask;
            };
            await channel.BasicConsumeAsync(queue.QueueName, autoAck: true, consumer).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or IOException or TimeoutException or ObjectDisposedException)
        {
            LogError(ex, "Could not listen to the cluster nodes' status; the dashboard will not list them");
        }
    }
}
