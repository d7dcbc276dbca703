using System.Diagnostics;
using System.Text.Json;

namespace Juggle.Cli.Tests;

/// <summary>
/// What the fixtures that build `juggle` as users get it (<see cref="NativeToolFixture"/>: a NativeAOT publish,
/// <see cref="InstalledToolFixture"/>: the packed and installed .NET tool) share: a temporary root removed on
/// dispose, the `dotnet` steps that build it, and running the built tool as a process.
/// </summary>
public abstract class BuiltTool : IDisposable
{
    private readonly DirectoryInfo _root;

    protected BuiltTool(string prefix) => _root = Directory.CreateTempSubdirectory(prefix);

    /// <summary>The tool's executable (the native binary, the installed shim).</summary>
    public abstract string Juggle { get; }

    /// <summary>The fixture's temporary root, for its build's artifacts and output.</summary>
    protected string Root => _root.FullName;

    /// <summary>A new empty directory under the fixture's temporary root.</summary>
    public string NewDirectory() => _root.CreateSubdirectory(Guid.NewGuid().ToString("N")).FullName;

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Removes the temporary root.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _root.Delete(recursive: true);
        }
    }

    /// <summary>Runs <c>dotnet ARGS</c>; fails the test on a timeout or a non-zero exit. Returns everything it printed.</summary>
    protected static string Dotnet(TimeSpan timeout, params string[] args)
    {
        using var process = Process.Start(StartInfo("dotnet", args))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"dotnet {string.Join(' ', args)} timed out after {timeout}");
        }

        var log = output.Result + errors.Result;
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', args)} failed:\n{log}");
        return log;
    }

    /// <summary>Starts the tool with <paramref name="args"/>, output redirected and stdin closed.</summary>
    public Process Start(IEnumerable<string> args, string? workDirectory = null)
    {
        var start = StartInfo(Juggle, args);
        start.RedirectStandardInput = true;
        if (workDirectory is not null)
        {
            start.WorkingDirectory = workDirectory;
        }

        var process = Process.Start(start)!;
        process.StandardInput.Close();
        return process;
    }

    /// <summary>Runs the tool to its end; fails the test (killing it) if it takes longer than <paramref name="patience"/>.</summary>
    public async Task<(int Code, string Output, string Errors)> RunAsync(string[] args, TimeSpan patience, string? workDirectory = null)
    {
        using var process = Start(args, workDirectory);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(patience);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"juggle {string.Join(' ', args)} did not exit within {patience}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Two small books for `words` (12 words, "the" 5 times, "cat" twice) in a new directory.</summary>
    public string WriteTwoSmallBooks()
    {
        var dir = NewDirectory();
        File.WriteAllText(Path.Combine(dir, "a.txt"), "The cat and the hat. THE END");
        File.WriteAllText(Path.Combine(dir, "b.txt"), "the whale's tale, the cat");
        return dir;
    }

    /// <summary>Checks `words --json -n 2` output over <see cref="WriteTwoSmallBooks"/>.</summary>
    public static void AssertTwoSmallBooksCounted((int Code, string Output, string Errors) run)
    {
        Assert.True(run.Code == 0, $"exit {run.Code}\n{run.Output}\n{run.Errors}");
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var summary = JsonDocument.Parse(lines[^1]).RootElement;
        Assert.Equal(2, summary.GetProperty("files").GetInt32());
        Assert.Equal(12, summary.GetProperty("words").GetInt64());
        var top = summary.GetProperty("top").EnumerateArray().Select(t => (t.GetProperty("word").GetString(), t.GetProperty("count").GetInt32())).ToList();
        Assert.Equal([("the", 5), ("cat", 2)], top);
    }

    /// <summary>Checks that `juggle --help` succeeded and names every command.</summary>
    public static void AssertHelpListsEveryCommand((int Code, string Output, string Errors) run)
    {
        Assert.True(run.Code == 0, $"exit {run.Code}\n{run.Output}\n{run.Errors}");
        foreach (var command in new[] { "titles", "download", "words", "bench", "demo", "serve", "worker", "cluster" })
        {
            Assert.Contains(command, run.Output, StringComparison.Ordinal);
        }
    }

    private static ProcessStartInfo StartInfo(string executable, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }
}
