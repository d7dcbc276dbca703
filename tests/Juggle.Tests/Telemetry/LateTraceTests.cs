using System.Diagnostics;
using Juggle.Internal;

namespace Juggle.Tests;

/// <summary>
/// The first executor of a process creates Juggle's activity source on another thread. A task that starts before the
/// source exists does not wait for it: it runs in its submitter's context (its work joins the submitter's trace) and
/// its span is made when it finishes, with the times it really started and ended.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class LateTraceTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly AsyncLocal<string?> s_submitter = new();

    [Fact]
    public void A_task_starting_while_the_source_is_being_created_starts_at_once_and_gets_its_span_when_it_ends()
    {
        using var capture = new TraceCapture();
        using var pool = new ThreadPoolExecutor(maxWorkers: 1);
        using var started = new ManualResetEventSlim();
        using var gate = new ManualResetEventSlim();
        Activity root;
        Future<string> future;
        var before = DateTime.UtcNow;
        using (var creating = TaskTelemetry.HoldSourceCreation())
        {
            using (root = capture.StartRoot())
            {
                s_submitter.Value = "first";
                future = pool.Submit(() =>
                {
                    var seen = TracedFunctions.CurrentSpan(0);
                    Assert.Equal("first", s_submitter.Value);
                    started.Set();
                    Assert.True(gate.Wait(Patience));
                    return seen;
                });
            }

            s_submitter.Value = null;

            // Before, the task's start waited here for the source (held by this thread): it never started.
            Assert.True(started.Wait(TimeSpan.FromSeconds(20)), "the task waited for the activity source to be created");
        }

        gate.Set();
        var inside = future.Result(Patience);

        var task = Assert.Single(capture.SpansOf(root.TraceId), a => a.OperationName == "juggle.task");
        Assert.Equal(root.SpanId, task.ParentSpanId);
        Assert.Equal($"{root.TraceId}-{root.SpanId}", inside); // the submitter's span: work done inside joins its trace
        Assert.Equal("succeeded", task.GetTagItem("juggle.outcome"));
        Assert.Equal(1L, task.GetTagItem("juggle.task.id"));
        Assert.True(task.StartTimeUtc >= before.AddSeconds(-1) && task.StartTimeUtc < task.StartTimeUtc + task.Duration);
        Assert.True(task.Duration > TimeSpan.Zero);
        Assert.NotNull(task.GetTagItem("thread.id"));

        // The worker thread is back in its own context: the next task sees nothing of the first one's submitter.
        Assert.Null(pool.Submit(() => s_submitter.Value).Result(Patience));
    }

    [Fact]
    public void A_task_that_fails_while_the_source_is_being_created_gets_an_error_span()
    {
        using var capture = new TraceCapture();
        using var pool = new ThreadPoolExecutor(maxWorkers: 1);
        using var gate = new ManualResetEventSlim();
        Activity root;
        Future<int> future;
        using (TaskTelemetry.HoldSourceCreation())
        {
            using (root = capture.StartRoot())
            {
                future = pool.Submit(() => gate.Wait(Patience) ? TracedFunctions.Fail(7) : 0);
            }
        }

        gate.Set();
        Assert.Throws<InvalidOperationException>(() => future.Result(Patience));
        var task = Assert.Single(capture.SpansOf(root.TraceId), a => a.OperationName == "juggle.task");
        Assert.Equal(ActivityStatusCode.Error, task.Status);
        Assert.Equal("failed", task.GetTagItem("juggle.outcome"));
    }

    [Fact]
    public async Task Async_work_runs_inside_its_task_span_across_awaits()
    {
        using var pool = new ThreadPoolExecutor(maxWorkers: 1);
        Activity root;
        string inside;
        Activity task;
        using (var capture = new TraceCapture())
        {
            using (root = capture.StartRoot())
            {
                inside = await pool.Submit(async ct =>
                {
                    await Task.Yield();
                    return TracedFunctions.CurrentSpan(0);
                }).AsTask().WaitAsync(Patience);
            }

            task = Assert.Single(capture.SpansOf(root.TraceId), a => a.OperationName == "juggle.task");
        }

        Assert.Equal($"{task.TraceId}-{task.SpanId}", inside);

        // Nothing listens now: the worker thread that started the async work kept no span of it.
        Assert.Equal("none", pool.Submit(TracedFunctions.CurrentSpan, 1).Result(Patience));
    }
}
