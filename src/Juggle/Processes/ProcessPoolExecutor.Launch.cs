using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Juggle;

/// <summary>Finding how to start a worker: the .NET host, <c>Juggle.Worker.dll</c>, and the app's runtime config and deps.</summary>
public sealed partial class ProcessPoolExecutor
{
    /// <summary>Names an explicit <c>Juggle.Worker.dll</c> to use instead of the one next to <c>Juggle.dll</c>.</summary>
    public const string WorkerPathVariable = "JUGGLE_WORKER_PATH";

    private const string WorkerFileName = "Juggle.Worker.dll";

    /// <summary>
    /// Workers run as <c>dotnet exec --runtimeconfig app.runtimeconfig.json --depsfile app.deps.json Juggle.Worker.dll</c>:
    /// the app's frameworks and assemblies, without the app's <c>Main</c>.
    /// </summary>
    private sealed class WorkerLaunch
    {
        private WorkerLaunch(string host, string workerPath, string? runtimeConfig, string? depsFile)
        {
            Host = host;
            WorkerPath = workerPath;
            RuntimeConfig = runtimeConfig;
            DepsFile = depsFile;
        }

        public string Host { get; }

        public string WorkerPath { get; }

        public string? RuntimeConfig { get; }

        public string? DepsFile { get; }

        public static WorkerLaunch Discover()
        {
            var worker = FindWorker();
            var deps = (AppContext.GetData("APP_CONTEXT_DEPS_FILES") as string)?
                .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .FirstOrDefault(File.Exists);
            string? runtimeConfig = null;
            if (deps is not null && deps.EndsWith(".deps.json", StringComparison.OrdinalIgnoreCase))
            {
                var candidate = string.Concat(deps.AsSpan(0, deps.Length - ".deps.json".Length), ".runtimeconfig.json");
                if (File.Exists(candidate))
                {
                    runtimeConfig = candidate;
                }
            }

            if (runtimeConfig is null && System.Reflection.Assembly.GetEntryAssembly()?.Location is { Length: > 0 } entry)
            {
                var candidate = Path.ChangeExtension(entry, ".runtimeconfig.json");
                if (File.Exists(candidate))
                {
                    runtimeConfig = candidate;
                }
            }

            if (runtimeConfig is null)
            {
                var own = Path.ChangeExtension(worker, ".runtimeconfig.json");
                runtimeConfig = File.Exists(own) ? own : null;
            }

            return new WorkerLaunch(FindHost(), worker, runtimeConfig, deps);
        }

        public ProcessStartInfo CreateStartInfo()
        {
            var info = new ProcessStartInfo(Host)
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = false,
                CreateNoWindow = true,
            };
            info.ArgumentList.Add("exec");
            if (RuntimeConfig is not null)
            {
                info.ArgumentList.Add("--runtimeconfig");
                info.ArgumentList.Add(RuntimeConfig);
            }

            if (DepsFile is not null)
            {
                info.ArgumentList.Add("--depsfile");
                info.ArgumentList.Add(DepsFile);
            }

            info.ArgumentList.Add(WorkerPath);
            info.Environment["JUGGLE_WORKER"] = "1";

            // A worker runs one task at a time: workstation, non-concurrent GC keeps its idle footprint small even
            // when the app itself uses server GC (an ASP.NET app's runtimeconfig).
            info.Environment["DOTNET_gcServer"] = "0";
            info.Environment["DOTNET_gcConcurrent"] = "0";

            // Dynamic PGO's instrumented tier makes a fresh worker run its hot path (frames, JSON, the user's function)
            // slowly for its first second or more (Map at chunkSize 500: ~0.5 µs per item instead of ~0.15); without
            // it, hot methods go straight from tier 0 to optimised code. An explicit DOTNET_TieredPGO is respected.
            if (Environment.GetEnvironmentVariable("DOTNET_TieredPGO") is null && Environment.GetEnvironmentVariable("COMPlus_TieredPGO") is null)
            {
                info.Environment["DOTNET_TieredPGO"] = "0";
            }

            return info;
        }

        private static string FindWorker()
        {
            var candidates = new List<string>();
            if (Environment.GetEnvironmentVariable(WorkerPathVariable) is { Length: > 0 } explicitPath)
            {
                candidates.Add(explicitPath);
            }

            if (Path.GetDirectoryName(typeof(ProcessPoolExecutor).Assembly.Location) is { Length: > 0 } libraryDirectory)
            {
                candidates.Add(Path.Combine(libraryDirectory, WorkerFileName));
            }

            candidates.Add(Path.Combine(AppContext.BaseDirectory, WorkerFileName));
            foreach (var candidate in candidates)
            {
                if (File.Exists(candidate))
                {
                    return Path.GetFullPath(candidate);
                }
            }

            throw new InvalidOperationException(
                $"ProcessPoolExecutor cannot find its worker host '{WorkerFileName}' (looked in: {string.Join(", ", candidates)}). " +
                $"Building a project that references Juggle copies it next to your app; if you copy files by hand, include it, or set {WorkerPathVariable}.");
        }

        private static string FindHost()
        {
            var executable = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
            if (Environment.ProcessPath is { } processPath && string.Equals(Path.GetFileName(processPath), executable, StringComparison.OrdinalIgnoreCase))
            {
                return processPath;
            }

            var candidates = new List<string>();
            if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath)
            {
                candidates.Add(hostPath);
            }

            // The shared runtime lives in <root>/shared/Microsoft.NETCore.App/<version>/; the host is <root>/dotnet.
            var runtimeDirectory = RuntimeEnvironment.GetRuntimeDirectory();
            candidates.Add(Path.GetFullPath(Path.Combine(runtimeDirectory, "..", "..", "..", executable)));
            foreach (var variable in new[] { "DOTNET_ROOT", "DOTNET_ROOT_X64" })
            {
                if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } root)
                {
                    candidates.Add(Path.Combine(root, executable));
                }
            }

            foreach (var candidate in candidates)
            {
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new InvalidOperationException(
                $"ProcessPoolExecutor cannot find the .NET host '{executable}' (looked in: {string.Join(", ", candidates)}). " +
                "Self-contained apps are not supported; run framework-dependent, or set DOTNET_ROOT.");
        }
    }
}
