using Juggle.RabbitMQ.Internal;
using Juggle.Remoting;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Juggle.RabbitMQ;

/// <summary>
/// Claims and answers in batches: the claims made while one is on its way go together in the next message to their
/// client, and so do the answers; a batch of answers is confirmed by the broker once, then its tasks are acknowledged.
/// </summary>
public sealed partial class RabbitMqWorker
{
    /// <summary>The deliveries not yet settled, in delivery order (guarded by itself; changed only under <c>_ackGate</c> but for additions).</summary>
    private readonly SortedSet<ulong> _unsettled = [];

    private IChannel? _claimChannel;

    private Combiner<PendingClaim> ClaimOutbox { get; }

    private Combiner<PendingAnswer> Answers { get; }

    /// <summary>
    /// Claims go on a channel without confirms: a lost claim is only a claim unanswered (the task goes back to the
    /// queue after <see cref="RabbitMqWorkerOptions.ClaimTimeout"/>), and a client that is gone shows as the claim
    /// returned (no reply queue), which settles its tasks at once.
    /// </summary>
    private async Task OpenClaimChannelAsync(IConnection connection, CancellationToken cancellationToken)
    {
        _claimChannel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        _claimChannel.BasicReturnAsync += OnClaimReturnedAsync;
    }

    private Task OnClaimReturnedAsync(object sender, BasicReturnEventArgs returned)
    {
        if (returned.BasicProperties.Type != Wire.Claim)
        {
            return Task.CompletedTask;
        }

        try
        {
            foreach (var claim in Wire.ReadClaims(returned.Body.Span))
            {
                if (_claims.TryGetValue(claim.ClaimId, out var waiting))
                {
                    waiting.TrySet(ClaimOutcome.ClientGone);
                }
            }
        }
        catch (FrameException)
        {
            // Not one of ours: its claims, if any, time out.
        }

        return Task.CompletedTask;
    }

    private void OnGrants(ReadOnlySpan<byte> body)
    {
        GrantEntry[] grants;
        try
        {
            grants = Wire.ReadGrants(body);
        }
        catch (FrameException ex)
        {
            WorkerLog.Unexpected(_logger, ex, Node);
            return;
        }

        foreach (var grant in grants)
        {
            if (_claims.TryGetValue(grant.ClaimId, out var waiting))
            {
                waiting.TrySet(!grant.Go ? ClaimOutcome.Refused : grant.Alone ? ClaimOutcome.GrantedAlone : ClaimOutcome.Granted);
            }
        }
    }

    private void SendClaims(List<PendingClaim> claims)
    {
        foreach (var group in claims.GroupBy(c => c.ReplyTo))
        {
            var entries = group.Select(c => c.Claim).ToList();
            var properties = new BasicProperties
            {
                Type = Wire.Claim,
                Headers = new Dictionary<string, object?>
                {
                    [Wire.ControlHeader] = _controlQueue,
                    [Wire.NodeHeader] = Node,
                    [Wire.SlotsHeader] = _concurrency,
                },
            };
            try
            {
                _claimChannel!.BasicPublishAsync(string.Empty, group.Key, mandatory: true, properties, Wire.WriteClaims(entries)).AsTask().GetAwaiter().GetResult();
            }
            catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or IOException or ObjectDisposedException)
            {
                // Not sent: each claim times out and its task goes back to the queue.
                foreach (var entry in entries)
                {
                    if (_claims.TryGetValue(entry.ClaimId, out var waiting))
                    {
                        waiting.TrySet(ClaimOutcome.NoAnswer);
                    }
                }
            }
        }
    }

    /// <summary>Publishes answers (one message per client, split at the message size limit), waits for the confirms together, then acknowledges the tasks confirmed.</summary>
    private void SendAnswers(List<PendingAnswer> answers)
    {
        var confirmed = PublishAnswers(answers);
        if (confirmed.Count > 0)
        {
            AckAll(confirmed);
        }
    }

    /// <summary>A delivery came: it is unsettled until acknowledged, handed back or rejected.</summary>
    private void Delivered(ulong tag)
    {
        lock (_unsettled)
        {
            _unsettled.Add(tag);
        }
    }

    /// <summary>
    /// Acknowledges the deliveries of a batch: those below the oldest delivery still unsettled in one acknowledgement
    /// with <c>multiple</c> (every delivery it covers is settled already or in this batch), the others one by one.
    /// Under the acknowledgement gate, so no delivery is ever settled twice (the broker would close the channel).
    /// </summary>
    private void AckAll(List<PendingAnswer> answers)
    {
        // An envelope's message is settled with its last task; one whose tasks must run again is handed back.
        var tags = new List<ulong>(answers.Count);
        List<(ulong Tag, Settlement Settlement)>? others = null;
        foreach (var answer in answers)
        {
            var delivery = answer.Delivery;
            if (delivery.Envelope is null)
            {
                tags.Add(delivery.Tag);
            }
            else if (delivery.Envelope.Settle(Settlement.Ack) is { } whole)
            {
                if (whole == Settlement.Ack)
                {
                    tags.Add(delivery.Tag);
                }
                else
                {
                    (others ??= []).Add((delivery.Tag, whole));
                }
            }
        }

        if (tags.Count > 0)
        {
            AckTags(tags);
        }

        foreach (var (tag, settlement) in others ?? [])
        {
            Settle(tag, settlement);
        }
    }

    private void AckTags(List<ulong> tags)
    {
        _ackGate.Wait();
        try
        {
            ulong upTo = 0;
            List<ulong>? alone = null;
            lock (_unsettled)
            {
                foreach (var tag in tags)
                {
                    _unsettled.Remove(tag);
                }

                var oldest = _unsettled.Count > 0 ? _unsettled.Min : ulong.MaxValue;
                foreach (var tag in tags)
                {
                    if (tag < oldest)
                    {
                        upTo = Math.Max(upTo, tag);
                    }
                    else
                    {
                        (alone ??= []).Add(tag);
                    }
                }
            }

            var channel = _taskChannel!;
            if (upTo > 0)
            {
                channel.BasicAckAsync(upTo, multiple: true).AsTask().GetAwaiter().GetResult();
            }

            foreach (var tag in alone ?? [])
            {
                channel.BasicAckAsync(tag, multiple: false).AsTask().GetAwaiter().GetResult();
            }
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or IOException or ObjectDisposedException)
        {
            // The channel is gone: the broker requeued the tasks already.
        }
        finally
        {
            _ackGate.Release();
        }
    }

    /// <summary>Publishes answers and waits for the broker's confirms; returns those confirmed (or whose client is gone); the others will be redelivered.</summary>
    private List<PendingAnswer> PublishAnswers(List<PendingAnswer> answers)
    {
        var sends = new List<(List<PendingAnswer> Answers, Task Send)>();
        var builder = new FrameBuilder(1024);
        foreach (var group in answers.GroupBy(a => a.ReplyTo))
        {
            var batch = new List<PendingAnswer>();
            Wire.StartAnswers(builder);
            foreach (var answer in group)
            {
                var size = answer.Answer.Length + (answer.Spans?.Length ?? 0) + Wire.AnswerEntryOverhead;
                if (batch.Count > 0 && builder.Length + size > _options.MaxMessageSize)
                {
                    sends.Add((batch, PublishAnswerBatch(group.Key, Wire.FinishAnswers(builder, batch.Count))));
                    batch = [];
                    Wire.StartAnswers(builder);
                }

                Wire.WriteAnswer(builder, answer.Answer, answer.Spans);
                batch.Add(answer);
            }

            sends.Add((batch, PublishAnswerBatch(group.Key, Wire.FinishAnswers(builder, batch.Count))));
        }

        var done = new List<PendingAnswer>(answers.Count);
        foreach (var (batch, send) in sends)
        {
            try
            {
                send.WaitWithoutSpinning();
                done.AddRange(batch);
            }
            catch (PublishException ex) when (ex.IsReturn)
            {
                // The executor is gone (its reply queue with it): nobody wants the answers.
                foreach (var answer in batch)
                {
                    WorkerLog.ClientGone(_logger, Node, answer.TaskId, "its answer");
                }

                done.AddRange(batch);
            }
            catch (Exception ex) when (ex is PublishException or AlreadyClosedException or OperationInterruptedException or IOException or ObjectDisposedException)
            {
                foreach (var answer in batch)
                {
                    WorkerLog.AnswerFailed(_logger, Node, answer.TaskId, BrokerUri.Scrub(ex.Message, _broker));
                }
            }
        }

        return done;
    }

    private Task PublishAnswerBatch(string replyTo, byte[] body)
    {
        var properties = new BasicProperties
        {
            Type = Wire.Answer,
            Headers = new Dictionary<string, object?> { [Wire.NodeHeader] = Node },
        };
        try
        {
            return _publishChannel!.BasicPublishAsync(string.Empty, replyTo, mandatory: true, properties, body).AsTask();
        }
        catch (Exception ex) when (ex is PublishException or AlreadyClosedException or OperationInterruptedException or IOException or ObjectDisposedException)
        {
            return Task.FromException(ex);
        }
    }

    private sealed record PendingClaim(string ReplyTo, ClaimEntry Claim);

    /// <summary>An answer waiting to be sent; <see cref="Delivery"/> is the task to settle once it is confirmed.</summary>
    private sealed record PendingAnswer(string ReplyTo, long TaskId, byte[] Answer, byte[]? Spans, Delivery Delivery);
}
