using Microsoft.Playwright;

namespace Juggle.Dashboard.Tests;

/// <summary>The dashboard in a real browser: the page fills while executors run, shows failures, and reconnects.</summary>
public sealed class DashboardBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly PageWaitForFunctionOptions Wait = new() { Timeout = (float)Patience.TotalMilliseconds, PollingInterval = 50 };

    [Fact]
    public async Task Task_stream_progress_and_workers_fill_during_a_run()
    {
        using var threads = new ThreadPoolExecutor(maxWorkers: 4, threadNamePrefix: "board");
        using var processes = new ProcessPoolExecutor(maxWorkers: 2);
        using var board = JuggleDashboard.Start(0, threads, processes);
        var page = await OpenAsync(board);

        var threadTasks = Enumerable.Range(0, 400).Select(_ => threads.Submit(DashboardFunctions.Work, 5)).ToList();
        var processTasks = Enumerable.Range(0, 20).Select(_ => processes.Submit(DashboardFunctions.Work, 20)).ToList();
        Assert.All(threadTasks, f => f.Result(Patience));
        Assert.All(processTasks, f => f.Result(Patience));

        // Every task ended as a bar on the page; counts per function are exact.
        await page.WaitForFunctionAsync("() => window.juggle.barCount() >= 420", null, Wait);
        var threadRow = page.Locator($".fn[data-function='DashboardFunctions.Work']").Filter(new() { HasText = threads.Name });
        await Assertions.Expect(threadRow.Locator(".counts")).ToContainTextAsync("400 done · 0 running · 0 pending · 0 failed", new() { Timeout = (float)Patience.TotalMilliseconds });
        var processRow = page.Locator($".fn[data-function='DashboardFunctions.Work']").Filter(new() { HasText = processes.Name });
        await Assertions.Expect(processRow.Locator(".counts")).ToContainTextAsync("20 done", new() { Timeout = (float)Patience.TotalMilliseconds });

        // The workers table: four threads, and both worker processes by PID.
        await Assertions.Expect(page.Locator("#workers tbody tr[data-kind='thread']")).ToHaveCountAsync(4, new() { Timeout = (float)Patience.TotalMilliseconds });
        foreach (var pid in processes.GetWorkerProcessIds())
        {
            await Assertions.Expect(page.Locator("#workers tbody")).ToContainTextAsync($"PID {pid}", new() { Timeout = (float)Patience.TotalMilliseconds });
        }

        // Lanes: one per worker that ran a task.
        var lanes = await page.EvaluateAsync<string[]>("() => window.juggle.state.lanes");
        Assert.Contains(lanes, l => l.StartsWith("board_", StringComparison.Ordinal));
        Assert.Contains(lanes, l => l.StartsWith(processes.Name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failure_appears_with_its_stack_trace()
    {
        using var processes = new ProcessPoolExecutor(maxWorkers: 1);
        using var board = JuggleDashboard.Start(0, processes);
        var page = await OpenAsync(board);

        Assert.IsType<InvalidOperationException>(processes.Submit(DashboardFunctions.Explode, 42).GetException(Patience));

        var failure = page.Locator(".failure").First;
        await Assertions.Expect(failure.Locator(".message")).ToHaveTextAsync("boom 42", new() { Timeout = (float)Patience.TotalMilliseconds });
        await Assertions.Expect(failure.Locator(".type")).ToContainTextAsync("InvalidOperationException");
        await Assertions.Expect(failure.Locator("pre.stack")).ToContainTextAsync("DashboardFunctions.Explode");
        await Assertions.Expect(failure.Locator("pre.stack")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".fn .counts")).ToContainTextAsync("1 failed");
    }

    [Fact]
    public async Task The_page_reconnects_when_the_server_restarts_on_the_same_port()
    {
        using var threads = new ThreadPoolExecutor(maxWorkers: 2);
        var first = JuggleDashboard.Start(0, threads);
        var port = first.Port;
        var page = await OpenAsync(first);

        await first.DisposeAsync();
        await page.WaitForFunctionAsync("() => window.juggle.status() === 'reconnecting'", null, Wait);
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("reconnecting…");

        using var second = JuggleDashboard.Start(port, threads);
        Assert.Equal(port, second.Port);
        await page.WaitForFunctionAsync("() => window.juggle.status() === 'live'", null, Wait);

        // The new server's data reaches the page that was opened on the old one.
        Assert.Equal(7, threads.Submit(() => 7).Result(Patience));
        await Assertions.Expect(page.Locator(".fn .counts")).ToContainTextAsync("1 done", new() { Timeout = (float)Patience.TotalMilliseconds });
    }

    private async Task<IPage> OpenAsync(JuggleDashboard board)
    {
        var page = await browser.Browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        await page.GotoAsync(board.Url.ToString());
        await page.WaitForFunctionAsync("() => window.juggle && window.juggle.status() === 'live' && window.juggle.snapshots() > 0", null, Wait);
        return page;
    }
}
