using System.Reflection;
using System.Runtime.Loader;

namespace Juggle.RabbitMQ.Internal;

/// <summary>
/// Loads a user's assembly with its dependencies (its <c>.deps.json</c>, native libraries included), sharing every
/// assembly the host already has — Juggle, RabbitMQ.Client, the framework — so there is one copy of each type.
/// </summary>
[System.Diagnostics.CodeAnalysis.RequiresUnreferencedCode(ClusterTrimMessages.PluginLoading)]
[System.Diagnostics.CodeAnalysis.RequiresDynamicCode(ClusterTrimMessages.PluginLoading)]
internal sealed class PluginLoadContext : AssemblyLoadContext
{
    private static readonly HashSet<string> s_hostAssemblies = ReadTrustedPlatformAssemblies();
    private readonly AssemblyDependencyResolver _resolver;

    private PluginLoadContext(string mainPath)
        : base($"juggle-plugin:{Path.GetFileNameWithoutExtension(mainPath)}", isCollectible: false)
    {
        _resolver = new AssemblyDependencyResolver(mainPath);
    }

    /// <summary>Loads the assembly at <paramref name="path"/>; throws <see cref="ArgumentException"/> naming the path when it cannot.</summary>
    public static Assembly LoadMain(string path, string option)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new ArgumentException($"The assembly '{full}' given in {option} does not exist. Pass the path of the built .dll that holds the [JuggleFunction] methods.", option);
        }

        try
        {
            var name = AssemblyName.GetAssemblyName(full);
            foreach (var loaded in AppDomain.CurrentDomain.GetAssemblies())
            {
                if (!loaded.IsDynamic && string.Equals(loaded.GetName().Name, name.Name, StringComparison.OrdinalIgnoreCase))
                {
                    return loaded;
                }
            }

            if (name.Name is { } simple && s_hostAssemblies.Contains(simple))
            {
                return Default.LoadFromAssemblyName(name);
            }

            return new PluginLoadContext(full).LoadFromAssemblyPath(full);
        }
        catch (Exception ex) when (ex is BadImageFormatException or FileLoadException or FileNotFoundException)
        {
            throw new ArgumentException($"The assembly '{full}' given in {option} cannot be loaded: {ex.Message}", option, ex);
        }
    }

    /// <summary>
    /// Loads the assembly at <paramref name="path"/> into the default context, its dependencies resolved from its
    /// <c>.deps.json</c> when the host lacks them: for process-pool workers of a node, where the host's own copies of
    /// Juggle and its dependencies must serve the user's assembly.
    /// </summary>
    public static Assembly LoadIntoDefault(string path)
    {
        var full = Path.GetFullPath(path);
        var name = AssemblyName.GetAssemblyName(full);
        foreach (var loaded in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (!loaded.IsDynamic && string.Equals(loaded.GetName().Name, name.Name, StringComparison.OrdinalIgnoreCase))
            {
                return loaded;
            }
        }

        var resolver = new AssemblyDependencyResolver(full);
        Default.Resolving += (context, wanted) =>
            resolver.ResolveAssemblyToPath(wanted) is { } dependency ? context.LoadFromAssemblyPath(dependency) : null;
        return Default.LoadFromAssemblyPath(full);
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // Already loaded (Juggle itself, in a process-pool worker whose host found it elsewhere): the same copy.
        foreach (var loaded in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (!loaded.IsDynamic && string.Equals(loaded.GetName().Name, assemblyName.Name, StringComparison.OrdinalIgnoreCase))
            {
                return loaded;
            }
        }

        if (assemblyName.Name is { } simple && s_hostAssemblies.Contains(simple))
        {
            return null;
        }

        return _resolver.ResolveAssemblyToPath(assemblyName) is { } path ? LoadFromAssemblyPath(path) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
        _resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;

    private static HashSet<string> ReadTrustedPlatformAssemblies()
    {
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is string list)
        {
            foreach (var path in list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                set.Add(Path.GetFileNameWithoutExtension(path));
            }
        }

        return set;
    }
}
