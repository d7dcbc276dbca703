using System.Runtime.CompilerServices;
using Juggle.Remoting;

namespace Juggle.RabbitMQ.Internal;

/// <summary>What a worker node sends to its process pool: the assemblies it may run functions from, and the task message.</summary>
public sealed record ProcessTaskInput(string[] AssemblyPaths, byte[] Body, int MaxAnswerSize);

/// <summary>
/// Runs a task message inside a process-pool worker of a node: the same checks as on the node (only
/// <c>[JuggleFunction]</c> methods of the node's assemblies), the same answer frames.
/// </summary>
[System.Diagnostics.CodeAnalysis.RequiresUnreferencedCode(ClusterTrimMessages.Reflection)]
[System.Diagnostics.CodeAnalysis.RequiresDynamicCode(ClusterTrimMessages.DynamicCode)]
public static class ProcessTask
{
    private static readonly Lock s_lock = new();
    private static FunctionCatalog? s_catalog;
    private static string[]? s_paths;

    private static int s_resolverInstalled;

    /// <summary>Runs the task and returns its answer frame body.</summary>
    public static byte[] Run(ProcessTaskInput input)
    {
        ArgumentNullException.ThrowIfNull(input);

        // A process-pool worker has only Juggle.Worker.dll on its load path: Juggle.dll (which this code needs) sits
        // next to this assembly. Installed before any method that touches Juggle's types is compiled. A NativeAOT
        // worker is the node's own binary: everything is compiled in, and there is no assembly file to look beside.
        if (RuntimeFeature.IsDynamicCodeSupported && Interlocked.Exchange(ref s_resolverInstalled, 1) == 0
            && Path.GetDirectoryName(AssemblyFile()) is { Length: > 0 } directory)
        {
            System.Runtime.Loader.AssemblyLoadContext.Default.Resolving += (context, name) =>
                Path.Combine(directory, name.Name + ".dll") is var candidate && File.Exists(candidate) ? context.LoadFromAssemblyPath(candidate) : null;
        }

        return RunLoaded(input);
    }

    /// <summary>This assembly's file; empty in a single-file or NativeAOT binary, where everything is compiled in.</summary>
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("SingleFile", "IL3000", Justification = "An empty path is handled: there is then no directory to resolve from, and nothing to resolve.")]
    private static string AssemblyFile() => typeof(ProcessTask).Assembly.Location;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static byte[] RunLoaded(ProcessTaskInput input)
    {
        FunctionCatalog catalog;
        lock (s_lock)
        {
            if (s_catalog is null || s_paths is null || !s_paths.SequenceEqual(input.AssemblyPaths))
            {
                // Natively the node's assemblies have no files (their paths are empty) and none can be loaded.
                s_catalog = RuntimeFeature.IsDynamicCodeSupported
                    ? new FunctionCatalog([], input.AssemblyPaths, "--assembly", intoDefaultContext: true)
                    : FunctionCatalog.CompiledIn();
                s_paths = input.AssemblyPaths;
            }

            catalog = s_catalog;
        }

        var message = TaskMessage.Parse(input.Body);
        FunctionSignature signature;
        try
        {
            signature = catalog.Resolve(message.Function);
        }
        catch (UnauthorizedAccessException ex)
        {
            return TaskRunner.ErrorAnswer(message.TaskId, ex);
        }

        return TaskRunner.Run(message, signature, input.MaxAnswerSize, CancellationToken.None);
    }
}
