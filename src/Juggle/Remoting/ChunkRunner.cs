using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Juggle.Remoting;

/// <summary>
/// Runs a Map chunk of a plain one-argument function (<c>TResult f(TArg)</c>) without reflection per item: the
/// items are read as a typed <c>TArg[]</c>, the function is called through a typed delegate (no boxing, no
/// <see cref="MethodBase.Invoke(object?, object?[])"/>), each result is written with its JSON contract looked up
/// once. It writes the same ChunkResult body as the general path in <see cref="WorkerHost"/>, which handles every
/// other shape (cancellation tokens, tasks, void, open generics).
/// </summary>
[RequiresUnreferencedCode(TrimMessages.Reflection)]
[RequiresDynamicCode(TrimMessages.DynamicCode)]
internal abstract class ChunkRunner
{
    /// <summary>What a Map item's error says when its result could not be serialised.</summary>
    public const string ResultNotSent = "The result for this item could not be sent back to the parent process";

    /// <summary>A runner for <paramref name="signature"/>, or <see langword="null"/> when the general path must run it.</summary>
    public static ChunkRunner? TryCreate(FunctionSignature signature, object? target)
    {
        var method = signature.Method;

        // NativeAOT has only the generic instantiations compiled in; the general path needs none.
        if (!System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported)
        {
            return null;
        }

        if (signature.ReturnsTask || signature.ResultType is not { } resultType || signature.ValueParameterTypes.Length != 1
            || method.GetParameters().Length != 1 || method.ContainsGenericParameters)
        {
            return null;
        }

        var argumentType = signature.ValueParameterTypes[0];
        if (argumentType.IsByRef || argumentType.IsPointer || argumentType.IsByRefLike || resultType.IsByRef || resultType.IsPointer || resultType.IsByRefLike)
        {
            return null;
        }

        try
        {
            var delegateType = typeof(Func<,>).MakeGenericType(argumentType, resultType);
            var function = target is null ? method.CreateDelegate(delegateType) : method.CreateDelegate(delegateType, target);
            var runnerType = typeof(ChunkRunner<,>).MakeGenericType(argumentType, resultType);
            return (ChunkRunner)Activator.CreateInstance(runnerType, function)!;
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or InvalidOperationException or TargetInvocationException or MemberAccessException)
        {
            return null;
        }
    }

    /// <summary>Reads the items (throws <see cref="JsonException"/> and the like for bad items, <see cref="FrameException"/> for null).</summary>
    public abstract Array ReadItems(byte[] itemsJson, long taskId);

    /// <summary>Calls the function on every item, appending each item's status and JSON value or error to <paramref name="builder"/>.</summary>
    public abstract void Run(Array items, FrameBuilder builder, Utf8JsonWriter json);

    /// <summary>An item whose function threw: its status and the error.</summary>
    private protected static void WriteItemFailure(FrameBuilder builder, Exception error)
    {
        builder.WriteByte(WorkerHost.ItemFailed);
        RemoteError.From(error).Write(builder);
    }

    /// <summary>An item that ran but whose result could not be written from <paramref name="mark"/> on: the partial answer gives way to the error.</summary>
    private protected static void WriteResultFailure(FrameBuilder builder, int mark, Exception error)
    {
        builder.Truncate(mark - 1);
        builder.WriteByte(WorkerHost.ItemFailed);
        RemoteError.From(error, ResultNotSent).Write(builder);
    }

    /// <summary>
    /// <see cref="Run"/> for a function no typed runner can call (see <see cref="TryCreate"/>): each item through
    /// reflection, with the same item statuses and errors, so every worker kind answers a chunk alike.
    /// </summary>
    public static void RunEach(FunctionSignature signature, object? target, Array items, FrameBuilder builder, Utf8JsonWriter json)
    {
        var one = new object?[1];
        for (var i = 0; i < items.Length; i++)
        {
            try
            {
                one[0] = items.GetValue(i);
                var result = signature.Invoke(target, one, CancellationToken.None);
                builder.WriteByte(WorkerHost.ItemSucceeded);
                var mark = builder.Length;
                try
                {
                    if (signature.ResultType is null)
                    {
                        builder.WriteInt32(0);
                    }
                    else
                    {
                        builder.WriteJson(result, signature.ResultType, json);
                    }
                }
                catch (Exception ex) when (ex is not FrameException)
                {
                    WriteResultFailure(builder, mark, ex);
                }
            }
            catch (Exception ex) when (ex is not FrameException)
            {
                WriteItemFailure(builder, ex);
            }
        }
    }
}

#pragma warning disable CA1812 // Instantiated through MakeGenericType in ChunkRunner.TryCreate.
[RequiresUnreferencedCode(TrimMessages.Reflection)]
[RequiresDynamicCode(TrimMessages.DynamicCode)]
internal sealed class ChunkRunner<TArg, TResult>(Func<TArg, TResult> function) : ChunkRunner
#pragma warning restore CA1812
{
    private readonly JsonTypeInfo<TArg[]> _items = (JsonTypeInfo<TArg[]>)ArgumentCodec.Options.GetTypeInfo(typeof(TArg[]));
    private readonly JsonTypeInfo<TResult> _result = (JsonTypeInfo<TResult>)ArgumentCodec.Options.GetTypeInfo(typeof(TResult));

    public override Array ReadItems(byte[] itemsJson, long taskId) =>
        JsonSerializer.Deserialize(itemsJson, _items) ?? throw new FrameException($"Task {taskId}: the chunk's items are null.");

    public override void Run(Array items, FrameBuilder builder, Utf8JsonWriter json)
    {
        var typed = (TArg[])items;
        for (var i = 0; i < typed.Length; i++)
        {
            try
            {
                var result = function(typed[i]);
                builder.WriteByte(WorkerHost.ItemSucceeded);
                var mark = builder.Length;
                try
                {
                    builder.WriteJson(result, _result, json);
                }
                catch (Exception ex) when (ex is not FrameException)
                {
                    WriteResultFailure(builder, mark, ex);
                }
            }
            catch (Exception ex) when (ex is not FrameException)
            {
                WriteItemFailure(builder, ex);
            }
        }
    }
}
