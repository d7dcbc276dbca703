using System.Diagnostics;
using System.Globalization;
using Juggle.Internal;
using Juggle.RabbitMQ.Internal;
using Juggle.Remoting;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Juggle.RabbitMQ;

/// <summary>Dispatch: pending tasks to the broker, claims granted or refused, answers to futures.</summary>
public sealed partial class RabbitMqExecutor
{
    /// <summary>
    /// Publishes pending tasks while fewer than <see cref="Executor.MaxWorkers"/> are in flight (in batches, awaiting
    /// the broker's confirms together); with a rate limiter, one task at a time after its permit. After a reconnect it
    /// publishes every unfinished task again. Ends, closing the connection, once shut down with nothing left.
    /// </summary>
    private void DispatchLoop()
    {
        t_ownThread = this;
        var batch = new List<ClusterCall>(PublishBatch);
        try
        {
            while (true)
            {
                batch.Clear();
                var republish = false;
                lock (_lock)
                {
                    while (true)
                    {
                        if (_republish && _connection.IsOpen)
                        {
                            _republish = false;
                            republish = true;
                            batch.AddRange(_inFlight.Values.Where(c => !c.Future.Done));
                            break;
                        }

                        if (_pending.Count > 0 && _inFlight.Count < MaxWorkers)
                        {
                            var take = HasRateLimiter ? 1 : Math.Min(PublishBatch, MaxWorkers - _inFlight.Count);
                            while (batch.Count < take && _pending.First is { } first)
                            {
                                var call = first.Value;
                                _pending.RemoveFirst();
                                call.PendingNode = null;
                                if (!call.Future.Done)
                                {
                                    _inFlight[call.TaskId] = call;
                                    batch.Add(call);
                                }
                            }

                            if (batch.Count > 0)
                            {
                                break;
                            }

                            continue;
                        }

                        if (_shutdown && _pending.Count == 0 && _inFlight.Count == 0)
                        {
                            return;
                        }

                        FailAllIfDisconnectedTooLongLocked();
                        Monitor.Wait(_lock, TimeSpan.FromMilliseconds(500));
                    }
                }

                if (HasRateLimiter && !republish)
                {
                    var call = batch[0];
                    call.SetLease(AcquireStartPermit(call.Future));
                    if (call.Future.Done)
                    {
                        continue;
                    }
                }

                PublishAll(batch);
            }
        }
        finally
        {
            Close();
        }
    }

    private void PublishAll(List<ClusterCall> batch)
    {
        var sends = new Task[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            sends[i] = PublishAsync(batch[i]);
        }

        try
        {
            Task.WaitAll(sends);
        }
        catch (AggregateException)
        {
            // Each failure was handled by its own send.
        }
    }

    private async Task PublishAsync(ClusterCall call)
    {
        var properties = new BasicProperties
        {
            MessageId = $"{_clientId}:{call.TaskId}",
            CorrelationId = call.TaskId.ToString(CultureInfo.InvariantCulture),
            ReplyTo = _replyQueue,
            Type = Wire.Call,
            Persistent = true,
            Headers = new Dictionary<string, object?> { [Wire.VersionHeader] = Wire.Version },
        };
        AddTraceHeaders(call, properties.Headers);

        try
        {
            await _publishChannel.BasicPublishAsync(string.Empty, _queue, mandatory: true, properties, call.Body).ConfigureAwait(false);
        }
        catch (PublishException ex) when (ex.IsReturn)
        {
            call.Future.TrySetException(new InvalidOperationException($"The broker has no queue '{_queue}' to take task {call.TaskId} (was it deleted?). Restart the executor to declare it again."));
        }
        catch (Exception ex) when (ex is PublishException or AlreadyClosedException or OperationInterruptedException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // Not confirmed: sent again once the connection is back (a duplicate is harmless, its answer ignored).
            lock (_lock)
            {
                _republish = true;
            }
        }
    }

    private void FailAllIfDisconnectedTooLongLocked()
    {
        var since = Volatile.Read(ref _disconnectedAt);
        if (since == 0 || Stopwatch.GetElapsedTime(since) < _reconnectTimeout || (_inFlight.Count == 0 && _pending.Count == 0))
        {
            return;
        }

        var calls = _inFlight.Values.Concat(_pending).ToList();
        var error = new BrokerConnectionException(Broker, string.Create(CultureInfo.InvariantCulture, $"the connection was lost and did not come back within {_reconnectTimeout.TotalSeconds:0.#} s (RabbitMqExecutorOptions.ReconnectTimeout)"));
        ThreadPool.UnsafeQueueUserWorkItem(_ => calls.ForEach(c => c.Future.TrySetException(error)), null);
    }

    /// <summary>Handles claims and answers in arrival order; done callbacks run on this thread.</summary>
    private void EventLoop()
    {
        t_ownThread = this;
        foreach (var reply in _events.GetConsumingEnumerable())
        {
            try
            {
                if (reply.IsClaim)
                {
                    OnClaim(reply);
                }
                else
                {
                    OnAnswer(reply);
                }
            }
#pragma warning disable CA1031 // One bad answer must not stop the loop that completes every other future.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogError(ex, $"Could not handle a worker's message for task {reply.TaskId}");
            }
        }
    }

    /// <summary>A worker asks to start a task: granted if the future is still wanted, refused (and counted) otherwise.</summary>
    private void OnClaim(ReplyEvent claim)
    {
        if (claim.Control is not { } control)
        {
            return;
        }

        ClusterCall? call;
        lock (_lock)
        {
            _inFlight.TryGetValue(claim.TaskId, out call);
        }

        var grant = false;
        if (call is not null && !call.Future.Done)
        {
            if (!call.Started)
            {
                var cancellation = call.IsAsync ? new CancellationTokenSource() : null;
                call.ClaimedBy = control;
                call.ClaimId = claim.ClaimId;
                call.Node = claim.Node;
                call.Cancellation = cancellation;
                if (call.Future.TrySetRunning(call, claim.Node, Time.GetTimestamp(), cancellation))
                {
                    call.Started = true;
                    grant = true;
                    if (cancellation is not null)
                    {
                        call.Registration = cancellation.Token.Register(static state => ((ClusterCall)state!).Owner.SendCancel((ClusterCall)state!), call);
                    }

                    if (_taskTimeout is { } timeout)
                    {
                        call.Timer = Time.CreateTimer(static state => ((ClusterCall)state!).Owner.OnTimeout((ClusterCall)state!), call, timeout, Timeout.InfiniteTimeSpan);
                    }
                }
            }
            else
            {
                if (claim.Redelivered)
                {
                    // It was running when its worker went away: a death, blamed on this task alone.
                    call.Deaths.Add(call.Node ?? "?");
                    if (call.Deaths.Count >= _poisonLimit)
                    {
                        call.Future.TrySetException(new PoisonTaskException(call.TaskId, [.. call.Deaths]));
                    }
                }

                if (!call.Future.Done)
                {
                    call.ClaimedBy = control;
                    call.ClaimId = claim.ClaimId;
                    call.Node = claim.Node;
                    grant = true;
                }
            }
        }

        SendControl(control, grant ? Wire.Go : Wire.Skip, claim.TaskId, claim.ClaimId);
    }

    private void OnAnswer(ReplyEvent answer)
    {
        ClusterCall? call;
        lock (_lock)
        {
            _inFlight.TryGetValue(answer.TaskId, out call);
        }

        if (call is null || call.Future.Done)
        {
            return; // A duplicate (the task ran twice) or a task already cancelled or timed out.
        }

        EmitSpans(call, answer.Spans, answer.Node);
        try
        {
            var parser = new FrameParser(answer.Body);
            var kind = parser.ReadKind();
            var taskId = parser.ReadInt64();
            if (taskId != answer.TaskId)
            {
                throw new FrameException($"The answer names task {taskId} but was addressed to task {answer.TaskId}.");
            }

            call.Complete(kind, ref parser, answer.Node);
        }
        catch (FrameException ex)
        {
            call.Future.TrySetException(new InvalidOperationException($"Node {answer.Node} sent a malformed answer for task {answer.TaskId}: {ex.Message}", ex));
        }
    }

    private void OnTimeout(ClusterCall call)
    {
        if (call.Future.TrySetException(new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"Task {call.TaskId} ran longer than {_taskTimeout!.Value.TotalSeconds:0.###} s (RabbitMqExecutorOptions.TaskTimeout) on node {call.Node}."))))
        {
            SendCancel(call);
        }
    }

    private void SendCancel(ClusterCall call)
    {
        if (call.ClaimedBy is { } control)
        {
            SendControl(control, Wire.CancelRunning, call.TaskId, call.ClaimId);
        }
    }

    private void SendControl(string control, string type, long taskId, long claimId)
    {
        var properties = new BasicProperties
        {
            Type = type,
            CorrelationId = taskId.ToString(CultureInfo.InvariantCulture),
            Headers = new Dictionary<string, object?> { [Wire.ClaimHeader] = claimId },
        };
        _controlGate.Wait();
        try
        {
            _controlChannel.BasicPublishAsync(string.Empty, control, mandatory: false, properties, ReadOnlyMemory<byte>.Empty).AsTask().GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or IOException or ObjectDisposedException)
        {
            // The worker waits for an answer only so long, then hands the task back to the queue.
        }
        finally
        {
            _controlGate.Release();
        }
    }

    /// <summary>Every way a future ends (answer, cancel, timeout, poison) comes here: its slot is free again.</summary>
    private void OnCallDone(ClusterCall call)
    {
        lock (_lock)
        {
            if (call.PendingNode is { } node)
            {
                _pending.Remove(node);
                call.PendingNode = null;
            }

            _inFlight.Remove(call.TaskId);
            Monitor.PulseAll(_lock);
        }

        call.ReleaseLease();
        call.Registration.Dispose();
        call.Timer?.Dispose();
    }

    private void Close()
    {
        try
        {
            _events.CompleteAdding();
            _connection.CloseAsync(TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or IOException or ObjectDisposedException or TimeoutException or OperationCanceledException)
        {
            // The connection is gone anyway.
        }
        finally
        {
            _connection.Dispose();
            _controlGate.Dispose();
            _allDone.TrySetResult();
        }
    }
}
