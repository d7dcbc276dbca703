using Juggle.Remoting;

namespace Juggle.RabbitMQ.Internal;

/// <summary>A task message read and checked: the function it names and the Call or CallChunk frame that follows.</summary>
[System.Diagnostics.CodeAnalysis.RequiresUnreferencedCode(ClusterTrimMessages.Reflection)]
[System.Diagnostics.CodeAnalysis.RequiresDynamicCode(ClusterTrimMessages.DynamicCode)]
internal sealed class TaskMessage
{
    private TaskMessage(FunctionReference function, MessageKind kind, long taskId, byte[][] arguments)
    {
        Function = function;
        Kind = kind;
        TaskId = taskId;
        Arguments = arguments;
    }

    public FunctionReference Function { get; }

    /// <summary><see cref="MessageKind.Call"/> (one block per argument) or <see cref="MessageKind.CallChunk"/> (one block: the items).</summary>
    public MessageKind Kind { get; }

    public long TaskId { get; }

    public byte[][] Arguments { get; }

    /// <summary>Reads a task message body; throws <see cref="FrameException"/> for anything malformed.</summary>
    public static TaskMessage Parse(byte[] body)
    {
        using var stream = new MemoryStream(body, writable: false);
        var define = Frames.Read(stream, body.Length) ?? throw new FrameException("The task message is empty.");
        var parser = new FrameParser(define);
        if (parser.ReadKind() != MessageKind.Define)
        {
            throw new FrameException("A task message must start with a Define frame.");
        }

        parser.ReadInt32();
        var function = FunctionReference.Read(ref parser);
        parser.EnsureEnd();

        var call = Frames.Read(stream, body.Length) ?? throw new FrameException("The task message has no Call frame.");
        parser = new FrameParser(call);
        var kind = parser.ReadKind();
        var taskId = parser.ReadInt64();
        parser.ReadInt32();
        byte[][] arguments;
        switch (kind)
        {
            case MessageKind.Call:
                var count = parser.ReadCount(4, "argument");
                arguments = new byte[count][];
                for (var i = 0; i < count; i++)
                {
                    arguments[i] = parser.ReadBytes().ToArray();
                }

                break;
            case MessageKind.CallChunk:
                arguments = [parser.ReadBytes().ToArray()];
                break;
            default:
                throw new FrameException($"Message kind {kind} is not a call.");
        }

        parser.EnsureEnd();
        if (stream.Position != stream.Length)
        {
            throw new FrameException("The task message has bytes after its Call frame.");
        }

        return new TaskMessage(function, kind, taskId, arguments);
    }
}
