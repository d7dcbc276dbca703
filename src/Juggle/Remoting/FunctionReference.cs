using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace Juggle.Remoting;

/// <summary>
/// Names a static method (or a non-capturing lambda) so another process can find it: the assembly (name and
/// path), its module version id, the declaring type, and the method's metadata token.
/// </summary>
[RequiresUnreferencedCode(TrimMessages.Reflection)]
[RequiresDynamicCode(TrimMessages.DynamicCode)]
internal sealed record FunctionReference(string AssemblyName, string AssemblyPath, Guid ModuleVersionId, string TypeName, string MethodName, int MetadataToken)
{
    /// <summary>The static field holding the singleton instance of a compiler-generated closure class of non-capturing lambdas.</summary>
    internal const string LambdaSingletonField = "<>9";

    /// <summary>Describes <paramref name="function"/>, or throws an <see cref="ArgumentException"/> saying why it cannot cross a process boundary.</summary>
    public static FunctionReference FromDelegate(Delegate function, string paramName)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (function.HasSingleTarget is false)
        {
            throw new ArgumentException("A multicast delegate cannot run in another process; pass a single static method.", paramName);
        }

        var method = function.Method;
        var name = Describe(method);
        if (method.IsStatic)
        {
            if (function.Target is not null)
            {
                throw new ArgumentException($"{name} is bound to a first argument (an extension method called on an instance); pass the static method itself and the value as an argument.", paramName);
            }
        }
        else if (!IsLambdaSingleton(function.Target, method))
        {
            var what = function.Target?.GetType().Name.Contains("DisplayClass", StringComparison.Ordinal) == true
                ? "a lambda that captures variables"
                : "an instance method";
            throw new ArgumentException(
                $"{name} is {what}, which cannot run in another process. Use a static method (or a static lambda) and pass the data it needs as arguments.",
                paramName);
        }

        return FromMethod(method, paramName);
    }

    /// <summary>Describes a static method (or a method of a lambda singleton class).</summary>
    public static FunctionReference FromMethod(MethodInfo method, string paramName)
    {
        var type = method.DeclaringType ?? throw new ArgumentException($"{Describe(method)} has no declaring type (a global or dynamic method); use a static method of a class.", paramName);
        if (method.IsGenericMethod || type.ContainsGenericParameters || type.IsGenericType)
        {
            throw new ArgumentException($"{Describe(method)} is generic (or declared in a generic type); generic functions are not supported across processes. Wrap it in a non-generic static method.", paramName);
        }

        var assembly = type.Assembly;
        // In a single-file bundle or a NativeAOT binary no assembly is a file; the worker is that same binary and loads it by name.
        if (assembly.IsDynamic || (string.IsNullOrEmpty(LocationOf(assembly)) && !string.IsNullOrEmpty(LocationOf(typeof(FunctionReference).Assembly))))
        {
            throw new ArgumentException($"{Describe(method)} lives in a dynamic or in-memory assembly that another process cannot load; put it in a compiled assembly.", paramName);
        }

        // A NativeAOT binary has only the assemblies compiled into it: none is collectible.
        if (RuntimeFeature.IsDynamicCodeSupported && AssemblyLoadContext.GetLoadContext(assembly) is { IsCollectible: true })
        {
            throw new ArgumentException($"{Describe(method)} lives in a collectible (unloadable) assembly; another process cannot load it reliably.", paramName);
        }

        var (moduleVersionId, token) = RuntimeFeature.IsDynamicCodeSupported
            ? (method.Module.ModuleVersionId, method.MetadataToken)
            : (Guid.Empty, SignatureHash(method));
        return new FunctionReference(
            assembly.FullName ?? assembly.GetName().Name ?? string.Empty,
            LocationOf(assembly),
            moduleVersionId,
            type.FullName ?? type.Name,
            method.Name,
            token);
    }

    /// <summary>
    /// NativeAOT keeps no metadata tokens or module ids; there the parent and its worker are the same binary, so the
    /// method is named by type, name and a hash of its signature (stable across processes, unlike string hash codes).
    /// </summary>
    internal static int SignatureHash(MethodInfo method)
    {
        var text = method.ToString() ?? method.Name;
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = unchecked((hash ^ c) * 16777619u);
        }

        return unchecked((int)hash);
    }

    /// <summary>The method a NativeAOT parent named by <see cref="SignatureHash"/> (its module version id is empty).</summary>
    private MethodInfo ResolveBySignature(Assembly assembly)
    {
        var type = assembly.GetType(TypeName, throwOnError: false)
            ?? throw new InvalidOperationException($"Type {TypeName} is not in '{AssemblyName}' as this binary was compiled: keep it for reflection ([DynamicDependency] on the code that submits it).");
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
        foreach (var candidate in type.GetMethods(all))
        {
            if (candidate.Name == MethodName && SignatureHash(candidate) == MetadataToken)
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"{TypeName}.{MethodName} is not in '{AssemblyName}' as this binary was compiled: keep it for reflection ([DynamicDependency] on the code that submits it).");
    }

    public static string Describe(MethodInfo method) => $"'{method.DeclaringType?.FullName ?? "?"}.{method.Name}'";

    public static FunctionReference Read(ref FrameParser parser) => new(
        parser.ReadRequiredString("assembly name"),
        parser.ReadRequiredString("assembly path"),
        parser.ReadGuid(),
        parser.ReadRequiredString("type name"),
        parser.ReadRequiredString("method name"),
        parser.ReadInt32());

    public void Write(FrameBuilder builder) =>
        builder.WriteString(AssemblyName).WriteString(AssemblyPath).WriteGuid(ModuleVersionId).WriteString(TypeName).WriteString(MethodName).WriteInt32(MetadataToken);

    /// <summary>Loads the assembly (by name first, then from its path) and finds the method; throws <see cref="InvalidOperationException"/> with the reason.</summary>
    public MethodInfo Resolve()
    {
        var assembly = LoadAssembly();
        if (ModuleVersionId == Guid.Empty)
        {
            var named = ResolveBySignature(assembly);
            CheckCallable(named);
            return named;
        }

        var module = assembly.Modules.FirstOrDefault(m => m.ModuleVersionId == ModuleVersionId)
            ?? throw new InvalidOperationException($"Assembly '{AssemblyName}' loaded from '{LocationOf(assembly)}' is a different build than the caller's (module version id mismatch): rebuild so both processes use the same assembly.");
        MethodBase? resolved;
        try
        {
            resolved = module.ResolveMethod(MetadataToken);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException($"Method token {MetadataToken} of {TypeName}.{MethodName} is not valid in '{AssemblyName}'.", ex);
        }

        if (resolved is not MethodInfo method || method.Name != MethodName || method.DeclaringType?.FullName != TypeName)
        {
            throw new InvalidOperationException($"Method token {MetadataToken} in '{AssemblyName}' is not {TypeName}.{MethodName}.");
        }

        CheckCallable(method);
        return method;
    }

    private void CheckCallable(MethodInfo method)
    {
        if (!method.IsStatic && method.DeclaringType?.GetField(LambdaSingletonField, BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic) is null)
        {
            throw new InvalidOperationException($"{TypeName}.{MethodName} is an instance method; only static methods and non-capturing lambdas can run in a worker.");
        }
    }

    /// <summary>The singleton instance a non-capturing lambda's method is called on; <see langword="null"/> for static methods.</summary>
    public static object? GetTarget(MethodInfo method) =>
        method.IsStatic ? null : method.DeclaringType!.GetField(LambdaSingletonField, BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)!.GetValue(null);

    /// <summary>An assembly's file; empty in a single-file bundle or NativeAOT, where the worker (the same binary) loads it by name.</summary>
    [UnconditionalSuppressMessage("SingleFile", "IL3000", Justification = "An empty location is expected and handled: the worker loads the assembly by name.")]
    private static string LocationOf(Assembly assembly) => assembly.Location;

    private static bool IsLambdaSingleton(object? target, MethodInfo method)
    {
        if (target is null || method.DeclaringType is not { } type || target.GetType() != type)
        {
            return false;
        }

        return type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false)
            && type.GetField(LambdaSingletonField, BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic) is { } field
            && ReferenceEquals(field.GetValue(null), target);
    }

    /// <summary>
    /// Loads a culture-neutral assembly by its simple name and version, and keeps it only if its full name is the one
    /// asked for (else the full name decides, as before). Parsing a full name with <c>new AssemblyName(string)</c> creates
    /// a <see cref="System.Globalization.CultureInfo"/> for its culture, which loads the globalization library (ICU) in a
    /// fresh worker: ~15 ms of CPU before its first answer, for a culture that is neutral anyway.
    /// </summary>
    private Assembly? LoadByNameAndVersion()
    {
        var parts = AssemblyName.Split(',', StringSplitOptions.TrimEntries);
        Version? version = null;
        foreach (var part in parts.AsSpan(1))
        {
            if (part.StartsWith("Version=", StringComparison.Ordinal))
            {
                version = ParseVersion(part.AsSpan("Version=".Length));
                if (version is null)
                {
                    return null;
                }
            }
            else if (part.StartsWith("Culture=", StringComparison.Ordinal) && part != "Culture=neutral")
            {
                return null;
            }
        }

        if (parts[0].Length == 0 || parts[0].Contains('=', StringComparison.Ordinal))
        {
            return null;
        }

        var assembly = Assembly.Load(new AssemblyName { Name = parts[0], Version = version });
        return string.Equals(assembly.FullName, AssemblyName, StringComparison.Ordinal) ? assembly : null;
    }

    /// <summary>Four dot-separated numbers, read digit by digit (<see cref="Version.TryParse(string, out Version)"/> reads them through the invariant culture, which loads ICU).</summary>
    private static Version? ParseVersion(ReadOnlySpan<char> text)
    {
        Span<int> parts = stackalloc int[4];
        var count = 0;
        var value = -1;
        foreach (var c in text)
        {
            if (c == '.' && value >= 0 && count < 3)
            {
                parts[count++] = value;
                value = -1;
            }
            else if (char.IsAsciiDigit(c) && value < 100_000_000)
            {
                value = (Math.Max(value, 0) * 10) + (c - '0');
            }
            else
            {
                return null;
            }
        }

        return count == 3 && value >= 0 ? new Version(parts[0], parts[1], parts[2], value) : null;
    }

    private Assembly LoadAssembly()
    {
        foreach (var loaded in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (!loaded.IsDynamic && string.Equals(loaded.FullName, AssemblyName, StringComparison.Ordinal))
            {
                return loaded;
            }
        }

        try
        {
            return LoadByNameAndVersion() ?? Assembly.Load(new AssemblyName(AssemblyName));
        }
        catch (Exception ex) when (ex is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            if (!File.Exists(AssemblyPath))
            {
                throw new InvalidOperationException($"Cannot load assembly '{AssemblyName}': not found by name and '{AssemblyPath}' does not exist.", ex);
            }

            return AssemblyLoadContext.Default.LoadFromAssemblyPath(AssemblyPath);
        }
    }
}
