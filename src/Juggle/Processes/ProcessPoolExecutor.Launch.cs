using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Juggle.Internal;

namespace Juggle;

/// <summary>Finding how to start a worker: the .NET host, <c>Juggle.Worker.dll</c>, and the app's runtime config and deps.</summary>
public sealed partial class ProcessPoolExecutor
{
    /// <summary>Names an explicit <c>Juggle.Worker.dll</c> to use instead of the one next to <c>Juggle.dll</c>.</summary>
    public const string WorkerPathVariable = "JUGGLE_WORKER_PATH";

    private const string WorkerFileName = "Juggle.Worker.dll";

    /// <summary>
    /// How workers start. A framework-dependent app's worker is <c>dotnet exec --runtimeconfig app.runtimeconfig.json
    /// --depsfile app.deps.json Juggle.Worker.dll</c>: the app's frameworks and assemblies, without the app's <c>Main</c>.
    /// An app with no <c>dotnet</c> host or no loose <c>Juggle.Worker.dll</c> (self-contained, single-file, trimmed)
    /// re-executes itself with <c>JUGGLE_WORKER=self</c>: a startup hook in Juggle.dll serves the pool and exits before
    /// <c>Main</c>. NativeAOT has no startup hooks: its <c>Main</c> starts with <see cref="ProcessPoolWorker.RunIfRequested"/>
    /// (ProcessPoolExecutor.NativeAot.cs), or the pool is refused at construction, saying what to do.
    /// </summary>
    private sealed class WorkerLaunch
    {
        private WorkerLaunch(string host, string? workerPath, string? runtimeConfig, string? depsFile)
        {
            Host = host;
            WorkerPath = workerPath;
            RuntimeConfig = runtimeConfig;
            DepsFile = depsFile;
        }

        /// <summary>The executable started: the <c>dotnet</c> host, or the app itself when it is its own worker.</summary>
        public string Host { get; }

        /// <summary><c>Juggle.Worker.dll</c>; <see langword="null"/> when the app is its own worker.</summary>
        public string? WorkerPath { get; }

        public string? RuntimeConfig { get; }

        public string? DepsFile { get; }

        /// <summary>The command line, for error messages.</summary>
        public string Command => WorkerPath is null
            ? $"{Host} (as its own worker: {SelfWorker.ModeVariable}={SelfWorker.SelfMode})"
            : $"{Host} exec {WorkerPath}";

        [DynamicDependency(nameof(StartupHook.Initialize), typeof(StartupHook))]
        public static WorkerLaunch Discover()
        {
            if (IsSelfHosted())
            {
                return ForSelf();
            }

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

            if (runtimeConfig is null && EntryAssemblyLocation() is { Length: > 0 } entry)
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

        /// <summary>
        /// Whether the app must be its own worker: Juggle.dll is not a file (single-file bundle, NativeAOT), or the app
        /// carries its own runtime (self-contained, trimmed), so there is no <c>dotnet</c> host to run Juggle.Worker.dll on.
        /// </summary>
        [UnconditionalSuppressMessage("SingleFile", "IL3000", Justification = "An empty location is exactly what is tested: it means Juggle.dll is bundled.")]
        private static bool IsSelfHosted()
        {
            if (!RuntimeFeature.IsDynamicCodeSupported || string.IsNullOrEmpty(typeof(ProcessPoolExecutor).Assembly.Location))
            {
                return true;
            }

            // A self-contained app's runtime lives in the app's own directory.
            var runtime = Path.TrimEndingDirectorySeparator(Path.GetFullPath(RuntimeEnvironment.GetRuntimeDirectory()));
            var app = Path.TrimEndingDirectorySeparator(Path.GetFullPath(AppContext.BaseDirectory));
            return string.Equals(runtime, app, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
        }

        private static WorkerLaunch ForSelf()
        {
            if (!RuntimeFeature.IsDynamicCodeSupported && !SelfWorker.AppCallsWorkerEntry)
            {
                throw new PlatformNotSupportedException(NativeAotWithoutWorkerEntry);
            }

            var self = Environment.ProcessPath;
            if (string.IsNullOrEmpty(self) || !File.Exists(self))
            {
                throw new InvalidOperationException(
                    "ProcessPoolExecutor runs this self-contained, single-file or NativeAOT app as its own worker, but cannot find the app's executable (Environment.ProcessPath is empty).");
            }

            // A NativeAOT app serves from Main (checked above), never from a startup hook.
            if (RuntimeFeature.IsDynamicCodeSupported && AppContext.TryGetSwitch("System.StartupHookProvider.IsSupported", out var hooks) && !hooks)
            {
                throw new InvalidOperationException(
                    "ProcessPoolExecutor starts a self-contained app's workers by re-running the app with a startup hook (DOTNET_STARTUP_HOOKS=Juggle) that serves the pool before Main, " +
                    "but this app was built with startup hooks disabled (trimming turns them off by default). " +
                    "Add <StartupHookSupport>true</StartupHookSupport> to the app's project file (the Juggle package sets it unless the project says otherwise), or publish framework-dependent.");
            }

            return new WorkerLaunch(self, workerPath: null, runtimeConfig: null, depsFile: null);
        }

        [UnconditionalSuppressMessage("SingleFile", "IL3000", Justification = "An empty location (single-file) falls through to the other ways of finding the runtime config.")]
        private static string? EntryAssemblyLocation() => System.Reflection.Assembly.GetEntryAssembly()?.Location;

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
            if (WorkerPath is null)
            {
                // The app itself, without arguments: the startup hook serves before Main. Ours alone, so no other hook can
                // print into the frame channel first; the worker restores the app's hooks for its own children.
                info.Environment[SelfWorker.ModeVariable] = SelfWorker.SelfMode;
                info.Environment[SelfWorker.SavedHooksVariable] = Environment.GetEnvironmentVariable(SelfWorker.StartupHooksVariable) ?? string.Empty;
                info.Environment[SelfWorker.StartupHooksVariable] = SelfWorker.HookAssembly;
            }
            else
            {
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
                info.Environment[SelfWorker.ModeVariable] = "1";
            }

            // A worker runs one task at a time: workstation, non-concurrent GC keeps its idle footprint small even
            // when the app itself uses server GC (an ASP.NET app's runtimeconfig).
            info.Environment["DOTNET_gcServer"] = "0";
            info.Environment["DOTNET_gcConcurrent"] = "0";

            // Where the CPU's cache size cannot be read (many VMs and containers), the GC falls back to a tiny gen0
            // budget and collects again and again while the worker's runtime starts: a 16 MB budget took a worker's
            // start from ~98 to ~77 ms of CPU on such a machine. An explicit setting is respected.
            if (Environment.GetEnvironmentVariable("DOTNET_GCgen0size") is null && Environment.GetEnvironmentVariable("COMPlus_GCgen0size") is null)
            {
                info.Environment["DOTNET_GCgen0size"] = "0x1000000";
            }

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

            if (Path.GetDirectoryName(LibraryLocation()) is { Length: > 0 } libraryDirectory)
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

        [UnconditionalSuppressMessage("SingleFile", "IL3000", Justification = "Only reached when Juggle.dll is a file (IsSelfHosted checked it).")]
        private static string LibraryLocation() => typeof(ProcessPoolExecutor).Assembly.Location;

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
                "Install the .NET runtime, set DOTNET_ROOT, or publish the app self-contained (it then runs as its own worker).");
        }
    }
}
