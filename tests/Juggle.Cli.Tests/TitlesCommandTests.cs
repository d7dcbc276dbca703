using System.Text.Json;
using System.Xml.Linq;

namespace Juggle.Cli.Tests;

public sealed class TitlesCommandTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static List<JsonElement> Json(CliResult result) =>
        result.OutLines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    [Fact]
    public async Task Awkward_cases_each_get_their_own_answer_and_never_sink_the_rest()
    {
        var refused = ServerFixture.RefusedUrl();
        var input = string.Join('\n',
            "# a comment, then a blank line",
            "",
            server.Url("t/latin1"),
            server.Url("t/meta-1252"),
            server.Url("t/sniff-1252"),
            server.Url("t/entities"),
            server.Url("t/no-title"),
            server.Url("t/empty-title"),
            server.Url("t/status/404"),
            server.Url("t/status/500"),
            server.Url("t/loop"),
            server.Url("t/redirect/3"),
            server.Url("t/binary"),
            server.Url("t/binary-as-html"),
            "not a url",
            "ftp://example.com/file",
            refused,
            "http://no-such-host.invalid/",
            server.Url("pokedex/1"));

        var result = await CliHarness.RunAsync(["titles", "-i", "-", "--json", "--retries", "0", "--timeout", "5", "--max-redirects", "5"], stdin: input);

        Assert.Equal(1, result.ExitCode);
        var rows = Json(result);
        Assert.Equal(17, rows.Count);
        Assert.Equal(Enumerable.Range(0, 17).Select(i => (long)i), rows.Select(r => r.GetProperty("index").GetInt64()));
        string? Title(int i) => rows[i].GetProperty("title").GetString();
        string? Error(int i) => rows[i].GetProperty("error").GetString();
        Assert.Equal("Café crème brûlée", Title(0));
        Assert.Equal("“Smart quotes” – cost €5", Title(1));
        Assert.Equal("Naïve résumé", Title(2));
        Assert.Equal("Tom & Jerry — \"Cartoons\" <1940>", Title(3));
        Assert.Equal("Unknown", Title(4));
        Assert.Equal("Unknown", Title(5));
        Assert.Equal(404, rows[6].GetProperty("status").GetInt32());
        Assert.Contains("HTTP 404", Error(6));
        Assert.Null(Title(6));
        Assert.Contains("HTTP 500", Error(7));
        Assert.Contains("too many redirects", Error(8));
        Assert.Equal("Tom & Jerry — \"Cartoons\" <1940>", Title(9));
        Assert.Contains("not HTML: image/png", Error(10));
        Assert.Contains("binary", Error(11));
        Assert.Equal("line 15: not a URL: 'not a url' (expected http://... or https://...)", Error(12));
        Assert.Contains("line 16: unsupported scheme 'ftp'", Error(13));
        Assert.Equal("connection refused", Error(14));
        Assert.Contains("DNS failure", Error(15));
        Assert.StartsWith("Bulbasaur Pokédex", Title(16));
        Assert.Contains("8 ok, 9 failed", result.Error);
    }

    [Fact]
    public async Task Plain_output_is_one_tab_separated_line_per_url_in_input_order()
    {
        var urls = Enumerable.Range(1, 12).Select(n => server.Url($"page/{n}")).ToArray();
        var result = await CliHarness.RunAsync(["titles", .. urls, "-w", "4"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(urls.Select((u, i) => $"{u}\tPage {i + 1} – Juggle demo"), result.OutLines);
        Assert.Contains("12 ok, 0 failed", result.Error);
    }

    [Fact]
    public async Task Interactive_output_goes_to_the_rich_console()
    {
        var result = await CliHarness.RunAsync(["titles", server.Url("page/5"), server.Url("t/status/500"), "--retries", "0"], interactive: true);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Contains("✓", result.Console);
        Assert.Contains("Page 5 – Juggle demo", result.Console);
        Assert.Contains("✗", result.Console);
        Assert.Contains("1 ok, 1 failed", result.Console);
    }

    [Theory]
    [InlineData("sequential")]
    [InlineData("threads")]
    [InlineData("async")]
    public async Task Every_mode_gives_the_same_results(string mode)
    {
        var urls = Enumerable.Range(1, 20).Select(n => server.Url($"pokedex/{n}")).ToArray();
        var result = await CliHarness.RunAsync(["titles", .. urls, "--mode", mode, "-w", "5", "--select", "h1"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(urls.Zip(Juggle.Cli.Demo.DemoServer.Pokemon, (u, p) => $"{u}\t{p}"), result.OutLines);
    }

    [Theory]
    [InlineData("threads")]
    [InlineData("async")]
    public async Task As_completed_yields_every_item_once(string mode)
    {
        // Item 1 is slow, so completion order differs from input order.
        var urls = new[] { server.Url("page/1?delay=400") }.Concat(Enumerable.Range(2, 8).Select(n => server.Url($"page/{n}"))).ToArray();
        var result = await CliHarness.RunAsync(["titles", .. urls, "--as-completed", "--mode", mode, "-w", "4", "--json"]);

        Assert.Equal(0, result.ExitCode);
        var rows = Json(result);
        Assert.Equal(urls.Order(), rows.Select(r => r.GetProperty("url").GetString()!).Order());
        Assert.NotEqual(urls[0], rows[0].GetProperty("url").GetString());
    }

    [Fact]
    public async Task Select_takes_any_css_selector()
    {
        var result = await CliHarness.RunAsync(["titles", server.Url("t/h1"), "--select", "main.x > h1", "--json"]);

        Assert.Equal(0, result.ExitCode);
        var row = Assert.Single(Json(result));
        Assert.Equal("Bulbasaur", row.GetProperty("value").GetString());
        Assert.False(row.TryGetProperty("title", out _));
    }

    [Fact]
    public async Task Invalid_selector_is_a_usage_error()
    {
        var result = await CliHarness.RunAsync(["titles", server.Url("t/h1"), "--select", "h1[["]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("not a valid CSS selector", result.Error);
    }

    [Fact]
    public async Task Slow_page_times_out_without_holding_up_the_others()
    {
        var result = await CliHarness.RunAsync(["titles", server.Url("page/1?delay=20000"), server.Url("page/2"), "--timeout", "0.5", "--retries", "0", "--json"]);

        Assert.Equal(1, result.ExitCode);
        var rows = Json(result);
        Assert.Contains("timed out after 0.5 s", rows[0].GetProperty("error").GetString());
        Assert.Equal("Page 2 – Juggle demo", rows[1].GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("threads")]
    [InlineData("async")]
    [InlineData("sequential")]
    public async Task A_body_that_stalls_times_out(string mode)
    {
        var result = await CliHarness.RunAsync(["titles", server.Url($"hang-body/{mode}"), server.Url("page/2"), "--timeout", "0.5", "--retries", "0", "--json", "--mode", mode]);

        Assert.Equal(1, result.ExitCode);
        var rows = Json(result);
        Assert.Contains("timed out reading the body", rows[0].GetProperty("error").GetString());
        Assert.Equal("Page 2 – Juggle demo", rows[1].GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("503")]
    [InlineData("429")]
    public async Task Retries_recover_from_5xx_and_429_honouring_retry_after(string code)
    {
        var key = Guid.NewGuid().ToString("N");
        var result = await CliHarness.RunAsync(["titles", server.Url($"t/flaky/{key}?fail=2&code={code}"), "--retries", "3", "--json"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("Recovered after 2 failures", Assert.Single(Json(result)).GetProperty("title").GetString());
    }

    [Fact]
    public async Task Without_retries_a_503_is_reported()
    {
        var key = Guid.NewGuid().ToString("N");
        var result = await CliHarness.RunAsync(["titles", server.Url($"t/flaky/{key}?fail=1"), "--retries", "0", "--json"]);

        Assert.Equal(1, result.ExitCode);
        var row = Assert.Single(Json(result));
        Assert.Equal(503, row.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Missing_input_file_and_no_urls_are_usage_errors()
    {
        var missing = await CliHarness.RunAsync(["titles", "-i", "/nonexistent/urls.txt"]);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("input file not found: '/nonexistent/urls.txt'", missing.Error);

        var none = await CliHarness.RunAsync(["titles"]);
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("no URLs", none.Error);
    }

    [Theory]
    [InlineData("--workers", "-3")]
    [InlineData("--mode", "fibers")]
    [InlineData("--rate", "0")]
    [InlineData("--timeout", "abc")]
    [InlineData("--timeline", "/no/such/folder/run.svg")]
    [InlineData("--trace", "/tmp")]
    public async Task Bad_options_exit_with_2(string option, string value)
    {
        var result = await CliHarness.RunAsync(["titles", server.Url("page/1"), option, value]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("juggle:", result.Error);
    }

    [Fact]
    public async Task Input_file_is_read_with_line_numbers()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllLinesAsync(file, ["# urls", server.Url("page/1"), "   ", "htp:/broken", server.Url("page/3")]);
            var result = await CliHarness.RunAsync(["titles", "-i", file]);

            Assert.Equal(1, result.ExitCode);
            Assert.Equal(3, result.OutLines.Length);
            Assert.Contains("line 4", result.OutLines[1]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Timeline_and_trace_files_describe_the_real_run()
    {
        var dir = Directory.CreateTempSubdirectory("juggle-cli-test");
        try
        {
            var svg = Path.Combine(dir.FullName, "run.svg");
            var trace = Path.Combine(dir.FullName, "run.json");
            var urls = Enumerable.Range(1, 6).Select(n => server.Url($"page/{n}?delay=50")).ToArray();
            var result = await CliHarness.RunAsync(["titles", .. urls, "-w", "3", "--timeline", svg, "--trace", trace]);

            Assert.Equal(0, result.ExitCode);
            var doc = XDocument.Load(svg);
            XNamespace ns = "http://www.w3.org/2000/svg";
            var bars = doc.Descendants(ns + "rect").Where(r => r.Element(ns + "title") is not null).ToList();
            Assert.Equal(6, bars.Count);
            var lanes = doc.Descendants(ns + "text").Select(t => t.Value).Where(v => v.StartsWith("worker_", StringComparison.Ordinal)).ToList();
            Assert.InRange(lanes.Count, 1, 3);

            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(trace));
            var events = json.RootElement.GetProperty("traceEvents").EnumerateArray().ToList();
            var complete = events.Where(e => e.GetProperty("ph").GetString() == "X").ToList();
            Assert.Equal(6, complete.Count);
            Assert.All(complete, e => Assert.True(e.GetProperty("dur").GetDouble() >= 40_000, "each task waited ~50 ms"));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Ctrl_c_stops_promptly_prints_the_summary_and_exits_130()
    {
        server.ResetHang();
        using var cts = new CancellationTokenSource();
        var run = CliHarness.RunAsync(["titles", server.Url("page/1"), server.Url("hang"), server.Url("page/3"), "-w", "1", "--timeout", "60"], cancellationToken: cts.Token);
        await server.HangHit.Task.WaitAsync(TimeSpan.FromSeconds(10));
        cts.Cancel();
        var result = await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(130, result.ExitCode);
        Assert.Contains("interrupted", result.Error);
        Assert.Contains("Page 1", result.Out);
        Assert.DoesNotContain("Page 3", result.Out);
    }
}
