using Juggle.Remoting;

namespace Juggle.RabbitMQ.Internal;

/// <summary>What a worker node sends to its process pool: the assemblies it may run functions from, and the task message.</summary>
public sealed record ProcessTaskInput(string[] AssemblyPaths, byte[] Body, int MaxAnswerSize);

/// <summary>
/// Runs a task message inside a process-pool worker of a node: the same checks as on the node (only
/// <c>[JuggleFunction]</c> methods of the node's assemblies), the same answer frames.
/// </summary>
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
        // next to this assembly. Installed before any method that touches Juggle's types is compiled.
        if (Interlocked.Exchange(ref s_resolverInstalled, 1) == 0)
        {
            var directory = Path.GetDirectoryName(typeof(ProcessTask).Assembly.Location)!;
            System.Runtime.Loader.AssemblyLoadContext.Default.Resolving += (context, name) =>
                Path.Combine(directory, name.Name + ".dll") is var candidate && File.Exists(candidate) ? context.LoadFromAssemblyPath(candidate) : null;
        }

        return RunLoaded(input);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static byte[] RunLoaded(ProcessTaskInput input)
    {
        FunctionCatalog catalog;
        lock (s_lock)
        {
            if (s_catalog is null || s_paths is null || !s_paths.SequenceEqual(input.AssemblyPaths))
            {
                s_catalog = new FunctionCatalog([], input.AssemblyPaths, "--assembly", intoDefaultContext: true);
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
