using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Juggle.Remoting;

// The Submit/Map parameter names (fn, arg, source) are the right ones to blame, though this code is not those methods.
#pragma warning disable CA2208

namespace Juggle.Internal;

/// <summary>
/// What every executor that sends a call out of the process checks and encodes before it goes (the process pool to
/// its worker processes, the cluster executor to its broker): a signature that travels as JSON, the arguments or a Map
/// chunk's items encoded, and the typed chunk call made once per work item type. Each executor adds its own rules
/// (the cluster's <c>[JuggleFunction]</c>, the process pool's frame size).
/// </summary>
[RequiresUnreferencedCode(TrimMessages.Reflection)]
[RequiresDynamicCode(TrimMessages.DynamicCode)]
internal static class CallPreparation
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the parameter or result type that cannot travel as JSON to <paramref name="worker"/>.</summary>
    public static void CheckSignature(FunctionSignature signature, string worker, string paramName)
    {
        var name = FunctionReference.Describe(signature.Method);
        for (var i = 0; i < signature.ValueParameterTypes.Length; i++)
        {
            var type = signature.ValueParameterTypes[i];
            if (ArgumentCodec.GetUnsupportedReason(type) is { } reason)
            {
                throw new ArgumentException($"Parameter {i + 1} of {name} has type '{type}', which cannot be sent to {worker}: {reason}.", paramName);
            }
        }

        if (signature.ResultType is { } result && ArgumentCodec.GetUnsupportedReason(result) is { } resultReason)
        {
            throw new ArgumentException($"{name} returns '{result}', which cannot be sent back from {worker}: {resultReason}.", paramName);
        }
    }

    /// <summary>A Map chunk's items as one JSON array; the function must take exactly one argument.</summary>
    public static byte[] EncodeChunkItems(IMapChunk chunk, FunctionSignature signature)
    {
        if (signature.ValueParameterTypes.Length != 1)
        {
            throw new ArgumentException($"Map needs a function of one argument; {FunctionReference.Describe(signature.Method)} takes {signature.ValueParameterTypes.Length}.", "fn");
        }

        return ArgumentCodec.SerializeChecked(chunk.Items, signature.ValueParameterTypes[0].MakeArrayType(), "A Map item", "source");
    }

    /// <summary>
    /// A submitted call's arguments, one JSON document each, after checking their count and that a function returning a
    /// Task was submitted through an overload that awaits it (<paramref name="awaitingOverloads"/> says which).
    /// </summary>
    public static byte[][] EncodeArguments<T>(WorkItem<T> work, FunctionSignature signature, string awaitingOverloads)
    {
        var name = FunctionReference.Describe(signature.Method);
        if (signature.ReturnsTask && !work.IsAsync)
        {
            throw new ArgumentException($"{name} returns a Task, but was submitted as a function whose result is the Task itself; submit it through an overload that awaits it ({awaitingOverloads}).", "fn");
        }

        var arguments = work.Arguments;
        var types = signature.ValueParameterTypes;
        if (arguments.Length != types.Length)
        {
            throw new ArgumentException($"{name} takes {types.Length} data argument(s) but {arguments.Length} were given.", "fn");
        }

        var encoded = new byte[arguments.Length][];
        for (var i = 0; i < arguments.Length; i++)
        {
            encoded[i] = ArgumentCodec.SerializeChecked(arguments[i], types[i], $"Argument {i + 1}", arguments.Length == 1 ? "arg" : $"arg{i + 1}");
        }

        return encoded;
    }
}

/// <summary>
/// Makes an executor's typed chunk call (<c>TCall</c> of <c>MapChunkWorkItem&lt;TSource, TResult&gt;</c>) through a
/// delegate built once per work item type: reflection's Invoke on a fresh generic method per chunk emitted code every
/// time, which showed up as most of a busy client's CPU (in the finalizer thread, freeing it).
/// </summary>
/// <typeparam name="TFunction">The executor's checked function.</typeparam>
/// <typeparam name="TCall">The executor's call.</typeparam>
[RequiresUnreferencedCode(TrimMessages.Reflection)]
[RequiresDynamicCode(TrimMessages.DynamicCode)]
internal static class ChunkCalls<TFunction, TCall>
{
    private static readonly ConcurrentDictionary<Type, Func<object, TFunction, byte[], TCall>> s_factories = new();

    /// <summary>
    /// Calls <paramref name="genericFactory"/> (a static <c>Create&lt;TSource, TResult&gt;(object work, TFunction function, byte[] items)</c>)
    /// for <paramref name="work"/>'s type arguments.
    /// </summary>
    public static TCall Create(MethodInfo genericFactory, object work, TFunction function, byte[] items) =>
        s_factories.GetOrAdd(
            work.GetType(),
            static (type, factory) => factory.MakeGenericMethod(type.GetGenericArguments()).CreateDelegate<Func<object, TFunction, byte[], TCall>>(),
            genericFactory)(work, function, items);
}
