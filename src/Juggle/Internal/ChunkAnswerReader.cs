using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Juggle.Remoting;

namespace Juggle.Internal;

/// <summary>
/// Reads a Map chunk's answer (a ChunkResult frame: one status byte and a JSON result or an error per item) into one
/// outcome per item, for every executor that ships chunks elsewhere (the process pool, the cluster). A result that
/// cannot be read back (bad JSON, a setter or converter of <c>TResult</c> that throws anything) fails its own item; a
/// frame that breaks the protocol throws <see cref="FrameException"/>.
/// </summary>
internal static class ChunkAnswerReader
{
    /// <summary>
    /// Decodes the answer to <paramref name="work"/> after the task id (the caller handles an Error answer first).
    /// <paramref name="resultType"/> is the function's result type as the worker serialised it (null: it returns
    /// nothing); <paramref name="readBackWhere"/> says where the result was being read, for the message ("in the parent
    /// process"); <paramref name="toException"/> turns an item's remote error, with <paramref name="state"/>, into the
    /// exception its outcome carries.
    /// </summary>
    [RequiresUnreferencedCode(TrimMessages.Reflection)]
    [RequiresDynamicCode(TrimMessages.DynamicCode)]
    public static Outcome<TSource, TResult>[] Read<TSource, TResult, TState>(
        MessageKind kind,
        ref FrameParser parser,
        MapChunkWorkItem<TSource, TResult> work,
        Type? resultType,
        string readBackWhere,
        Func<RemoteError, TState, Exception> toException,
        TState state)
    {
        if (kind != MessageKind.ChunkResult)
        {
            throw new FrameException($"Unexpected answer {kind} to a Map chunk.");
        }

        var source = work.TypedItems;
        var count = parser.ReadCount(1, "item");
        if (count != source.Length)
        {
            throw new FrameException($"A Map chunk of {source.Length} item(s) was answered with {count}.");
        }

        var typed = resultType == typeof(TResult) ? ResultInfo<TResult>.Get() : null;
        var outcomes = new Outcome<TSource, TResult>[count];
        for (var i = 0; i < count; i++)
        {
            var index = work.FirstIndex + i;
            var status = parser.ReadByte();
            if (status == WorkerHost.ItemSucceeded)
            {
                var json = parser.ReadBytes();
                try
                {
                    var value = resultType is null ? default!
                        : typed is not null ? JsonSerializer.Deserialize(json, typed)!
                        : (TResult)ArgumentCodec.Deserialize(json, resultType)!;
                    outcomes[i] = new Outcome<TSource, TResult>(index, source[i], value);
                }
#pragma warning disable CA1031 // Whatever the result type's setters or converters throw fails this item alone.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    outcomes[i] = new Outcome<TSource, TResult>(index, source[i], new InvalidOperationException($"The result for item {index} could not be read back {readBackWhere} ({ex.GetType().Name}): {Frames.SafeMessage(ex)}", ex));
                }
            }
            else if (status == WorkerHost.ItemFailed)
            {
                outcomes[i] = new Outcome<TSource, TResult>(index, source[i], toException(RemoteError.Read(ref parser), state));
            }
            else
            {
                throw new FrameException($"Invalid item status {status}.");
            }
        }

        parser.EnsureEnd();
        return outcomes;
    }

    /// <summary>The JSON contract of <typeparamref name="TResult"/>, looked up once (not per item).</summary>
    private static class ResultInfo<TResult>
    {
        private static JsonTypeInfo<TResult>? s_info;

        [RequiresUnreferencedCode(TrimMessages.Reflection)]
        [RequiresDynamicCode(TrimMessages.DynamicCode)]
        public static JsonTypeInfo<TResult> Get() => s_info ??= (JsonTypeInfo<TResult>)ArgumentCodec.Options.GetTypeInfo(typeof(TResult));
    }
}
