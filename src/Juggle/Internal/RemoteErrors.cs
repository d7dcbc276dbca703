using System.Reflection;
using System.Runtime.ExceptionServices;
using Juggle.Remoting;

namespace Juggle.Internal;

/// <summary>Recreating a worker's exception on the submitting side, for the process pool and the cluster alike.</summary>
[System.Diagnostics.CodeAnalysis.RequiresUnreferencedCode(TrimMessages.Reflection)]
[System.Diagnostics.CodeAnalysis.RequiresDynamicCode(TrimMessages.DynamicCode)]
internal static class RemoteErrors
{
    /// <summary>
    /// The same exception type when it is safe to recreate — a public, concrete exception type from the .NET
    /// libraries or from the function's own assembly, already loaded here, with a (string message) constructor —
    /// with the worker's stack trace attached; otherwise a <see cref="RemoteException"/>. Nothing is loaded by name.
    /// </summary>
    public static Exception ToException(RemoteError error, Assembly functionAssembly, string origin)
    {
        var type = FindSafeType(error, functionAssembly);
        if (type is not null)
        {
            try
            {
                if (Activator.CreateInstance(type, error.Message) is Exception recreated)
                {
                    recreated.Data[ProcessPoolExecutor.RemoteStackTraceKey] = error.Details;
                    return ExceptionDispatchInfo.SetRemoteStackTrace(recreated, $"{error.StackTrace}{Environment.NewLine}--- End of stack trace {origin} ---{Environment.NewLine}");
                }
            }
#pragma warning disable CA1031 // Whatever recreating the type throws (its constructor, its Data), the error still comes back as a RemoteException.
            catch (Exception)
#pragma warning restore CA1031
            {
                // Fall through to RemoteException.
            }
        }

        return new RemoteException(error.TypeName, error.Message, error.Details);
    }

    private static Type? FindSafeType(RemoteError error, Assembly functionAssembly)
    {
        if (error.AssemblyName is not { } assemblyName)
        {
            return null;
        }

        var trusted = assemblyName == functionAssembly.GetName().Name
            || assemblyName == "System.Private.CoreLib"
            || assemblyName.StartsWith("System.", StringComparison.Ordinal)
            || assemblyName.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal);
        if (!trusted)
        {
            return null;
        }

        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (assembly.IsDynamic || assembly.GetName().Name != assemblyName)
            {
                continue;
            }

            var type = assembly.GetType(error.TypeName, throwOnError: false);
            if (type is { IsAbstract: false, ContainsGenericParameters: false }
                && (type.IsPublic || type.IsNestedPublic)
                && typeof(Exception).IsAssignableFrom(type)
                && type.GetConstructor([typeof(string)]) is not null)
            {
                return type;
            }
        }

        return null;
    }
}
