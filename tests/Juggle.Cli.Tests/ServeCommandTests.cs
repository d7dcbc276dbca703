using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Juggle.Cli.Tests;

/// <summary><c>juggle serve --port</c>: the README's quick start fetches seed 000's posts from it.</summary>
public sealed class ServeCommandTests
{
    [Fact]
    public async Task Serve_on_a_given_port_answers_the_quick_start_urls_with_their_titles()
    {
        var port = FreePort();
        using var serve = StartServe("--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--latency", "0");
        try
        {
            var banner = await ReadUntilAsync(serve.StandardError, "serving on", TimeSpan.FromSeconds(60));
            Assert.Contains($"http://127.0.0.1:{port}/", banner);

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var titles = new Regex("<title[^>]*>(.*?)</title>", RegexOptions.IgnoreCase | RegexOptions.Singleline);
            foreach (var (path, title) in new[]
            {
                ("p/hype-cycles", "XML is the future - Bite code!"),
                ("p/the-weirdest-python-keyword", "The weirdest Python keyword - Bite code!"),
            })
            {
                var html = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/{path}"));
                Assert.Equal(title, titles.Match(html).Groups[1].Value);
            }

            using var missing = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/p/no-such-post"));
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }
        finally
        {
            serve.Kill(entireProcessTree: true);
            await serve.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    [Theory]
    [InlineData("-5")]
    [InlineData("65536")]
    [InlineData("http")]
    public async Task Serve_rejects_a_bad_port_with_exit_code_2_and_says_what_to_give(string value)
    {
        var result = await CliHarness.RunAsync(["serve", "--port", value]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains($"--port '{value}' is not a TCP port", result.Error);
        Assert.Contains("0 for a free port", result.Error);
    }

    [Fact]
    public async Task Serve_on_a_taken_port_exits_2_naming_the_port()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var result = await CliHarness.RunAsync(["serve", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains($"cannot listen on 127.0.0.1:{port}", result.Error);
        Assert.Contains("--port 0", result.Error);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static Process StartServe(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Juggle.Cli.dll"));
        start.ArgumentList.Add("serve");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }

    private static async Task<string> ReadUntilAsync(StreamReader reader, string marker, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var seen = new System.Text.StringBuilder();
        while (await reader.ReadLineAsync(cts.Token) is { } line)
        {
            seen.AppendLine(line);
            if (line.Contains(marker, StringComparison.Ordinal))
            {
                return line;
            }
        }

        throw new InvalidOperationException($"juggle serve ended before printing '{marker}':\n{seen}");
    }
}
