using System.Diagnostics;

namespace Juggle.Tests;

/// <summary>One span per task on the <c>Juggle</c> source, parented to the submitter's span, exported by OpenTelemetry.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class TracingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public void Thread_pool_task_is_a_child_span_of_the_submitter_with_worker_attributes()
    {
        using var capture = new TraceCapture();
        using var pool = new ThreadPoolExecutor(maxWorkers: 2, threadNamePrefix: "traced");
        string inside;
        int threadId;
        Activity root;
        using (root = capture.StartRoot())
        {
            var future = pool.Submit(() => (Span: TracedFunctions.CurrentSpan(0), Thread: Environment.CurrentManagedThreadId));
            (inside, threadId) = future.Result(Patience);
        }

        var task = Assert.Single(capture.SpansOf(root.TraceId), a => a.OperationName == "juggle.task");
        Assert.Equal(root.SpanId, task.ParentSpanId);
        Assert.Equal($"{task.TraceId}-{task.SpanId}", inside); // current while the function runs
        Assert.Equal(ActivityStatusCode.Unset, task.Status);
        Assert.Equal(pool.Name, task.GetTagItem("juggle.executor"));
        Assert.Equal(1L, task.GetTagItem("juggle.task.id"));
        Assert.Equal(threadId, task.GetTagItem("thread.id"));
        Assert.StartsWith("traced_", (string)task.GetTagItem("thread.name")!);
        Assert.Equal(Environment.ProcessId, task.GetTagItem("process.pid"));
        Assert.Equal("succeeded", task.GetTagItem("juggle.outcome"));
        Assert.True((double)task.GetTagItem("juggle.task.queued_ms")! >= 0);
        Assert.Contains("lambda", task.DisplayName, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_task_gets_its_own_span_named_after_its_function()
    {
        using var capture = new TraceCapture();
        using var pool = new ThreadPoolExecutor(maxWorkers: 2);
        Activity root;
        using (root = capture.StartRoot())
        {
            var futures = Enumerable.Range(0, 20).Select(i => pool.Submit(TracedFunctions.CurrentSpan, i)).ToList();
            Assert.All(futures, f => f.Result(Patience));
        }

        var tasks = capture.SpansOf(root.TraceId).Where(a => a.OperationName == "juggle.task").ToList();
        Assert.Equal(20, tasks.Count);
        Assert.All(tasks, t => Assert.Equal("TracedFunctions.CurrentSpan", t.DisplayName));
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), tasks.Select(t => (long)t.GetTagItem("juggle.task.id")!).Order());
    }

    [Fact]
    public void Failed_task_span_has_error_status_and_the_exception_event()
    {
        using var capture = new TraceCapture();
        using var pool = new ThreadPoolExecutor(maxWorkers: 1);
        Activity root;
        using (root = capture.StartRoot())
        {
            var error = pool.Submit(TracedFunctions.Fail, 7).GetException(Patience);
            Assert.IsType<InvalidOperationException>(error);
        }

        var task = Assert.Single(capture.SpansOf(root.TraceId), a => a.OperationName == "juggle.task");
        AssertFailed(task, "boom 7");
    }

    [Fact]
    public void Cancelled_pending_task_ends_its_span_as_cancelled_without_error()
    {
        using var capture = new TraceCapture();
        using var pool = new ThreadPoolExecutor(maxWorkers: 1);
        using var gate = new ManualResetEventSlim();
        Activity root;
        using (root = capture.StartRoot())
        {
            var blocker = pool.Submit(() => gate.Wait(Patience));
            var queued = pool.Submit(() => 1);
            Assert.True(queued.Cancel());
            gate.Set();
            Assert.True(blocker.Result(Patience));
        }

        // The cancelled task never ran: no span for it, only the blocker's.
        var task = Assert.Single(capture.SpansOf(root.TraceId), a => a.OperationName == "juggle.task");
        Assert.Equal(1L, task.GetTagItem("juggle.task.id"));
    }

    [Fact]
    public void A_listener_attached_mid_run_traces_the_tasks_submitted_after_it_and_the_earlier_ones_still_finish()
    {
        using var pool = new ThreadPoolExecutor(maxWorkers: 1);
        using var gate = new ManualResetEventSlim();
        var blocker = pool.Submit(() => gate.Wait(Patience));
        var before = Enumerable.Range(0, 5).Select(i => pool.Submit(TracedFunctions.CurrentSpan, i)).ToList();

        List<Future<string>> after;
        Activity root;
        using (var capture = new TraceCapture())
        {
            using (root = capture.StartRoot())
            {
                after = Enumerable.Range(0, 5).Select(i => pool.Submit(TracedFunctions.CurrentSpan, i)).ToList();
            }

            gate.Set();
            Assert.True(blocker.Result(Patience));
            var afterSpans = after.Select(f => f.Result(Patience)).ToList();
            var beforeSpans = before.Select(f => f.Result(Patience)).ToList();

            // Each task submitted after the listener attached is a child of the submitter's span, current while it ran;
            // the ones queued before are not in that trace.
            var tasks = capture.SpansOf(root.TraceId).Where(a => a.OperationName == "juggle.task").ToList();
            Assert.Equal(after.Select(f => f.Id).Order(), tasks.Select(t => (long)t.GetTagItem("juggle.task.id")!).Order());
            Assert.All(tasks, t => Assert.Equal(root.SpanId, t.ParentSpanId));
            Assert.Equal(tasks.Select(t => $"{t.TraceId}-{t.SpanId}").Order(), afterSpans.Order());
            Assert.DoesNotContain(beforeSpans, s => s.StartsWith(root.TraceId.ToString(), StringComparison.Ordinal));
        }

        // The listener is gone: tasks still run.
        Assert.Equal(10, pool.Submit(() => 10).Result(Patience));
    }

    [Fact]
    public void Process_pool_traced_call_sent_ahead_is_not_promised_cancelled_and_is_skipped()
    {
        // A traced future keeps the process pool's cancel gate in its trace: Cancel() must still consult it.
        using var capture = new TraceCapture();
        using var pool = new ProcessPoolExecutor(maxWorkers: 1) { AlwaysPipeline = true };
        using var gate = new CrossProcessGate();
        var marker = Path.Combine(Path.GetTempPath(), $"juggle-traced-cancel-{Guid.NewGuid():N}");
        try
        {
            Activity root;
            Future<string> head;
            Future<int> victim;
            using (root = capture.StartRoot())
            {
                head = pool.Submit(ContractFunctions.BlockUntilReleased, gate.Path);
                Assert.True(gate.WaitStarted(Patience));
                victim = pool.Submit(ProcessPoolFunctions.CreateFile, marker);
            }

            Assert.False(victim.Cancel(), "Cancel() promised a traced call the worker may already be starting");
            Assert.True(victim.TryWait(Patience), "the skipped call never completed");
            Assert.True(victim.Cancelled);
            gate.Release();
            Assert.Equal("released", head.Result(Patience));
            Assert.False(File.Exists(marker), "the cancelled function ran");
        }
        finally
        {
            File.Delete(marker);
        }
    }

    [Fact]
    public void Process_pool_trace_spans_parent_and_worker_and_the_workers_http_call_joins_it()
    {
        using var server = new TraceparentServer();
        using var capture = new TraceCapture();
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        Activity root;
        int workerPid;
        using (root = capture.StartRoot())
        {
            workerPid = pool.Submit(TracedFunctions.Fetch, server.Url).Result(Patience);
        }

        Assert.NotEqual(Environment.ProcessId, workerPid);
        var spans = capture.SpansOf(root.TraceId);

        // Parent side: the task's span, child of the submitter's.
        var task = Assert.Single(spans, a => a.OperationName == "juggle.task");
        Assert.Equal(root.SpanId, task.ParentSpanId);
        Assert.Equal(workerPid, task.GetTagItem("process.pid"));
        Assert.Equal("TracedFunctions.Fetch", task.DisplayName);

        // Worker side, re-emitted here: the run span under the task's span, the HTTP client span under it.
        var run = Assert.Single(spans, a => a.OperationName == "juggle.task.run");
        Assert.Equal(task.SpanId, run.ParentSpanId);
        Assert.Equal((long)workerPid, run.GetTagItem("process.pid")); // integers travel as Int64
        var http = Assert.Single(spans, a => a.Source.Name == "System.Net.Http");
        Assert.Equal(run.SpanId, http.ParentSpanId);
        Assert.Equal(ActivityKind.Client, http.Kind);
        Assert.True(run.StartTimeUtc <= http.StartTimeUtc && http.StartTimeUtc + http.Duration <= run.StartTimeUtc + run.Duration);

        // The server got the trace: same trace id, its parent is the worker's HTTP span.
        Assert.True(server.TraceParents.TryTake(out var header, Patience));
        var parts = header.Split('-');
        Assert.Equal(root.TraceId.ToHexString(), parts[1]);
        Assert.Equal(http.GetTagItem("juggle.worker.span_id"), parts[2]);
    }

    [Fact]
    public void Process_pool_failure_marks_the_task_and_worker_spans_as_errors()
    {
        using var capture = new TraceCapture();
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        Activity root;
        using (root = capture.StartRoot())
        {
            Assert.NotNull(pool.Submit(TracedFunctions.Fail, 3).GetException(Patience));
        }

        var spans = capture.SpansOf(root.TraceId);
        var task = Assert.Single(spans, a => a.OperationName == "juggle.task");
        AssertFailed(task, "boom 3");
        var run = Assert.Single(spans, a => a.OperationName == "juggle.task.run");
        AssertFailed(run, "boom 3");
        Assert.Equal(task.SpanId, run.ParentSpanId);
    }

    [Fact]
    public void Process_pool_without_a_listener_sends_no_trace_context()
    {
        // No provider: the task has no trace, so the worker runs it without a span (the function sees no activity).
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        Assert.Equal("none", pool.Submit(TracedFunctions.CurrentSpan, 1).Result(Patience));
    }

    private static void AssertFailed(Activity span, string message)
    {
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Contains(message, span.StatusDescription, StringComparison.Ordinal);
        Assert.EndsWith("InvalidOperationException", (string)span.GetTagItem("error.type")!, StringComparison.Ordinal);
        var exception = Assert.Single(span.Events, e => e.Name == "exception");
        var tags = exception.Tags.ToDictionary(t => t.Key, t => t.Value);
        Assert.Contains("InvalidOperationException", (string)tags["exception.type"]!, StringComparison.Ordinal);
        Assert.Contains(message, (string)tags["exception.message"]!, StringComparison.Ordinal);
        Assert.Contains("TracedFunctions.Fail", (string)tags["exception.stacktrace"]!, StringComparison.Ordinal);
    }
}
