using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Juggle.Dashboard.Tests;

/// <summary>The dashboard's HTTP side without a browser: mapped into an app, and its snapshots under a flood of tasks.</summary>
public sealed class DashboardEndpointTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task MapJuggleDashboard_serves_the_page_and_its_events_under_the_pattern()
    {
        using var pool = new ThreadPoolExecutor(maxWorkers: 2);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        await using var app = builder.Build();
        app.MapJuggleDashboard("/ops/juggle", pool);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = Patience };

        var page = await http.GetStringAsync("/ops/juggle");
        Assert.Contains("<canvas id=\"stream\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("/*SCRIPT*/", page, StringComparison.Ordinal); // script and style are inlined
        Assert.DoesNotContain("http://", page, StringComparison.Ordinal);     // nothing from a CDN

        Assert.Equal(5, pool.Submit(() => 5).Result(Patience));
        using var events = new SseReader(await http.GetStreamAsync("/ops/juggle/events"));
        var first = await events.NextAsync(Patience);
        Assert.True(first.GetProperty("full").GetBoolean());
        Assert.Equal(pool.Name, first.GetProperty("executors")[0].GetProperty("name").GetString());
        Assert.Equal(1, first.GetProperty("functions")[0].GetProperty("done").GetInt32());

        // Stopping the app ends the open event stream instead of waiting for it.
        var stopping = app.StopAsync();
        Assert.True(await Task.WhenAny(stopping, Task.Delay(Patience)) == stopping, "the app did not stop while a page was connected");
    }

    [Fact]
    public async Task Under_a_flood_of_tasks_snapshots_stay_small_and_counts_stay_exact()
    {
        const int Tasks = 50_000;
        using var pool = new ThreadPoolExecutor(maxWorkers: 2);
        using var board = JuggleDashboard.Start(0, pool);
        using var http = new HttpClient { Timeout = Patience };
        using var events = new SseReader(await http.GetStreamAsync(new Uri(board.Url, "events")));
        await events.NextAsync(Patience);

        var futures = new Future<int>[Tasks];
        for (var i = 0; i < Tasks; i++)
        {
            futures[i] = pool.Submit(static () => 1);
        }

        Assert.Equal(Tasks, futures.Sum(f => f.Result(Patience)));

        long bars = 0;
        var dropped = 0L;
        var maxBars = 0;
        while (true)
        {
            var snapshot = await events.NextAsync(Patience);
            var count = snapshot.GetProperty("bars").GetArrayLength();
            maxBars = Math.Max(maxBars, count);
            bars += count;
            dropped = snapshot.GetProperty("dropped").GetInt64();
            if (snapshot.GetProperty("functions").GetArrayLength() == 0)
            {
                continue;
            }

            var function = snapshot.GetProperty("functions")[0];
            if (function.GetProperty("done").GetInt32() == Tasks && bars + dropped >= Tasks)
            {
                Assert.Equal(0, function.GetProperty("pending").GetInt32());
                Assert.Equal(0, function.GetProperty("running").GetInt32());
                break;
            }
        }

        Assert.InRange(maxBars, 1, 1500);
        Assert.Equal(Tasks, bars + dropped); // every task is either drawn or counted as not drawn
    }

    /// <summary>Reads server-sent events: one JSON document per <c>data:</c> line.</summary>
    private sealed class SseReader(Stream stream) : IDisposable
    {
        private readonly StreamReader _reader = new(stream);

        public async Task<JsonElement> NextAsync(TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            while (await _reader.ReadLineAsync(cts.Token) is { } line)
            {
                if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    return JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone();
                }
            }

            throw new EndOfStreamException("The event stream ended.");
        }

        public void Dispose() => _reader.Dispose();
    }
}
