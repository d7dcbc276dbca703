using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using Juggle.Remoting;

namespace Juggle.RabbitMQ.Internal;

/// <summary>
/// The only functions a worker node runs: public static methods marked <c>[JuggleFunction]</c> in the assemblies it
/// was given. A task message names a method by assembly, module version id and metadata token; anything else — an
/// assembly not given, another build, a method without the attribute — is refused with the reason, and nothing is
/// loaded because a message named it.
/// </summary>
[System.Diagnostics.CodeAnalysis.RequiresUnreferencedCode(ClusterTrimMessages.Reflection)]
[System.Diagnostics.CodeAnalysis.RequiresDynamicCode(ClusterTrimMessages.DynamicCode)]
internal sealed class FunctionCatalog
{
    private readonly Dictionary<string, Assembly> _assemblies = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(Guid, int, string), FunctionSignature> _resolved = new();

    public FunctionCatalog(IEnumerable<Assembly> assemblies, IEnumerable<string> paths, string pathOption, bool intoDefaultContext = false)
    {
        foreach (var assembly in assemblies)
        {
            _assemblies[assembly.GetName().Name!] = assembly;
        }

        foreach (var path in paths)
        {
            // The only way into PluginLoadContext: a NativeAOT app (IsDynamicCodeSupported is false there, a constant)
            // compiles none of the assembly loading.
            if (!RuntimeFeature.IsDynamicCodeSupported)
            {
                throw new ArgumentException($"The assembly '{path}' given in {pathOption} cannot be loaded: this is a NativeAOT app, which runs only the functions compiled into it. Pass those assemblies (Assemblies), or run the worker on the .NET runtime (the portable juggle) to load plugin assemblies.", pathOption);
            }

            var assembly = intoDefaultContext ? PluginLoadContext.LoadIntoDefault(path) : PluginLoadContext.LoadMain(path, pathOption);
            _assemblies[assembly.GetName().Name!] = assembly;
        }
    }

    /// <summary>
    /// In a process-pool worker of a NativeAOT node, which is the node's own binary: the assemblies compiled into it
    /// (the node checked each task against its own catalog before handing it over; only [JuggleFunction] methods run).
    /// </summary>
    public static FunctionCatalog CompiledIn() => new(AppDomain.CurrentDomain.GetAssemblies().Where(a => !a.IsDynamic && HasReadableName(a)), [], "--assembly");

    /// <summary>
    /// False for satellite resource assemblies compiled into a globalization-invariant binary: reading their name
    /// throws <see cref="System.Globalization.CultureNotFoundException"/> (and they hold no functions).
    /// </summary>
    private static bool HasReadableName(Assembly assembly)
    {
        try
        {
            return assembly.GetName().Name is { Length: > 0 };
        }
        catch (System.Globalization.CultureNotFoundException)
        {
            return false;
        }
    }

    public IReadOnlyCollection<Assembly> Assemblies => _assemblies.Values;

    /// <summary>How many <c>[JuggleFunction]</c> methods the assemblies offer (for the start-up log).</summary>
    public int CountFunctions() => _assemblies.Values
        .SelectMany(a => SafeTypes(a))
        .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
        .Count(IsJuggleFunction);

    /// <summary>The method <paramref name="reference"/> names, or throws <see cref="UnauthorizedAccessException"/> saying why it may not run here.</summary>
    public FunctionSignature Resolve(FunctionReference reference)
    {
        if (_resolved.TryGetValue((reference.ModuleVersionId, reference.MetadataToken, reference.TypeName), out var known))
        {
            return known;
        }

        var simpleName = SimpleName(reference.AssemblyName);
        if (simpleName is null || !_assemblies.TryGetValue(simpleName, out var assembly))
        {
            throw new UnauthorizedAccessException($"This worker does not run functions from assembly '{simpleName ?? reference.AssemblyName}': it runs only [JuggleFunction] methods of {string.Join(", ", _assemblies.Keys.Select(k => $"'{k}'"))}. Start the worker with --assembly for it.");
        }

        var signature = reference.ModuleVersionId == Guid.Empty
            ? ResolveBySignature(assembly, simpleName, reference)
            : ResolveByToken(assembly, simpleName, reference);
        _resolved[(reference.ModuleVersionId, reference.MetadataToken, reference.TypeName)] = signature;
        return signature;
    }

    private static FunctionSignature ResolveByToken(Assembly assembly, string simpleName, FunctionReference reference)
    {
        // A NativeAOT binary keeps neither module version ids nor metadata tokens: it can only match what a NativeAOT
        // caller sends (type, name and signature hash).
        if (!RuntimeFeature.IsDynamicCodeSupported)
        {
            throw new UnauthorizedAccessException($"This worker is a NativeAOT build; it runs tasks named the way a NativeAOT build of '{simpleName}' names them, and this one came from a JIT build (the .NET runtime). Submit from the same native build, or run this worker on the .NET runtime (the portable juggle).");
        }

        var module = assembly.Modules.FirstOrDefault(m => m.ModuleVersionId == reference.ModuleVersionId)
            ?? throw new UnauthorizedAccessException($"Assembly '{simpleName}' on this worker is a different build than the caller's (module version id mismatch): deploy the same build to the workers.");
        MethodBase? resolved;
        try
        {
            resolved = module.ResolveMethod(reference.MetadataToken);
        }
        catch (ArgumentException)
        {
            resolved = null;
        }

        if (resolved is not MethodInfo method || method.Name != reference.MethodName || method.DeclaringType?.FullName != reference.TypeName)
        {
            throw new UnauthorizedAccessException($"Assembly '{simpleName}' has no method {reference.TypeName}.{reference.MethodName} with that token.");
        }

        if (!IsJuggleFunction(method))
        {
            throw new UnauthorizedAccessException($"{reference.TypeName}.{reference.MethodName} is not a public static method marked [JuggleFunction]; this worker refuses to run it.");
        }

        return new FunctionSignature(method);
    }

    /// <summary>
    /// What a NativeAOT caller sends (no module version id): type, name and <see cref="FunctionReference.SignatureHash"/>,
    /// which match only the same build of the same method.
    /// </summary>
    private static FunctionSignature ResolveBySignature(Assembly assembly, string simpleName, FunctionReference reference)
    {
        var method = assembly.GetType(reference.TypeName, throwOnError: false)?
            .GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .FirstOrDefault(m => m.Name == reference.MethodName && FunctionReference.SignatureHash(m) == reference.MetadataToken)
            ?? throw new UnauthorizedAccessException($"Assembly '{simpleName}' on this worker has no public static method {reference.TypeName}.{reference.MethodName} with the caller's signature: deploy the same build to the workers.");
        if (!IsJuggleFunction(method))
        {
            throw new UnauthorizedAccessException($"{reference.TypeName}.{reference.MethodName} is not a public static method marked [JuggleFunction]; this worker refuses to run it.");
        }

        return new FunctionSignature(method);
    }

    private static bool IsJuggleFunction(MethodInfo method) =>
        method.IsStatic && method.IsPublic && !method.IsGenericMethodDefinition
        && method.DeclaringType is { ContainsGenericParameters: false } type && (type.IsPublic || type.IsNestedPublic)
        && method.CustomAttributes.Any(a => a.AttributeType.FullName == typeof(JuggleFunctionAttribute).FullName);

    private static string? SimpleName(string assemblyName)
    {
        try
        {
            return new AssemblyName(assemblyName).Name;
        }
        catch (Exception ex) when (ex is ArgumentException or FileLoadException)
        {
            return null;
        }
    }

    private static Type[] SafeTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetExportedTypes();
        }
        catch (Exception ex) when (ex is ReflectionTypeLoadException or FileNotFoundException or FileLoadException)
        {
            return [];
        }
    }
}
