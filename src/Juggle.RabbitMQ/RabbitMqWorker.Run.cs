using System.Diagnostics;
using System.Globalization;
using Juggle.RabbitMQ.Internal;
using Juggle.Remoting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Juggle.RabbitMQ;

/// <summary>One task's way through a node: checked, claimed, run, answered, acknowledged.</summary>
public sealed partial class RabbitMqWorker
{
    private volatile bool _stopping;

    private void RunLoop()
    {
        foreach (var delivery in _inbox.GetConsumingEnumerable())
        {
            if (_stopping)
            {
                Settle(delivery, Settlement.Requeue);
                continue;
            }

            try
            {
                Handle(delivery);
            }
#pragma warning disable CA1031 // Nothing a message does may kill the node: it is handed back and the loop goes on.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                WorkerLog.Unexpected(_logger, ex, Node);
                Settle(delivery, Settlement.Requeue);
            }
        }
    }

    private void Handle(Delivery delivery)
    {
        if (delivery.Body is not { } body)
        {
            Reject(delivery, string.Create(CultureInfo.InvariantCulture, $"{delivery.Length:N0} bytes, over the message size limit of {_options.MaxMessageSize:N0} bytes (RabbitMqWorkerOptions.MaxMessageSize)"));
            return;
        }

        if (delivery.Type == Wire.Calls && delivery.Version == Wire.Version && !string.IsNullOrEmpty(delivery.ReplyTo))
        {
            Reject(delivery, "a malformed task envelope");
            return;
        }

        if (delivery.Type != Wire.Call || delivery.Version != Wire.Version || string.IsNullOrEmpty(delivery.ReplyTo))
        {
            Reject(delivery, $"not a Juggle task message of version {Wire.Version} with a reply queue (type '{delivery.Type}', version {delivery.Version?.ToString(CultureInfo.InvariantCulture) ?? "none"})");
            return;
        }

        TaskMessage message;
        try
        {
            message = TaskMessage.Parse(body);
        }
        catch (FrameException ex)
        {
            Reject(delivery, $"malformed: {ex.Message}");
            return;
        }

        FunctionSignature signature;
        try
        {
            signature = _catalog.Resolve(message.Function);
        }
        catch (UnauthorizedAccessException ex)
        {
            // Told to the caller (its future fails with the reason) and kept in the dead-letter queue for the operator.
            WorkerLog.Refused(_logger, Node, message.TaskId, ex.Message);
            PublishAnswers([new PendingAnswer(delivery.ReplyTo, message.TaskId, TaskRunner.ErrorAnswer(message.TaskId, ex), null, delivery)]);
            Settle(delivery, Settlement.DeadLetter);
            return;
        }

        ClaimAndRun(delivery, message, signature);
    }

    private void ClaimAndRun(Delivery delivery, TaskMessage message, FunctionSignature signature)
    {
        if (delivery.Envelope is not null && !delivery.Redelivered && ClaimAhead(signature) is > 1 and var ahead && TryRunGroup(delivery, message, signature, ahead))
        {
            return;
        }

        var claimId = Interlocked.Increment(ref _nextClaim);

        // Registered before the claim is sent: the executor may ask to cancel the task before its "go" arrives.
        using var cancellation = new CancellationTokenSource();
        _running[claimId] = cancellation;
        try
        {
            RunClaimed(delivery, message, signature, claimId, cancellation.Token);
        }
        finally
        {
            _running.TryRemove(claimId, out _);
        }
    }

    /// <summary>
    /// Claims a task and runs it if granted. A task that was running on a node that went away (its client grants it
    /// "alone") may be what killed that node, so it runs alone here and cannot take others down again; no task is
    /// even claimed meanwhile, so none is counted as running beside it should this node die too. Hence a fresh task
    /// holds the node's shared lock from before its claim, and redelivered tasks are claimed one at a time (one of them
    /// may be granted alone) and take their lock once granted: a redelivered task whose executor is gone, or that
    /// was cancelled, is settled at once instead of waiting for the running tasks to end.
    /// </summary>
    private void RunClaimed(Delivery delivery, TaskMessage message, FunctionSignature signature, long claimId, CancellationToken cancellationToken)
    {
        var rerun = delivery.Redelivered;
        if (rerun)
        {
            _reruns.Wait(CancellationToken.None);
        }
        else
        {
            _isolation.EnterReadLock();
        }

        try
        {
            var outcome = Claim(delivery, new ClaimEntry(message.TaskId, claimId, rerun));
            if (SettleUnlessGranted(delivery, message.TaskId, outcome))
            {
                return;
            }

            // Sent with the answers that finish close to it (one message, one confirm), acknowledged once confirmed.
            Answers.Add(RunGranted(delivery, message, signature, rerun, outcome == ClaimOutcome.GrantedAlone, cancellationToken));
        }
        finally
        {
            if (rerun)
            {
                _reruns.Release();
            }
            else
            {
                _isolation.ExitReadLock();
            }
        }
    }

    /// <summary>Runs a granted task (timed for <see cref="ClaimAhead"/>) and returns its answer, to be sent.</summary>
    private PendingAnswer RunGranted(Delivery delivery, TaskMessage message, FunctionSignature signature, bool rerun, bool alone, CancellationToken cancellationToken)
    {
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            WorkerLog.Running(_logger, Node, message.TaskId, FunctionReference.Describe(signature.Method));
        }

        var start = Stopwatch.GetTimestamp();
        var (answer, spans) = rerun ? RunRerun(delivery, message, signature, alone, cancellationToken) : RunTraced(delivery, message, signature, cancellationToken);
        Timed(signature, Stopwatch.GetElapsedTime(start));

        Interlocked.Increment(ref _completed);
        if (answer.Length > 0 && answer[0] == (byte)MessageKind.Error)
        {
            Interlocked.Increment(ref _failed);
        }

        return new PendingAnswer(delivery.ReplyTo!, message.TaskId, answer, spans, delivery);
    }

    /// <summary>Settles a task whose claim was not granted; <see langword="false"/> if it was granted (run it).</summary>
    private bool SettleUnlessGranted(Delivery delivery, long taskId, ClaimOutcome outcome)
    {
        switch (outcome)
        {
            case ClaimOutcome.ClientGone:
                WorkerLog.ClientGone(_logger, Node, taskId, "before running it");
                Settle(delivery, Settlement.Ack);
                return true;
            case ClaimOutcome.Refused:
                Settle(delivery, Settlement.Ack);
                return true;
            case ClaimOutcome.NoAnswer:
                WorkerLog.ClaimUnanswered(_logger, Node, taskId, _options.ClaimTimeout);
                Settle(delivery, Settlement.Requeue);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Runs a granted redelivered task: alone on this node if its client says so, else beside the others.</summary>
    private (byte[] Answer, byte[]? Spans) RunRerun(Delivery delivery, TaskMessage message, FunctionSignature signature, bool alone, CancellationToken cancellationToken)
    {
        if (alone)
        {
            _isolation.EnterWriteLock();
        }
        else
        {
            _isolation.EnterReadLock();
        }

        try
        {
            return RunTraced(delivery, message, signature, cancellationToken);
        }
        finally
        {
            if (alone)
            {
                _isolation.ExitWriteLock();
            }
            else
            {
                _isolation.ExitReadLock();
            }
        }
    }

    private byte[] RunInProcess(byte[] body, long taskId, CancellationToken cancellationToken)
    {
        var future = _processes!.Submit(ProcessTask.Run, new ProcessTaskInput([.. _options.AssemblyPaths, .. _options.Assemblies.Select(a => a.Location)], body, _options.MaxMessageSize));
        using var registration = cancellationToken.Register(static f => ((Future)f!).Cancel(), future);
        try
        {
            return future.Result();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return TaskRunner.ErrorAnswer(taskId, ex);
        }
    }

    /// <summary>Asks the task's client whether to run it (in one message with the other claims made meanwhile) and waits for its decision.</summary>
    private ClaimOutcome Claim(Delivery delivery, ClaimEntry claim)
    {
        var waiting = new WaitSlot<ClaimOutcome>();
        _claims[claim.ClaimId] = waiting;
        try
        {
            ClaimOutbox.Add(new PendingClaim(delivery.ReplyTo!, claim));
            return waiting.Wait(_options.ClaimTimeout) ?? ClaimOutcome.NoAnswer;
        }
        finally
        {
            _claims.TryRemove(claim.ClaimId, out _);
        }
    }

    private void Reject(Delivery delivery, string reason)
    {
        WorkerLog.Rejected(_logger, Node, Wire.DeadLetterQueue(_options.QueueName), reason);
        Settle(delivery, Settlement.DeadLetter);
    }

    /// <summary>Settles a task: its message at once, or an envelope's once its last task is settled.</summary>
    private void Settle(Delivery delivery, Settlement settlement)
    {
        if (delivery.Envelope is null)
        {
            Settle(delivery.Tag, settlement);
        }
        else if (delivery.Envelope.Settle(settlement) is { } whole)
        {
            Settle(delivery.Tag, whole);
        }
    }

    private void Settle(ulong tag, Settlement settlement)
    {
        _ackGate.Wait();
        try
        {
            lock (_unsettled)
            {
                _unsettled.Remove(tag);
            }

            var channel = _taskChannel!;
            var pending = settlement switch
            {
                Settlement.Ack => channel.BasicAckAsync(tag, multiple: false),
                Settlement.Requeue => channel.BasicNackAsync(tag, multiple: false, requeue: true),
                _ => channel.BasicRejectAsync(tag, requeue: false),
            };
            pending.AsTask().GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or IOException or ObjectDisposedException)
        {
            // The channel is gone: the broker requeued the task already.
        }
        finally
        {
            _ackGate.Release();
        }
    }

    private enum ClaimOutcome
    {
        Granted,
        GrantedAlone,
        Refused,
        ClientGone,
        NoAnswer,
    }

    /// <summary>How a message is settled; in this order of precedence for an envelope (the last wins).</summary>
    private enum Settlement
    {
        Ack,
        DeadLetter,
        Requeue,
    }
}
