using System.Collections.Concurrent;
using System.Diagnostics;
using Juggle.Tests.Shared;

namespace Juggle.Tests;

/// <summary>
/// Publishes the fixture console app once per publish mode (a few at a time, each in its own artifacts folder) for
/// <see cref="PublishModeTests"/>; each mode's publish starts when the fixture is created and is awaited by its test.
/// </summary>
public sealed class PublishedApps : IDisposable
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(15);
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("juggle-publish-modes");
    private readonly SemaphoreSlim _slots = new(2);
    private readonly ConcurrentDictionary<string, Task<string>> _published = new();

    public PublishedApps()
    {
        // NativeAOT first: it takes longest. (Framework-dependent is ProcessPoolAppTests' own publish.)
        foreach (var mode in new[] { "aot", "trimmed", "single-file", "self-contained", "ready-to-run" })
        {
            Get(mode);
        }
    }

    public static IReadOnlyDictionary<string, string[]> Modes { get; } = new Dictionary<string, string[]>
    {
        ["self-contained"] = ["-r", Rid, "--self-contained"],
        ["single-file"] = ["-r", Rid, "--self-contained", "-p:PublishSingleFile=true"],
        ["trimmed"] = ["-r", Rid, "--self-contained", "-p:PublishTrimmed=true"],
        ["ready-to-run"] = ["-r", Rid, "--self-contained", "-p:PublishReadyToRun=true"],
        ["aot"] = ["-r", Rid, "-p:PublishAot=true"],
    };

    private static string Rid => $"{(OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux")}-{System.Runtime.InteropServices.RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant()}";

    /// <summary>The published app's executable for <paramref name="mode"/> (fails the test if the publish failed).</summary>
    public string Executable(string mode) => Get(mode).GetAwaiter().GetResult();

    public void Dispose()
    {
        try
        {
            Task.WaitAll([.. _published.Values], PublishTimeout);
        }
        catch (AggregateException)
        {
            // Reported by the test of that mode.
        }

        _root.Delete(recursive: true);
        _slots.Dispose();
    }

    private Task<string> Get(string mode) => _published.GetOrAdd(mode, m => Task.Run(() => PublishAsync(m)));

    private async Task<string> PublishAsync(string mode)
    {
        await _slots.WaitAsync();
        try
        {
            var root = RepositoryRoot.Find("to publish the fixture app");
            var project = Path.Combine(root, "tests", "Juggle.ProcessPoolFixture", "Juggle.ProcessPoolFixture.csproj");
            var output = Path.Combine(_root.FullName, mode);
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { "publish", project, "-c", "Release", "--artifacts-path", Path.Combine(_root.FullName, "artifacts-" + mode), "-o", output, "-nologo", "-v", "q" }.Concat(Modes[mode]))
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var patience = new CancellationTokenSource(PublishTimeout);
            try
            {
                await process.WaitForExitAsync(patience.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"publishing the fixture app ({mode}) timed out");
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"publishing the fixture app ({mode}) failed: {await stdout}{await stderr}");
            }

            // The output must be warning-free: every trim/AOT warning is either fixed or answered where it arises.
            var log = await stdout + await stderr;
            if (log.Contains("warning", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"publishing the fixture app ({mode}) printed warnings: {log}");
            }

            return Path.Combine(output, OperatingSystem.IsWindows() ? "Juggle.ProcessPoolFixture.exe" : "Juggle.ProcessPoolFixture");
        }
        finally
        {
            _slots.Release();
        }
    }
}

/// <summary>
/// The process pool from the app published every way .NET ships: self-contained, single-file, trimmed and ReadyToRun
/// (framework-dependent is <see cref="ProcessPoolAppTests"/>). Each run maps in real worker processes and checks that no worker ran Main. NativeAOT is
/// refused when the pool is created, with a message that names what to publish instead.
/// </summary>
public sealed class PublishModeTests(PublishedApps apps) : IClassFixture<PublishedApps>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Theory]
    [InlineData("self-contained")]
    [InlineData("single-file")]
    [InlineData("trimmed")]
    [InlineData("ready-to-run")]
    public void The_published_app_maps_in_its_workers_without_rerunning_Main(string mode)
    {
        var executable = apps.Executable(mode);
        var log = Path.Combine(Path.GetTempPath(), $"juggle-main-{Guid.NewGuid():N}.log");
        try
        {
            var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add("squares");
            start.Environment["JUGGLE_FIXTURE_MAIN_LOG"] = log;

            // No .NET on the PATH for the app or its workers: a self-contained app must not need one.
            start.Environment["PATH"] = "/usr/bin:/bin";
            start.Environment.Remove("DOTNET_ROOT");

            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Patience))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"the {mode} app did not finish");
            }

            Assert.True(process.ExitCode == 0, $"{mode}: exit {process.ExitCode}\n{stdout.Result}\n{stderr.Result}");
            var lines = stdout.Result.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains("SQUARES 1,4,9,16,25,36,49,64,81,100", lines);
            var worker = int.Parse(lines.Single(l => l.StartsWith("WORKER ", StringComparison.Ordinal)).Split(' ')[1]);
            Assert.NotEqual(process.Id, worker);
            Assert.Equal([process.Id.ToString()], File.ReadAllLines(log).Where(l => l.Length > 0));
        }
        finally
        {
            File.Delete(log);
        }
    }

    [Fact]
    public void A_NativeAOT_app_without_the_worker_entry_is_told_at_construction_what_to_do()
    {
        var start = new ProcessStartInfo(apps.Executable("aot")) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("squares");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Patience))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("the NativeAOT app did not finish");
        }

        Assert.NotEqual(0, process.ExitCode);
        Assert.DoesNotContain("SQUARES", stdout.Result, StringComparison.Ordinal);
        Assert.Contains("PlatformNotSupportedException", stderr.Result, StringComparison.Ordinal);
        Assert.Contains("NativeAOT", stderr.Result, StringComparison.Ordinal);
        Assert.Contains("ProcessPoolWorker.RunIfRequested()", stderr.Result, StringComparison.Ordinal);
        Assert.Contains("self-contained", stderr.Result, StringComparison.Ordinal);
    }
}
