using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Juggle.Cli.Native;

/// <summary>What differs when `juggle` is a NativeAOT binary (dotnet publish -p:PublishAot=true).</summary>
internal static class NativeBuild
{
    /// <summary>Why the process pool may be created here: every function the CLI submits is rooted and its types are in <see cref="CliJsonContext"/>.</summary>
    public const string ProcessPoolJustification =
        "The CLI submits only the functions rooted with [DynamicDependency] on this method, and their parameter and result types are in CliJsonContext, " +
        "which Program.Main hands to ProcessPoolWorker.RunIfRequested (the same for the cluster executor, whose native workers are this binary); " +
        "the native-tool tests run every --mode processes and --mode cluster path of the published binary.";

    /// <summary>True in a NativeAOT binary: no JIT, no loading of .NET assemblies at run time.</summary>
    public static bool IsNative => !RuntimeFeature.IsDynamicCodeSupported;

    /// <summary>Why a worker node may be created here: it serves only the CLI's own functions, rooted with [DynamicDependency], whose types are in CliJsonContext.</summary>
    public const string WorkerJustification =
        "A native juggle worker serves only the CLI's own [JuggleFunction] methods (rooted with [DynamicDependency] here, their parameter and result types " +
        "in CliJsonContext, which Program.Main hands to ProcessPoolWorker.RunIfRequested) and refuses --assembly; the native-tool tests run it against a broker.";

    /// <summary>`--assembly` loads .NET assemblies by path at run time, which a NativeAOT binary cannot: refused with exit code 2.</summary>
    public static void ThrowIfNativeWithAssemblies(string command, IReadOnlyCollection<string> assemblies)
    {
        if (IsNative && assemblies.Count > 0)
        {
            throw new UsageException(
                $"juggle {command} --assembly loads .NET assemblies at run time, which this native build of juggle cannot do; it runs juggle's own functions only (words and bench --mode cluster). " +
                "For plugin assemblies run the node with the portable tool (`dotnet tool install -g Juggle.Cli`, or the juggle that `dotnet build src/Juggle.Cli -c Release` leaves next to Juggle.Cli.dll) on a machine with the .NET runtime.");
        }
    }

    /// <summary>The CLI's own assembly file, when the tool runs as `dotnet Juggle.Cli.dll` (empty in a single-file or native build, which start themselves).</summary>
    [UnconditionalSuppressMessage("SingleFile", "IL3000", Justification = "Only used when the process is `dotnet` running Juggle.Cli.dll, which is then a file.")]
    public static string ToolAssemblyPath() => typeof(NativeBuild).Assembly.Location;
}
