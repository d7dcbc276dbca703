namespace Juggle.RabbitMQ.Internal;

/// <summary>Why the cluster executor and worker are not trim- or AOT-safe by construction, and what an app does about it.</summary>
internal static class ClusterTrimMessages
{
    /// <summary>The warning an app sees where it creates a <c>RabbitMqExecutor</c> or <c>RabbitMqWorker</c>.</summary>
    public const string Reflection =
        "The cluster executor and worker name each [JuggleFunction] method by reflection (assembly, type, method) and serialise its arguments " +
        "and result with System.Text.Json: keep the functions ([DynamicDependency] on the code that submits or serves them) and the public " +
        "members of their parameter and result types.";

    /// <summary>The AOT side of <see cref="Reflection"/>.</summary>
    public const string DynamicCode =
        "The cluster executor and worker call functions through reflection and build JSON contracts for their parameter and result types at " +
        "run time: under PublishAot call ProcessPoolWorker.RunIfRequested(yourJsonContext) first in Main (a source-generated context with " +
        "those types) and keep each function with [DynamicDependency]. A NativeAOT worker runs only functions compiled into it " +
        "(RabbitMqWorkerOptions.Assemblies), never AssemblyPaths.";

    /// <summary>Why loading a plugin assembly by path needs the JIT.</summary>
    public const string PluginLoading =
        "Loads .NET assemblies from files (RabbitMqWorkerOptions.AssemblyPaths), which a NativeAOT app cannot: pass the assemblies compiled into the app (Assemblies) instead.";
}
