using System.Globalization;
using System.Text.Json;
using Juggle.Remoting;

namespace Juggle.RabbitMQ.Internal;

/// <summary>
/// Runs one task message and builds its answer: the same Result, Error and ChunkResult frames the process pool's
/// workers send (so the executor reads them with the same code), with Map chunks through <see cref="ChunkRunner"/>.
/// </summary>
[System.Diagnostics.CodeAnalysis.RequiresUnreferencedCode(ClusterTrimMessages.Reflection)]
[System.Diagnostics.CodeAnalysis.RequiresDynamicCode(ClusterTrimMessages.DynamicCode)]
internal static class TaskRunner
{
    /// <summary>Runs <paramref name="message"/>'s function (already resolved) and returns the answer frame body.</summary>
    public static byte[] Run(TaskMessage message, FunctionSignature signature, int maxAnswerSize, CancellationToken cancellationToken)
    {
        var builder = new FrameBuilder(256);
        using var json = new Utf8JsonWriter(Stream.Null);
        try
        {
            if (message.Kind == MessageKind.Call)
            {
                RunCall(message, signature, builder, cancellationToken);
            }
            else
            {
                RunChunk(message, signature, builder, json);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return ErrorAnswer(message.TaskId, ex);
        }

        if (builder.Length > maxAnswerSize)
        {
            return ErrorAnswer(message.TaskId, new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture,
                $"The result of task {message.TaskId} takes {builder.Length:N0} bytes, more than the message size limit of {maxAnswerSize:N0} bytes (RabbitMqWorkerOptions.MaxMessageSize). Return a reference to the data (a path or URL) instead, or raise the limit.")));
        }

        return builder.ToArray();
    }

    /// <summary>An Error answer for <paramref name="taskId"/>.</summary>
    public static byte[] ErrorAnswer(long taskId, Exception exception)
    {
        var builder = new FrameBuilder(256).WriteKind(MessageKind.Error).WriteInt64(taskId);
        RemoteError.From(exception).Write(builder);
        return builder.ToArray();
    }

    private static void RunCall(TaskMessage message, FunctionSignature signature, FrameBuilder builder, CancellationToken cancellationToken)
    {
        var arguments = message.Arguments;
        if (arguments.Length != signature.ValueParameterTypes.Length)
        {
            throw new ArgumentException($"Task {message.TaskId}: {arguments.Length} argument(s) for a function taking {signature.ValueParameterTypes.Length}.");
        }

        var values = new object?[arguments.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = ArgumentCodec.Deserialize(arguments[i], signature.ValueParameterTypes[i]);
        }

        var result = signature.Invoke(null, values, cancellationToken);
        var json = signature.ResultType is null ? [] : ArgumentCodec.Serialize(result, signature.ResultType);
        builder.Reset().WriteKind(MessageKind.Result).WriteInt64(message.TaskId).WriteBytes(json);
    }

    private static void RunChunk(TaskMessage message, FunctionSignature signature, FrameBuilder builder, Utf8JsonWriter json)
    {
        if (signature.ValueParameterTypes.Length != 1)
        {
            throw new ArgumentException($"Task {message.TaskId}: a Map function takes exactly one argument.");
        }

        var runner = ChunkRunner.TryCreate(signature, null);
        var items = runner is not null
            ? runner.ReadItems(message.Arguments[0], message.TaskId)
            : (Array?)ArgumentCodec.Deserialize(message.Arguments[0], signature.ValueParameterTypes[0].MakeArrayType())
                ?? throw new ArgumentException($"Task {message.TaskId}: the chunk's items are null.");
        builder.Reset().WriteKind(MessageKind.ChunkResult).WriteInt64(message.TaskId).WriteInt32(items.Length);
        if (runner is not null)
        {
            runner.Run(items, builder, json);
        }
        else
        {
            ChunkRunner.RunEach(signature, null, items, builder, json);
        }
    }
}
