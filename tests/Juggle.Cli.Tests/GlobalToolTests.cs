using System.Diagnostics;
using System.Text.Json;
using Juggle.Tests.Shared;

namespace Juggle.Cli.Tests;

/// <summary>Packs <c>src/Juggle.Cli</c> as a .NET tool and installs it into a temporary tool path, once.</summary>
public sealed class InstalledToolFixture : IDisposable
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(10); // a pack while other test projects run on the same 2 cores
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("juggle-tool-test");

    public InstalledToolFixture()
    {
        var repo = RepositoryRoot.Find("to pack the tool");
        var packages = Path.Combine(_root.FullName, "packages");
        var tools = Path.Combine(_root.FullName, "tools");
        Run("pack", Path.Combine(repo, "src", "Juggle.Cli", "Juggle.Cli.csproj"), "-c", "Release", "-o", packages, "--artifacts-path", Path.Combine(_root.FullName, "artifacts"), "-nologo", "-v", "q");
        Run("tool", "install", "Juggle.Cli", "--tool-path", tools, "--add-source", packages);
        Juggle = Path.Combine(tools, OperatingSystem.IsWindows() ? "juggle.exe" : "juggle");
        Assert.True(File.Exists(Juggle), $"{Juggle} is missing after 'dotnet tool install'");
    }

    /// <summary>The installed tool's launcher (the <c>juggle</c> shim a global tool puts on the PATH).</summary>
    public string Juggle { get; }

    public string NewDirectory() => _root.CreateSubdirectory(Guid.NewGuid().ToString("N")).FullName;

    public void Dispose() => _root.Delete(recursive: true);

    private static void Run(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(StepTimeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"dotnet {string.Join(' ', args)} timed out");
        }

        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', args)} failed: {output.Result}{errors.Result}");
    }
}

/// <summary>
/// The process pool from an installed .NET tool: the tool's shim starts the app from the NuGet tool store, and the
/// pool must still find its worker host next to <c>Juggle.dll</c> and never re-run the tool's <c>Main</c>.
/// </summary>
public sealed class GlobalToolTests(InstalledToolFixture tool) : IClassFixture<InstalledToolFixture>
{
    [Fact]
    public async Task The_installed_tool_counts_words_in_worker_processes()
    {
        var dir = tool.NewDirectory();
        File.WriteAllText(Path.Combine(dir, "a.txt"), "The cat and the hat. THE END");
        File.WriteAllText(Path.Combine(dir, "b.txt"), "the whale's tale, the cat");

        var start = new ProcessStartInfo(tool.Juggle) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in new[] { "words", dir, "--json", "--mode", "processes", "-n", "2" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(patience.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("the installed juggle did not exit within 90 s");
        }

        var (output, errors) = (await stdout, await stderr);
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{output}\n{errors}");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var summary = JsonDocument.Parse(lines[^1]).RootElement;
        Assert.Equal(2, summary.GetProperty("files").GetInt32());
        Assert.Equal(12, summary.GetProperty("words").GetInt64());
        var top = summary.GetProperty("top").EnumerateArray().Select(t => (t.GetProperty("word").GetString(), t.GetProperty("count").GetInt32())).ToList();
        Assert.Equal([("the", 5), ("cat", 2)], top);
    }
}
