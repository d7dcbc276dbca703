using System.Diagnostics;

namespace Juggle.Cli.Tests;

/// <summary>Runs the real built <c>juggle</c> program as a child process.</summary>
public sealed class EndToEndTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static (int Code, string Out, string Err) Juggle(params string[] args) => Juggle(TimeSpan.FromSeconds(90), args);

    /// <summary>Runs juggle; <paramref name="hangGuard"/> only stops a hung run (speed is measured in bench/, not here).</summary>
    private static (int Code, string Out, string Err) Juggle(TimeSpan hangGuard, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Juggle.Cli.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(hangGuard))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"juggle {string.Join(' ', args)} did not exit within {hangGuard.TotalSeconds:0} s: hung");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void Demo_runs_end_to_end_offline_and_exits_0()
    {
        // A generous hang guard, not a speed limit: the demo's speed is measured by bench/cli/run.py.
        var (code, stdout, stderr) = Juggle(TimeSpan.FromMinutes(5), "demo");

        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        foreach (var section in new[] { "juggle demo", "1. Page titles", "2. Books", "3. CPU work", "4. Bank transfers", "Comparison", "Demo finished in" })
        {
            Assert.Contains(section, stdout);
        }

        Assert.DoesNotContain("\u001b[", stdout); // redirected: no ANSI escapes
    }

    [Fact]
    public void Titles_process_prints_results_and_returns_1_when_some_fail()
    {
        var (code, stdout, stderr) = Juggle("titles", server.Url("page/7"), server.Url("t/status/404"), "--retries", "0");

        Assert.Equal(1, code);
        Assert.Contains("Page 7 – Juggle demo", stdout);
        Assert.Contains("HTTP 404", stdout);
        Assert.Contains("1 ok, 1 failed", stderr);
    }

    /// <summary>Ctrl+C, kill and a closed terminal all stop a download gracefully: summary printed, exit 128 + signal.</summary>
    [Theory]
    [InlineData("INT", 130)]
    [InlineData("TERM", 143)]
    [InlineData("HUP", 129)]
    public async Task A_stop_signal_mid_download_prints_the_summary_exits_128_plus_the_signal_and_leaves_no_partial_file(string signal, int expectedExit)
    {
        var dir = Directory.CreateTempSubdirectory("juggle-sigint");
        try
        {
            server.ResetHang();
            var partCreated = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var watcher = new FileSystemWatcher(dir.FullName, "*.part") { EnableRaisingEvents = true };
            watcher.Created += (_, _) => partCreated.TrySetResult();
            // Through env: a test run started in the background inherits SIGINT ignored (kept across exec), and the
            // test is about juggle's handling, so give the child a terminal's default dispositions (same PID).
            var start = new ProcessStartInfo("/usr/bin/env") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { "--default-signal=INT,QUIT,HUP", "dotnet", Path.Combine(AppContext.BaseDirectory, "Juggle.Cli.dll"), "download", "-o", dir.FullName, "--timeout", "60", server.Url("hang-body/e2e.bin") })
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            await server.HangHit.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await partCreated.Task.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Single(Directory.GetFiles(dir.FullName, ".*.part"));
            using (var kill = Process.Start("kill", [$"-{signal}", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }

            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            var errors = await stderr;
            Assert.True(process.ExitCode == expectedExit, $"exit {process.ExitCode}\n{errors}");
            Assert.Contains("0 saved (0 B), 0 skipped, 0 failed", errors);
            Assert.Contains("interrupted; no partial files left", errors);
            Assert.Empty(Directory.GetFiles(dir.FullName, "*", SearchOption.AllDirectories));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Usage_errors_exit_2_and_help_exits_0()
    {
        Assert.Equal(2, Juggle("no-such-command").Code);
        Assert.Equal(0, Juggle().Code);
        var help = Juggle("--help");
        Assert.Equal(0, help.Code);
        Assert.Contains("titles", help.Out);
        Assert.Contains("demo", help.Out);
    }
}
