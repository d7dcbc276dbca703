using System.Collections.Concurrent;
using System.Diagnostics;
using Juggle.RabbitMQ.Internal;
using Juggle.Remoting;

namespace Juggle.RabbitMQ;

/// <summary>
/// Claiming ahead: a slot claims the task it is about to start; for a function whose tasks finish in a fraction of a
/// millisecond on this node, the tasks it will start within about a millisecond are as much "about to start", so the
/// slot claims the next few tasks of the same envelope together, runs them one after another and sends their answers
/// together: one claim, one grant and one answer message for the group instead of one each per task.
/// </summary>
public sealed partial class RabbitMqWorker
{
    /// <summary>The most tasks one slot claims together.</summary>
    private const int MaxClaimAhead = 16;

    /// <summary>How far ahead a slot claims, in expected running time.</summary>
    private static readonly TimeSpan s_claimHorizon = TimeSpan.FromMilliseconds(1);

    /// <summary>Tasks of a function that must have finished on this node before its pace is trusted.</summary>
    private const int PaceSamples = 8;

    private readonly ConcurrentDictionary<FunctionSignature, Pace> _paces = new();

    /// <summary>How many tasks of <paramref name="signature"/> a slot claims together: 1 until its tasks are known to be quick here.</summary>
    private int ClaimAhead(FunctionSignature signature)
    {
        if (!_paces.TryGetValue(signature, out var pace) || pace.Mean is not { } mean)
        {
            return 1;
        }

        return (int)Math.Clamp(s_claimHorizon.Ticks / Math.Max(mean.Ticks, 1), 1, MaxClaimAhead);
    }

    private void Timed(FunctionSignature signature, TimeSpan duration) =>
        _paces.GetOrAdd(signature, static _ => new Pace()).Add(duration);

    /// <summary>
    /// Claims <paramref name="first"/> with the next tasks of its envelope waiting here (up to <paramref name="ahead"/>
    /// in all), then runs those granted in order and answers them together. <see langword="false"/> when no other task
    /// of the envelope is waiting (run <paramref name="first"/> alone).
    /// </summary>
    private bool TryRunGroup(Delivery first, TaskMessage message, FunctionSignature signature, int ahead)
    {
        var taken = new List<Delivery>(ahead - 1);
        _inbox.TakeWhile(d => ReferenceEquals(d.Envelope, first.Envelope) && d.Body is not null, ahead - 1, taken);
        if (taken.Count == 0)
        {
            return false;
        }

        var group = new List<(Delivery Delivery, TaskMessage Message)>(taken.Count + 1) { (first, message) };
        List<Delivery>? others = null;
        foreach (var delivery in taken)
        {
            // Another function, or a malformed task: handled on its own once the group is done.
            TaskMessage? next = null;
            try
            {
                next = TaskMessage.Parse(delivery.Body!);
            }
            catch (FrameException)
            {
            }

            if (next is not null && next.Function.Equals(message.Function))
            {
                group.Add((delivery, next));
            }
            else
            {
                (others ??= []).Add(delivery);
            }
        }

        RunGroup(group, signature);
        foreach (var other in others ?? [])
        {
            Handle(other);
        }

        return true;
    }

    private void RunGroup(List<(Delivery Delivery, TaskMessage Message)> group, FunctionSignature signature)
    {
        var claims = new (long ClaimId, CancellationTokenSource Cancellation, WaitSlot<ClaimOutcome> Decision)[group.Count];
        _isolation.EnterReadLock();
        try
        {
            var pending = new List<PendingClaim>(group.Count);
            for (var i = 0; i < group.Count; i++)
            {
                // Registered before the claims are sent: the executor may ask to cancel a task before its "go" arrives.
                var claimId = Interlocked.Increment(ref _nextClaim);
                claims[i] = (claimId, new CancellationTokenSource(), new WaitSlot<ClaimOutcome>());
                _running[claimId] = claims[i].Cancellation;
                _claims[claimId] = claims[i].Decision;
                pending.Add(new PendingClaim(group[i].Delivery.ReplyTo!, new ClaimEntry(group[i].Message.TaskId, claimId, Redelivered: false)));
            }

            ClaimOutbox.AddRange(pending);
            var deadline = Stopwatch.GetTimestamp() + (long)(_options.ClaimTimeout.TotalSeconds * Stopwatch.Frequency);
            var answers = new List<PendingAnswer>(group.Count);
            for (var i = 0; i < group.Count; i++)
            {
                var (delivery, message) = group[i];
                try
                {
                    var left = TimeSpan.FromSeconds(Math.Max(0, deadline - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency);
                    var outcome = claims[i].Decision.Wait(left) ?? ClaimOutcome.NoAnswer;
                    if (!SettleUnlessGranted(delivery, message.TaskId, outcome))
                    {
                        answers.Add(RunGranted(delivery, message, signature, rerun: false, alone: false, claims[i].Cancellation.Token));
                    }
                }
#pragma warning disable CA1031 // As in the run loop: the task is handed back and its group goes on (every task of an envelope must be settled).
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    WorkerLog.Unexpected(_logger, ex, Node);
                    Settle(delivery, Settlement.Requeue);
                }
            }

            if (answers.Count > 0)
            {
                Answers.AddRange(answers);
            }
        }
        finally
        {
            _isolation.ExitReadLock();
            foreach (var (claimId, cancellation, _) in claims)
            {
                if (cancellation is not null)
                {
                    _claims.TryRemove(claimId, out _);
                    _running.TryRemove(claimId, out _);
                    cancellation.Dispose();
                }
            }
        }
    }

    /// <summary>The running mean of a function's task durations on this node (the last few dozen weigh most).</summary>
    private sealed class Pace
    {
        private readonly Lock _gate = new();
        private long _count;
        private double _meanTicks;

        public TimeSpan? Mean
        {
            get
            {
                lock (_gate)
                {
                    return _count < PaceSamples ? null : TimeSpan.FromTicks((long)_meanTicks);
                }
            }
        }

        public void Add(TimeSpan duration)
        {
            lock (_gate)
            {
                _count++;
                _meanTicks = _count == 1 ? duration.Ticks : _meanTicks + ((duration.Ticks - _meanTicks) / Math.Min(_count, 32));
            }
        }
    }
}
