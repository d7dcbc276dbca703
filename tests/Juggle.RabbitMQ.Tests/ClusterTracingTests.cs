using System.Diagnostics;
using System.Globalization;
using Juggle.Tests;

namespace Juggle.RabbitMQ.Tests;

/// <summary>
/// Cluster traces end to end: real worker nodes (one running tasks on threads, one in its own process pool), a real
/// process pool in the test process, a loopback HTTP server the tasks call, and OpenTelemetry's in-memory exporter.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class ClusterTracingTests(BrokerFixture broker) : ClusterTestBase(broker)
{
    [Fact]
    public void One_trace_spans_the_submitter_a_process_pool_worker_and_cluster_nodes_with_their_process_pools()
    {
        using var capture = new TraceCapture();
        using var server = new TraceparentServer();
        var threadsNode = StartWorker("--node", "threads-node", "--concurrency", "2");
        var pooledQueue = Queue + ".pooled";
        var pooledNode = StartWorker("--queue", pooledQueue, "--node", "pooled-node", "--processes", "1");
        var cluster = CreateExecutor();
        var pooledCluster = CreateExecutor(o => o.QueueName = pooledQueue);
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);

        ActivityTraceId traceId;
        ActivitySpanId rootId;
        int localWorker, threadsPid, pooledWorker;
        using (var root = capture.StartRoot("checkout"))
        {
            traceId = root.TraceId;
            rootId = root.SpanId;
            var local = pool.Submit(ClusterFunctions.Fetch, server.Url);
            var onThreads = cluster.Submit(ClusterFunctions.Fetch, server.Url);
            var onPooled = pooledCluster.Submit(ClusterFunctions.Fetch, server.Url);
            localWorker = local.Result(Patience);
            threadsPid = onThreads.Result(Patience);
            pooledWorker = onPooled.Result(Patience);
        }

        Assert.Equal(threadsNode.ProcessId, threadsPid);
        Assert.NotEqual(pooledNode.ProcessId, pooledWorker);
        Assert.NotEqual(Environment.ProcessId, localWorker);

        var spans = capture.SpansOf(traceId);
        string Describe() => string.Join("\n", spans.Select(s => $"{s.SpanId} <- {s.ParentSpanId} {s.Source.Name} {s.OperationName} {s.DisplayName}"));

        // The three task spans in this process, children of the submitter's span.
        Activity TaskSpan(string executor) =>
            spans.SingleOrDefault(s => s.OperationName == "juggle.task" && (string?)s.GetTagItem("juggle.executor") == executor)
            ?? throw new Xunit.Sdk.XunitException($"No task span of {executor}:\n{Describe()}");
        var localTask = TaskSpan(pool.Name);
        var clusterTask = TaskSpan(cluster.Name);
        var pooledTask = TaskSpan(pooledCluster.Name);
        Assert.All(new[] { localTask, clusterTask, pooledTask }, s => Assert.Equal(rootId, s.ParentSpanId));
        Assert.Equal("threads-node", clusterTask.GetTagItem("juggle.worker"));
        Assert.Equal("rabbitmq", clusterTask.GetTagItem("messaging.system"));
        Assert.Equal("succeeded", clusterTask.GetTagItem("juggle.outcome"));

        Activity ChildOf(Activity parent, string operation) =>
            spans.SingleOrDefault(s => s.ParentSpanId == parent.SpanId && s.OperationName == operation)
            ?? throw new Xunit.Sdk.XunitException($"No {operation} span under {parent.OperationName} {parent.SpanId}:\n{Describe()}");
        const string HttpOperation = "System.Net.Http.HttpRequestOut";

        // Process pool in this process: task -> worker span -> HttpClient span.
        var localRun = ChildOf(localTask, "juggle.task.run");
        Assert.Equal(localWorker, Convert.ToInt32(localRun.GetTagItem("process.pid"), CultureInfo.InvariantCulture));
        var localHttp = ChildOf(localRun, HttpOperation);

        // Node on threads: task -> node span (its process, host, node name) -> HttpClient span.
        var nodeRun = ChildOf(clusterTask, "juggle.task.run");
        Assert.Equal(threadsNode.ProcessId, Convert.ToInt32(nodeRun.GetTagItem("process.pid"), CultureInfo.InvariantCulture));
        Assert.Equal("threads-node", nodeRun.GetTagItem("juggle.node"));
        Assert.Equal(Environment.MachineName, nodeRun.GetTagItem("host.name"));
        Assert.Equal("ClusterFunctions.Fetch", nodeRun.GetTagItem("code.function.name"));
        Assert.Equal("succeeded", nodeRun.GetTagItem("juggle.outcome"));
        var nodeHttp = ChildOf(nodeRun, HttpOperation);

        // Node with --processes: task -> node span -> the node's process-pool task -> its worker's span -> HttpClient span.
        var pooledRun = ChildOf(pooledTask, "juggle.task.run");
        Assert.Equal(pooledNode.ProcessId, Convert.ToInt32(pooledRun.GetTagItem("process.pid"), CultureInfo.InvariantCulture));
        var nodePoolTask = ChildOf(pooledRun, "juggle.task");
        Assert.Equal("pooled-node-processes", nodePoolTask.GetTagItem("juggle.executor"));
        var processRun = ChildOf(nodePoolTask, "juggle.task.run");
        Assert.Equal(pooledWorker, Convert.ToInt32(processRun.GetTagItem("process.pid"), CultureInfo.InvariantCulture));
        var processHttp = ChildOf(processRun, HttpOperation);

        // Each HTTP request carried the trace to the server, naming as parent the span the worker recorded (re-emitted
        // here, twice for the node's process pool, with that id as juggle.worker.span_id).
        var received = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            Assert.True(server.TraceParents.TryTake(out var header, Patience), "the server saw fewer than three requests");
            received.Add(header!);
        }

        Assert.All(received, h => Assert.StartsWith($"00-{traceId}-", h, StringComparison.Ordinal));
        foreach (var http in new[] { localHttp, nodeHttp, processHttp })
        {
            var workerSpanId = Assert.IsType<string>(http.GetTagItem("juggle.worker.span_id"));
            Assert.Contains(received, h => h.Split('-')[2] == workerSpanId);
        }
    }

    [Fact]
    public void A_failed_cluster_task_marks_the_node_span_with_the_exception()
    {
        using var capture = new TraceCapture();
        StartWorker("--node", "failing-node");
        var cluster = CreateExecutor();
        ActivityTraceId traceId;
        using (var root = capture.StartRoot())
        {
            traceId = root.TraceId;
            var future = cluster.Submit(ClusterFunctions.ThrowArgument, "bad input");
            Assert.Throws<ArgumentException>(() => future.Result(Patience));
        }

        var spans = capture.SpansOf(traceId);
        var task = Assert.Single(spans, s => s.OperationName == "juggle.task");
        Assert.Equal(ActivityStatusCode.Error, task.Status);
        Assert.Equal("failed", task.GetTagItem("juggle.outcome"));
        var run = Assert.Single(spans, s => s.OperationName == "juggle.task.run");
        Assert.Equal(task.SpanId, run.ParentSpanId);
        Assert.Equal(ActivityStatusCode.Error, run.Status);
        Assert.Equal("bad input", run.StatusDescription);
        Assert.Equal("System.ArgumentException", run.GetTagItem("error.type"));
        Assert.Equal("failed", run.GetTagItem("juggle.outcome"));
        var exception = Assert.Single(run.Events, e => e.Name == "exception");
        Assert.Equal("System.ArgumentException", exception.Tags.Single(t => t.Key == "exception.type").Value);
    }
}
