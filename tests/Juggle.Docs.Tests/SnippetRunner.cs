using System.Diagnostics;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
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

        CopyWithDependencies(Path.Combine(bin, "Juggle.dll"), bin);
    }

    public sealed record Run(int ExitCode, string Out, string Error, TimeSpan Elapsed)
    {
        public override string ToString() => $"exit {ExitCode} after {Elapsed.TotalSeconds:0.0} s\n--- stdout\n{Out}\n--- stderr\n{Error}";
    }

    /// <summary>Writes the assembly and its runtimeconfig, then runs it with <c>dotnet</c>; kills it after <paramref name="timeout"/>.</summary>
    public async Task<Run> RunAsync(string assemblyName, byte[] assembly, TimeSpan timeout)
    {
        var path = Path.Combine(_folder.FullName, assemblyName + ".dll");
        await File.WriteAllBytesAsync(path, assembly);
        var version = $"{Environment.Version.Major}.{Environment.Version.Minor}.0";
        await File.WriteAllTextAsync(
            Path.ChangeExtension(path, ".runtimeconfig.json"),
            $$"""{ "runtimeOptions": { "tfm": "net{{Environment.Version.Major}}.{{Environment.Version.Minor}}", "framework": { "name": "Microsoft.NETCore.App", "version": "{{version}}" } } }""");

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

    /// <summary>
    /// Where the test host got <paramref name="name"/> from, unless that is the blocks' own shared framework
    /// (Microsoft.NETCore.App). Juggle's own dependencies may come from the ASP.NET Core framework that this test
    /// project uses (through juggle serve), which a console app does not have: those are copied.
    /// </summary>
    private static string? Locate(string name, string bin)
    {
        var local = Path.Combine(bin, name + ".dll");
        if (File.Exists(local))
        {
            return local;
        }

        string location;
        try
        {
            location = System.Runtime.Loader.AssemblyLoadContext.Default.LoadFromAssemblyName(new System.Reflection.AssemblyName(name)).Location;
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        var core = Path.GetFullPath(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory()).TrimEnd(Path.DirectorySeparatorChar);
        return location.Length == 0 || string.Equals(Path.GetDirectoryName(Path.GetFullPath(location)), core, StringComparison.Ordinal) ? null : location;
    }

    /// <summary>Copies <paramref name="assemblyPath"/> and every assembly it references that the test's output holds, transitively.</summary>
    private void CopyWithDependencies(string assemblyPath, string bin)
    {
        var pending = new Queue<string>([assemblyPath]);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (pending.TryDequeue(out var path))
        {
            if (!seen.Add(Path.GetFileName(path)))
            {
                continue;
            }

            File.Copy(path, Path.Combine(_folder.FullName, Path.GetFileName(path)), overwrite: true);
            using var pe = new PEReader(File.OpenRead(path));
            var metadata = pe.GetMetadataReader();
            foreach (var handle in metadata.AssemblyReferences)
            {
                var name = metadata.GetString(metadata.GetAssemblyReference(handle).Name);
                if (Locate(name, bin) is { } candidate)
                {
                    pending.Enqueue(candidate);
                }
            }
        }
    }
}
