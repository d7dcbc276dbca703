using Juggle.RabbitMQ;
using Juggle.RabbitMQ.Tests;
using Juggle.Tests;
using Microsoft.Playwright;

namespace Juggle.Dashboard.Tests;

/// <summary>The dashboard of a cluster executor in a real browser, with two real worker nodes on a real broker.</summary>
[Collection(BrokerCollection.Name)]
public sealed class ClusterDashboardTests(BrokerFixture broker, BrowserFixture browser) : ClusterTestBase(broker), IClassFixture<BrowserFixture>
{
    private static readonly PageWaitForFunctionOptions Wait = new() { Timeout = (float)Patience.TotalMilliseconds, PollingInterval = 100 };
    private static readonly LocatorAssertionsToHaveCountOptions CountWait = new() { Timeout = (float)Patience.TotalMilliseconds };
    private static readonly LocatorAssertionsToContainTextOptions TextWait = new() { Timeout = (float)Patience.TotalMilliseconds };

    [Fact]
    public async Task The_workers_table_lists_both_nodes_and_each_node_has_a_lane_with_its_tasks()
    {
        // One task slot per node and no prefetch beyond it: while the first task blocks on its node, the second must
        // go to the other node.
        var first = StartWorker("--node", "node-a", "--concurrency", "1", "--prefetch", "1");
        var second = StartWorker("--node", "node-b", "--concurrency", "1", "--prefetch", "1", "--processes", "1");
        var cluster = CreateExecutor();
        await using var board = JuggleDashboard.Start(0, cluster);
        var page = await browser.Browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        await page.GotoAsync(board.Url.ToString());
        await page.WaitForFunctionAsync("() => window.juggle && window.juggle.status() === 'live' && window.juggle.snapshots() > 0", null, Wait);

        // Both nodes report their status: a row each, by name, PID and host, before any task ran.
        var nodes = page.Locator("#workers tbody tr[data-kind='node']");
        await Assertions.Expect(nodes).ToHaveCountAsync(2, CountWait);
        await Assertions.Expect(nodes.Filter(new() { HasText = "node-a" })).ToContainTextAsync($"PID {first.ProcessId} on {Environment.MachineName}", TextWait);
        await Assertions.Expect(nodes.Filter(new() { HasText = "node-b" })).ToContainTextAsync($"PID {second.ProcessId} on {Environment.MachineName}", TextWait);
        await Assertions.Expect(page.Locator("#executors")).ToContainTextAsync($"{cluster.Name} (cluster", TextWait);

        using var gate = new CrossProcessGate();
        var blocked = new[] { cluster.Submit(ClusterFunctions.SquareAfter, gate.Path, 3), cluster.Submit(ClusterFunctions.SquareAfter, gate.Path, 4) };
        Assert.True(gate.WaitStarted(Patience, count: 2), "both tasks should be running, one on each node");

        // Running now: each node says so (from its own status), and each has a running bar in its own lane.
        await Assertions.Expect(nodes.Filter(new() { HasText = "node-a" })).ToContainTextAsync("running 1 of 1", TextWait);
        await Assertions.Expect(nodes.Filter(new() { HasText = "node-b" })).ToContainTextAsync("running 1 of 1", TextWait);
        gate.Release(2);
        Assert.Equal(new[] { 9, 16 }, blocked.Select(f => f.Result(Patience)).Order());

        await page.WaitForFunctionAsync("() => window.juggle.barCount() >= 2", null, Wait);
        var lanes = await page.EvaluateAsync<string[]>("() => window.juggle.state.lanes");
        Assert.Contains("node-a", lanes);
        Assert.Contains("node-b", lanes);
        var barLanes = await page.EvaluateAsync<string[]>("() => window.juggle.state.bars.map(b => window.juggle.state.lanes[b.lane])");
        Assert.Contains("node-a", barLanes);
        Assert.Contains("node-b", barLanes);

        // Tasks done per node (this app's), and the node's own totals below the table.
        await Assertions.Expect(nodes.Filter(new() { HasText = "node-a" }).Locator("td").Nth(4)).ToHaveTextAsync("1", new() { Timeout = (float)Patience.TotalMilliseconds });
        await Assertions.Expect(nodes.Filter(new() { HasText = "node-b" }).Locator("td").Nth(4)).ToHaveTextAsync("1", new() { Timeout = (float)Patience.TotalMilliseconds });
        await Assertions.Expect(page.Locator("#restarts")).ToContainTextAsync("node node-b: 1 task done for all clients, 0 redelivered tasks rerun, 0 worker process restarts", TextWait);

        // A node that stops says goodbye and leaves the table.
        first.Dispose();
        await Assertions.Expect(nodes).ToHaveCountAsync(1, CountWait);
        await Assertions.Expect(nodes).ToContainTextAsync("node-b", TextWait);
    }
}
