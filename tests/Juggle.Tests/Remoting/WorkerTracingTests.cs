using System.Diagnostics;
using Juggle.Remoting;

namespace Juggle.Tests.Remoting;

/// <summary>
/// The worker side of traced calls when several run at once in one process (a cluster node's threads), even of the
/// same trace: each call gets back exactly the spans started under it.
/// </summary>
public sealed class WorkerTracingTests
{
    private static readonly ActivitySource s_source = new("Juggle.Tests.WorkerTracing");
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public void Concurrent_calls_of_one_trace_each_get_back_only_their_own_spans()
    {
        var traceId = ActivityTraceId.CreateRandom();
        var parent = new ActivityContext(traceId, ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, isRemote: true);
        using var bothOpen = new Barrier(2);
        using var bothStarted = new Barrier(2);
        var results = new List<Activity>[2];
        var ownSpans = new ActivitySpanId[2];
        var threads = Enumerable.Range(0, 2).Select(i => new Thread(() =>
        {
            var call = WorkerTracing.Begin(parent, $"call{i}")!;
            Assert.True(bothOpen.SignalAndWait(Patience));

            // Both calls are open now; each starts a child on its own thread, then both end it while the other is still open.
            using (var child = s_source.StartActivity($"child{i}"))
            {
                Assert.NotNull(child);
                ownSpans[i] = child.SpanId;
                Assert.True(bothStarted.SignalAndWait(Patience));
            }

            results[i] = call.End(null);
        })).ToList();
        threads.ForEach(t => t.Start());
        Assert.All(threads, t => Assert.True(t.Join(Patience)));

        for (var i = 0; i < 2; i++)
        {
            var names = results[i].Select(a => a.OperationName == TelemetryNames.WorkerOperation ? a.DisplayName : a.OperationName).Order().ToList();
            Assert.Equal([$"call{i}", $"child{i}"], names);
            Assert.Contains(results[i], a => a.SpanId == ownSpans[i]);
            Assert.All(results[i], a => Assert.Equal(traceId, a.TraceId));
        }
    }

    [Fact]
    public void A_span_started_elsewhere_under_a_calls_span_belongs_to_that_call()
    {
        // A cluster node's process-pool task span starts and ends on the pool's threads, not on the call's flow.
        var parent = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, isRemote: true);
        var call = WorkerTracing.Begin(parent, "node call")!;
        var underCall = call.Span.Context;
        Activity? elsewhere = null;
        var thread = new Thread(() =>
        {
            Activity.Current = null;
            elsewhere = s_source.CreateActivity("pool task", ActivityKind.Internal, underCall);
            elsewhere?.Start();
            elsewhere?.Stop();
        });
        thread.UnsafeStart();
        Assert.True(thread.Join(Patience));

        var spans = call.End(null);
        Assert.NotNull(elsewhere);
        Assert.Contains(spans, a => a.SpanId == elsewhere.SpanId);
    }
}
