using System.Globalization;
using System.Diagnostics;
using Juggle.Tests.Shared;

namespace Juggle.Tests;

/// <summary>Publishes the fixture console app once for the tests of this class.</summary>
public sealed class ProcessPoolFixtureApp
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(10); // a publish on a busy shared 2-core machine

    public ProcessPoolFixtureApp()
    {
        var root = RepositoryRoot.Find("to build the fixture app");
        var project = Path.Combine(root, "tests", "Juggle.ProcessPoolFixture", "Juggle.ProcessPoolFixture.csproj");
        // One folder per checkout: two checkouts publishing into one folder at once would trip over each other.
        var checkout = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(root)))[..12];
        var artifacts = Path.Combine(Path.GetTempPath(), $"juggle-ppfixture-{Environment.UserName}-{checkout}");
        var build = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // Published, not just built: the layout users ship (the build layout is the test host's own).
        var publish = Path.Combine(artifacts, "published");
        foreach (var arg in new[] { "publish", project, "--artifacts-path", artifacts, "-o", publish, "-nologo", "-v", "q" })
        {
            build.ArgumentList.Add(arg);
        }

        using var process = Process.Start(build)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(BuildTimeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("publishing the fixture app timed out");
        }

        Assert.True(process.ExitCode == 0, $"publishing the fixture app failed: {output.Result}{errors.Result}");
        Directory = publish;
        Assert.True(File.Exists(Dll), $"{Dll} is missing after the publish");
    }

    public string Directory { get; }

    public string Dll => Path.Combine(Directory, "Juggle.ProcessPoolFixture.dll");

    /// <summary>The native launcher (apphost): the process is not "dotnet", so the pool must find the host itself.</summary>
    public string AppHost => Path.Combine(Directory, OperatingSystem.IsWindows() ? "Juggle.ProcessPoolFixture.exe" : "Juggle.ProcessPoolFixture");
}

/// <summary>The process pool from a real console app: results, Main never re-run, no orphans when the app is killed.</summary>
public sealed class ProcessPoolAppTests(ProcessPoolFixtureApp app) : IClassFixture<ProcessPoolFixtureApp>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_console_app_maps_in_workers_without_rerunning_Main(bool viaDotnet)
    {
        var log = Path.Combine(Path.GetTempPath(), $"juggle-main-{Guid.NewGuid():N}.log");
        try
        {
            using var process = Start(viaDotnet, "squares", log);
            var output = process.StandardOutput.ReadToEndAsync();
            Assert.True(process.WaitForExit(Patience), "the fixture app did not finish");
            Assert.Equal(0, process.ExitCode);
            var lines = output.Result.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains("SQUARES 1,4,9,16,25,36,49,64,81,100", lines);
            var worker = int.Parse(lines.Single(l => l.StartsWith("WORKER ")).Split(' ')[1]);
            Assert.NotEqual(process.Id, worker);
            Assert.Equal([process.Id.ToString()], File.ReadAllLines(log).Where(l => l.Length > 0));
        }
        finally
        {
            File.Delete(log);
        }
    }

    [Fact]
    public void What_workers_print_reaches_the_apps_stdout_in_whole_lines_before_each_result()
    {
        using var process = Start(viaDotnet: false, "print", mainLog: null, redirectErrors: true);
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(Patience), "the fixture app did not finish");
        Assert.True(output.Wait(Patience) && errors.Wait(Patience));
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {errors.Result}");

        var lines = output.Result.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
        var expected = new[] { ("a", 200), ("b", 200), ("c", 1) }
            .SelectMany(t => Enumerable.Range(0, t.Item2).Select(i => $"{t.Item1} {i} {new string(t.Item1[0], 300)}")) // Functions.Line in the fixture
            .ToHashSet();
        var printed = lines.Where(l => !l.StartsWith("AFTER ", StringComparison.Ordinal)).ToList();
        Assert.All(printed, l => Assert.Contains(l, expected)); // no line cut or mixed with another worker's
        Assert.Equal(expected.Count, printed.Count);
        Assert.DoesNotContain(" 0 aaaa", errors.Result);

        // Each task's lines come before the line the app prints after its Result().
        foreach (var tag in new[] { "a", "b", "c" })
        {
            var after = lines.IndexOf($"AFTER {tag} {(tag == "c" ? 1 : 200)}");
            Assert.True(after >= 0, $"no AFTER line for {tag}");
            Assert.True(lines.FindLastIndex(l => l.StartsWith(tag + " ", StringComparison.Ordinal)) < after, $"a line of task {tag} came after its result");
        }
    }

    [Fact]
    public void Killing_the_parent_ends_its_workers_at_once()
    {
        using var process = Start(viaDotnet: false, "hold", mainLog: null);
        try
        {
            var line = process.StandardOutput.ReadLineAsync();
            Assert.True(line.Wait(Patience), "the fixture app did not report its workers");
            Assert.StartsWith("PIDS ", line.Result);
            var pids = line.Result![5..].Split(',').Select(int.Parse).ToList();
            Assert.Equal(2, pids.Count);
            Assert.All(pids, pid => Assert.False(ProcessPoolExecutorTests.IsGone(pid)));

            process.Kill(); // SIGKILL: no chance to shut the pool down
            var clock = Stopwatch.StartNew();
            Assert.All(pids, pid => Assert.True(ProcessPoolExecutorTests.WaitGone(pid), $"worker {pid} outlived its parent"));
            // Workers see their channel close and exit without waiting for anything; the bound is loose because a
            // loaded CI machine can delay even an immediate exit, and a worker that waited for a timeout would exceed it.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"workers took {clock.Elapsed.TotalMilliseconds:0} ms to exit");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [Theory]
    [InlineData("exit-threads", new[] { "thread task 0", "thread task 1", "thread task 2", "thread task 3", "thread task 4" })]
    [InlineData("exit-threads-shutdown-nowait", new[] { "pending task", "running task" })]
    [InlineData("exit-processes", new[] { "process task 0", "process task 1", "process task 2" })]
    [InlineData("exit-processes-shutdown-nowait", new[] { "pending task", "running task" })]
    public void Returning_from_Main_runs_the_submitted_work_first(string mode, string[] expected)
    {
        var output = Path.Combine(Path.GetTempPath(), $"juggle-exit-{Guid.NewGuid():N}.txt");
        try
        {
            using var process = Start(viaDotnet: true, mode, mainLog: null, argument: output);
            Assert.True(process.WaitForExit(Patience), "the fixture app did not exit");
            Assert.Equal(0, process.ExitCode);
            var lines = File.Exists(output) ? File.ReadAllLines(output) : [];
            Assert.Equal(expected, lines.Order(StringComparer.Ordinal));
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public void Submitting_while_the_process_exits_throws_instead_of_losing_the_work()
    {
        var output = Path.Combine(Path.GetTempPath(), $"juggle-exit-{Guid.NewGuid():N}.txt");
        try
        {
            using var process = Start(viaDotnet: true, "exit-submit-during-exit", mainLog: null, argument: output);
            Assert.True(process.WaitForExit(Patience), "the fixture app did not exit");
            var line = Assert.Single(File.ReadAllLines(output));
            Assert.StartsWith("REJECTED ", line, StringComparison.Ordinal);
            Assert.Contains("exiting", line, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Theory]
    [InlineData("first-submit")]
    [InlineData("first-submit-listened")]
    public void A_pool_creates_no_activity_source_on_the_apps_path_while_nothing_could_listen_and_traces_when_something_does(string mode)
    {
        using var process = Start(viaDotnet: true, mode, mainLog: null);
        var output = process.StandardOutput.ReadToEndAsync();
        Assert.True(process.WaitForExit(Patience), "the fixture app did not finish");
        Assert.True(process.ExitCode == 0, output.Result);
        var lines = output.Result.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("RESULT 49 64", lines);
        Assert.Contains("MAP 1,4,9", lines);
        Assert.Contains("LOADED-OFF-TELEMETRY-THREAD false", lines);
        var spans = int.Parse(lines.Single(l => l.StartsWith("TASK-SPANS ", StringComparison.Ordinal))["TASK-SPANS ".Length..], CultureInfo.InvariantCulture);
        if (mode == "first-submit")
        {
            Assert.Equal(0, spans);
        }
        else
        {
            // Both Submits and at least one Map task, all made before the source would have been created in the background.
            Assert.True(spans >= 3, $"{spans} task spans");
        }
    }

    private Process Start(bool viaDotnet, string mode, string? mainLog, bool redirectErrors = false, string? argument = null)
    {
        var info = new ProcessStartInfo(viaDotnet ? "dotnet" : app.AppHost) { RedirectStandardOutput = true, RedirectStandardError = redirectErrors, UseShellExecute = false };
        if (viaDotnet)
        {
            info.ArgumentList.Add(app.Dll);
        }

        info.ArgumentList.Add(mode);
        if (argument is not null)
        {
            info.ArgumentList.Add(argument);
        }

        if (mainLog is not null)
        {
            info.Environment["JUGGLE_FIXTURE_MAIN_LOG"] = mainLog;
        }

        return Process.Start(info)!;
    }
}
