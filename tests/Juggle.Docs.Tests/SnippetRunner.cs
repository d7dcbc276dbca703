using System.Diagnostics;
using System.Text;

namespace Juggle.Docs.Tests;

/// <summary>
/// Runs compiled blocks as real processes from one folder laid out like a built app: the block's assembly and its
/// runtimeconfig next to Juggle.dll, its dependencies, and Juggle.Worker.dll (so a block's process pool starts
/// real workers, which find the block's static methods in its assembly there).
/// </summary>
internal sealed class SnippetRunner : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("juggle-docs-");

    public SnippetRunner()
    {
        var bin = AppContext.BaseDirectory;
        foreach (var file in new[] { "Juggle.Worker.dll", "Juggle.Worker.runtimeconfig.json" })
        {
            File.Copy(Path.Combine(bin, file), Path.Combine(_folder.FullName, file));
        }

        Copy(AssemblyClosure.Of(["Juggle"]).Files);
    }

    public sealed record Run(int ExitCode, string Out, string Error, TimeSpan Elapsed)
    {
        public override string ToString() => $"exit {ExitCode} after {Elapsed.TotalSeconds:0.0} s\n--- stdout\n{Out}\n--- stderr\n{Error}";
    }

    /// <summary>Writes the assembly and its runtimeconfig, then runs it with <c>dotnet</c>; kills it after <paramref name="timeout"/>.</summary>
    public async Task<Run> RunAsync(string assemblyName, byte[] assembly, IReadOnlyList<string> references, TimeSpan timeout)
    {
        var (files, usesAspNetCore) = AssemblyClosure.Of(references);
        Copy(files);
        var path = Path.Combine(_folder.FullName, assemblyName + ".dll");
        await File.WriteAllBytesAsync(path, assembly);
        var version = $"{Environment.Version.Major}.{Environment.Version.Minor}.0";
        string[] frameworks = usesAspNetCore ? ["Microsoft.NETCore.App", "Microsoft.AspNetCore.App"] : ["Microsoft.NETCore.App"];
        var frameworkList = string.Join(", ", frameworks.Select(name => "{ \"name\": \"" + name + "\", \"version\": \"" + version + "\" }"));
        await File.WriteAllTextAsync(
            Path.ChangeExtension(path, ".runtimeconfig.json"),
            $$"""{ "runtimeOptions": { "tfm": "net{{Environment.Version.Major}}.{{Environment.Version.Minor}}", "frameworks": [{{frameworkList}}] } }""");

        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = _folder.FullName,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(path);
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            return new Run(-1, await stdout, (await stderr) + $"\n(killed: still running after {timeout.TotalSeconds:0} s)", watch.Elapsed);
        }

        return new Run(process.ExitCode, await stdout, await stderr, watch.Elapsed);
    }

    public void Dispose()
    {
        try
        {
            _folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A worker process still closing its files: the temp folder is left for the OS to clean.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    internal static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";

    private void Copy(IEnumerable<string> files)
    {
        foreach (var file in files)
        {
            var target = Path.Combine(_folder.FullName, Path.GetFileName(file));
            if (!File.Exists(target))
            {
                File.Copy(file, target);
            }
        }
    }
}
