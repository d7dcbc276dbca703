using System.Diagnostics.CodeAnalysis;
using Juggle.Remoting;

namespace Juggle.Internal;

/// <summary>
/// Reads a single call's answer (a Result frame with the JSON value, or an Error frame) into its future, for every
/// executor that ships calls elsewhere (the process pool, the cluster). A result that cannot be read back (bad JSON, a
/// setter or converter of the result type that throws anything) fails that future alone; an answer of another kind
/// breaks the protocol and throws <see cref="FrameException"/>.
/// </summary>
internal static class ValueAnswerReader
{
    /// <summary>
    /// Decodes the answer after the task id and completes <paramref name="future"/> with its value, or with the read-back
    /// failure. A remote error goes to <paramref name="onError"/> with <paramref name="state"/> (each executor maps it to
    /// its own exception and fails the future its own way). <paramref name="readBackWhere"/> says where the result was
    /// being read, for the message ("in the parent process"), or is null.
    /// </summary>
    [RequiresUnreferencedCode(TrimMessages.Reflection)]
    [RequiresDynamicCode(TrimMessages.DynamicCode)]
    public static void Complete<T, TState>(
        Future<T> future,
        MessageKind kind,
        ref FrameParser parser,
        FunctionSignature signature,
        string? readBackWhere,
        Action<RemoteError, TState> onError,
        TState state)
    {
        switch (kind)
        {
            case MessageKind.Result:
                {
                    var json = parser.ReadBytes();
                    parser.EnsureEnd();
                    T value;
                    try
                    {
                        value = signature.ResultType is { } type ? (T)ArgumentCodec.Deserialize(json, type)! : default!;
                    }
#pragma warning disable CA1031 // Whatever the result type's setters or converters throw fails this future alone, never the worker or the executor.
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        var where = readBackWhere is null ? "" : " " + readBackWhere;
                        future.TrySetException(new InvalidOperationException($"The result of {FunctionReference.Describe(signature.Method)} could not be read back{where} ({ex.GetType().Name}): {Frames.SafeMessage(ex)}", ex));
                        return;
                    }

                    future.TrySetResult(value);
                    return;
                }

            case MessageKind.Error:
                {
                    var error = RemoteError.Read(ref parser);
                    parser.EnsureEnd();
                    onError(error, state);
                    return;
                }

            default:
                throw new FrameException($"Unexpected answer {kind} to a call.");
        }
    }
}
