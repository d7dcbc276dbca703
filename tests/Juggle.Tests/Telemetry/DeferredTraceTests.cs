using System.Diagnostics;
using Juggle.Internal;

namespace Juggle.Tests;

/// <summary>
/// A task submitted while Juggle's activity source is still being created (the first executor of a process) leaves
/// the tracing decision to its start: the span it then gets is still the child of the submitter's span.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class DeferredTraceTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public void The_submitters_span_is_read_from_the_captured_context_on_another_thread_after_it_ended()
    {
        using var capture = new TraceCapture();
        DeferredTrace deferred;
        Activity root;
        using (root = capture.StartRoot())
        {
            deferred = new DeferredTrace(null, ExecutionContext.Capture(), Stopwatch.GetTimestamp());
        }

        Assert.Null(Activity.Current);
        var parent = Task.Run(deferred.ReadParent).WaitAsync(Patience).GetAwaiter().GetResult();
        Assert.Equal(root.TraceId, parent.TraceId);
        Assert.Equal(root.SpanId, parent.SpanId);
        Assert.Equal(default, new DeferredTrace(null, null, 0).ReadParent());
    }

    [Fact]
    public void A_deferred_trace_becomes_a_child_span_of_the_submitter_when_the_task_starts()
    {
        using var capture = new TraceCapture();
        using var pool = new ThreadPoolExecutor(maxWorkers: 1);
        using var gate = new ManualResetEventSlim();
        var blocker = pool.Submit(() => gate.Wait(Patience));
        DeferredTrace deferred;
        Activity root;
        using (root = capture.StartRoot())
        {
            deferred = new DeferredTrace((Func<int, string>)TracedFunctions.CurrentSpan, ExecutionContext.Capture(), Stopwatch.GetTimestamp());
        }

        var trace = TaskTelemetry.TryCreateDeferred(pool, blocker, deferred);
        Assert.NotNull(trace);
        Assert.Equal(root.SpanId, trace.Parent.SpanId);
        Assert.Equal("TracedFunctions.CurrentSpan", trace.Function);
        Assert.Equal(deferred.SubmitTimestamp, trace.SubmitTimestamp);
        gate.Set();
        Assert.True(blocker.Result(Patience));
    }
}
