using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Juggle.Cli.Native;

/// <summary>What differs when `juggle` is a NativeAOT binary (dotnet publish -p:PublishAot=true).</summary>
internal static class NativeBuild
{
    /// <summary>Why the process pool may be created here: every function the CLI submits is rooted and its types are in <see cref="CliJsonContext"/>.</summary>
    public const string ProcessPoolJustification =
        "The CLI submits only the functions rooted with [DynamicDependency] on this method, and their parameter and result types are in CliJsonContext, " +
        "which Program.Main hands to ProcessPoolWorker.RunIfRequested; the native-tool tests run every --mode processes path of the published binary.";

    /// <summary>True in a NativeAOT binary: no JIT, no loading of .NET assemblies at run time.</summary>
    public static bool IsNative => !RuntimeFeature.IsDynamicCodeSupported;

    /// <summary>`juggle worker` and `juggle cluster` load .NET assemblies by path, which a NativeAOT binary cannot.</summary>
    public static void ThrowIfNative(string command)
    {
        if (IsNative)
        {
            throw new UsageException(
                $"juggle {command} loads .NET assemblies (--assembly) at run time, which this native build of juggle cannot do. " +
                "Run cluster nodes with the portable tool: the juggle that `dotnet build src/Juggle.Cli -c Release` leaves next to Juggle.Cli.dll, on a machine with the .NET runtime.");
        }
    }

    /// <summary>The CLI's own assembly file (empty in a single-file or native build, which <see cref="ThrowIfNative"/> turns away first).</summary>
    [UnconditionalSuppressMessage("SingleFile", "IL3000", Justification = "Only called by the cluster commands, which refuse native and single-file builds before.")]
    public static string ToolAssemblyPath() => typeof(NativeBuild).Assembly.Location;
}
