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
                var envelope = Wire.MaxEnvelopeTasks;
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

                        if (_pending.Count > 0 && _inFlight.Count < MaxWorkers && !_paused)
                        {
                            var free = MaxWorkers - _inFlight.Count;
                            envelope = HasRateLimiter ? 1 : EnvelopeSizeLocked();

                            // With two envelopes' worth of tasks still waiting on the broker, wait for room for a
                            // whole envelope: the workers have plenty to do meanwhile, and one message then carries
                            // many tasks.
                            if (free >= envelope || _pending.Count <= free || UnstartedInFlightLocked(2 * envelope) < 2 * envelope)
                            {
                                var take = HasRateLimiter ? 1 : Math.Min(PublishBatch, free);
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

                PublishAll(batch, envelope);
            }
        }
        finally
        {
            Close();
        }
    }

    /// <summary>
    /// Sends the batch without waiting for the broker's confirms: each send handles its own confirm (or failure) when
    /// it comes, so the dispatcher goes on at once and many tasks are in flight on the channel together. Tasks go in
    /// envelopes of up to <paramref name="envelope"/> tasks (and <see cref="MaxEnvelopeBytes"/>); a task alone goes as a
    /// task message of its own.
    /// </summary>
    private void PublishAll(List<ClusterCall> batch, int envelope)
    {
        if (envelope <= 1 || batch.Count == 1)
        {
            foreach (var call in batch)
            {
                _ = PublishAsync(call);
            }

            return;
        }

        // Spread evenly: 100 tasks in envelopes of at most 64 go as 50 and 50, not 64 and 36.
        var envelopes = (batch.Count + envelope - 1) / envelope;
        envelope = (batch.Count + envelopes - 1) / envelopes;
        var limit = Math.Min(_maxMessageSize, MaxEnvelopeBytes);
        var calls = new List<ClusterCall>(envelope);
        var entries = new List<EnvelopeEntry>(envelope);
        var bytes = Wire.BatchHeader;
        foreach (var call in batch)
        {
            var (parent, state) = TraceContextOf(call);
            var entry = new EnvelopeEntry(parent, state, call.Body);
            var size = Wire.EnvelopeEntrySize(entry);
            if (calls.Count > 0 && (calls.Count >= envelope || bytes + size > limit))
            {
                Send(calls, entries);
                calls = new List<ClusterCall>(envelope);
                entries = new List<EnvelopeEntry>(envelope);
                bytes = Wire.BatchHeader;
            }

            calls.Add(call);
            entries.Add(entry);
            bytes += size;
        }

        Send(calls, entries);

        void Send(List<ClusterCall> calls, List<EnvelopeEntry> entries) =>
            _ = calls.Count == 1 ? PublishAsync(calls[0]) : PublishEnvelopeAsync(calls, entries);
    }

    /// <summary>
    /// Publishes one task message: transient (the broker keeps it in memory only), since this executor holds every
    /// unfinished task and sends it again after a reconnect, which is when a broker restart would have lost it.
    /// </summary>
    private async Task PublishAsync(ClusterCall call)
    {
        var properties = new BasicProperties
        {
            ReplyTo = _replyQueue,
            Type = Wire.Call,
            Headers = new Dictionary<string, object?> { [Wire.VersionHeader] = Wire.Version },
        };
        AddTraceHeaders(call, properties.Headers);
        await PublishTasksAsync(properties, call.Body, [call]).ConfigureAwait(false);
    }

    /// <summary>Publishes several tasks in one envelope message (transient, as <see cref="PublishAsync"/>).</summary>
    private async Task PublishEnvelopeAsync(List<ClusterCall> calls, List<EnvelopeEntry> entries)
    {
        var properties = new BasicProperties
        {
            ReplyTo = _replyQueue,
            Type = Wire.Calls,
            Headers = new Dictionary<string, object?> { [Wire.VersionHeader] = Wire.Version },
        };
        await PublishTasksAsync(properties, Wire.WriteEnvelope(entries), calls).ConfigureAwait(false);
    }

    private async Task PublishTasksAsync(BasicProperties properties, byte[] body, List<ClusterCall> calls)
    {
        Interlocked.Increment(ref _taskMessages);
        try
        {
            await _publishChannel.BasicPublishAsync(string.Empty, _queue, mandatory: true, properties, body).ConfigureAwait(false);
        }
        catch (PublishException ex) when (ex.IsReturn)
        {
            foreach (var call in calls)
            {
                call.Future.TrySetException(new InvalidOperationException($"The broker has no queue '{_queue}' to take task {call.TaskId} (was it deleted?). Restart the executor to declare it again."));
            }
        }
        catch (Exception ex) when (ex is PublishException or AlreadyClosedException or OperationInterruptedException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // Not confirmed: sent again once the connection is back (a duplicate is harmless, its answer ignored).
            lock (_lock)
            {
                _republish = true;
                Monitor.PulseAll(_lock);
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

    /// <summary>
    /// A worker asks to start the tasks of a claim batch: each is granted if its future is still wanted, refused (and
    /// counted) otherwise, decided one by one on the future (so a cancel that won the race refuses its task alone);
    /// the decisions go back in one grant message. Runs on the client library's delivery thread, marked as this
    /// executor's own meanwhile: the callbacks of a future failed here (a poison task) run on the .NET thread pool, so
    /// one that blocks cannot hang every claim.
    /// </summary>
    private void OnClaims(string? control, string node, long? slots, ReadOnlySpan<byte> body)
    {
        if (control is null)
        {
            return;
        }

        if (slots is > 0 and <= 65536)
        {
            RecordSlots(node, (int)slots.Value);
        }

        var previous = t_ownThread;
        t_ownThread = this;
        try
        {
            var claims = Wire.ReadClaims(body);
            var grants = new GrantEntry[claims.Length];
            for (var i = 0; i < claims.Length; i++)
            {
                var (go, alone) = Decide(claims[i], control, node);
                grants[i] = new GrantEntry(claims[i].ClaimId, go, alone);
            }

            SendGrants(control, grants);
        }
        catch (FrameException ex)
        {
            LogError(ex, $"Node {node} sent a malformed claim message; it was dropped");
        }
#pragma warning disable CA1031 // Nothing a message holds may reach the client library's thread: its claims time out and go back to the queue.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogError(ex, $"Could not handle a claim message of node {node}");
        }
        finally
        {
            t_ownThread = previous;
        }
    }

    /// <summary>Go or skip for one claim; alone when the task was running on a node that went away (it may be what killed it).</summary>
    private (bool Go, bool Alone) Decide(ClaimEntry claim, string control, string node)
    {
        ClusterCall? call;
        lock (_lock)
        {
            _inFlight.TryGetValue(claim.TaskId, out call);
        }

        if (call is null || call.Future.Done)
        {
            return (false, false);
        }

        if (!call.Started)
        {
            var cancellation = call.IsAsync ? new CancellationTokenSource() : null;
            call.ClaimedBy = control;
            call.ClaimId = claim.ClaimId;
            call.Node = node;
            call.Cancellation = cancellation;
            if (!call.Future.TrySetRunning(call, node, Time.GetTimestamp(), cancellation))
            {
                cancellation?.Dispose();
                return (false, false);
            }

            call.Started = true;
            if (cancellation is not null)
            {
                call.Registration = cancellation.Token.Register(static state => ((ClusterCall)state!).Owner.SendCancel((ClusterCall)state!), call);
            }

            if (_taskTimeout is { } timeout)
            {
                call.Timer = Time.CreateTimer(static state => ((ClusterCall)state!).Owner.OnTimeout((ClusterCall)state!), call, timeout, Timeout.InfiniteTimeSpan);
            }

            return (true, false);
        }

        var alone = false;
        if (claim.Redelivered)
        {
            // It was running when its worker went away: a death, blamed on this task alone, and it reruns alone.
            alone = true;
            call.Deaths.Add(call.Node ?? "?");
            if (call.Deaths.Count >= _poisonLimit)
            {
                call.Future.TrySetException(new PoisonTaskException(call.TaskId, [.. call.Deaths]));
            }
        }

        if (call.Future.Done)
        {
            return (false, false);
        }

        call.ClaimedBy = control;
        call.ClaimId = claim.ClaimId;
        call.Node = node;
        return (true, alone);
    }

    /// <summary>
    /// Completes the futures of an answer batch, in arrival order; duplicates (a task that ran twice) and answers to
    /// finished futures are ignored. Runs on the client library's delivery thread, marked as this executor's own
    /// meanwhile, so the done callbacks of these futures run on the .NET thread pool instead.
    /// </summary>
    private void OnAnswers(string node, ReadOnlyMemory<byte> body)
    {
        var previous = t_ownThread;
        t_ownThread = this;
        try
        {
            foreach (var (answer, spans) in Wire.ReadAnswers(body.Span))
            {
                OnAnswer(answer, spans, node);
            }
        }
        catch (FrameException ex)
        {
            LogError(ex, $"Node {node} sent a malformed answer message; it was dropped");
        }
#pragma warning disable CA1031 // Nothing a message holds may reach the client library's thread: the other answers still arrive.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogError(ex, $"Could not handle a message of node {node}");
        }
        finally
        {
            t_ownThread = previous;
        }
    }

    private void OnAnswer(byte[] answer, byte[]? spans, string node)
    {
        var parser = new FrameParser(answer);
        var kind = parser.ReadKind();
        var taskId = parser.ReadInt64();
        ClusterCall? call;
        lock (_lock)
        {
            _inFlight.TryGetValue(taskId, out call);
        }

        if (call is null || call.Future.Done)
        {
            return; // A duplicate (the task ran twice) or a task already cancelled or timed out.
        }

        EmitSpans(call, spans, node);
        try
        {
            call.Complete(kind, ref parser, node);
        }
        catch (FrameException ex)
        {
            call.Future.TrySetException(new InvalidOperationException($"Node {node} sent a malformed answer for task {taskId}: {ex.Message}", ex));
        }
#pragma warning disable CA1031 // One answer that cannot be completed fails its own future; the answers after it still arrive.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            call.Future.TrySetException(new InvalidOperationException($"The answer from node {node} for task {taskId} could not be completed ({ex.GetType().Name}): {Frames.SafeMessage(ex)}", ex));
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

    private void SendControl(string control, string type, long taskId, long claimId) =>
        SendControl(control, new BasicProperties
        {
            Type = type,
            CorrelationId = taskId.ToString(CultureInfo.InvariantCulture),
            Headers = new Dictionary<string, object?> { [Wire.ClaimHeader] = claimId },
        }, ReadOnlyMemory<byte>.Empty);

    private void SendGrants(string control, GrantEntry[] grants) =>
        SendControl(control, new BasicProperties { Type = Wire.Grant }, Wire.WriteGrants(grants));

    private void SendControl(string control, BasicProperties properties, ReadOnlyMemory<byte> body)
    {
        try
        {
            _controlGate.Wait();
        }
        catch (ObjectDisposedException)
        {
            return; // Closed: the worker hands the task back after its claim timeout, or finds the reply queue gone.
        }

        try
        {
            _controlChannel.BasicPublishAsync(string.Empty, control, mandatory: false, properties, body).AsTask().GetAwaiter().GetResult();
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
