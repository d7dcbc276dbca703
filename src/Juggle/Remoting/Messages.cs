using System.Buffers.Binary;

namespace Juggle.Remoting;

/// <summary>Encodes the parent's messages; large argument blocks are written straight to the stream, never copied into one body.</summary>
internal static class Messages
{
    public static byte[] Define(int functionId, FunctionReference function)
    {
        var builder = new FrameBuilder().WriteKind(MessageKind.Define).WriteInt32(functionId);
        function.Write(builder);
        return builder.ToArray();
    }

    public static byte[] Init(int functionId, int maxFrameSize = Frames.DefaultMaxFrameSize) =>
        new FrameBuilder(16).WriteKind(MessageKind.Init).WriteInt32(functionId).WriteInt32(maxFrameSize).ToArray();

    /// <summary>Asks the worker to skip an already sent call that has not started.</summary>
    public static byte[] Cancel(long taskId) => new FrameBuilder(16).WriteKind(MessageKind.Cancel).WriteInt64(taskId).ToArray();

    /// <summary>Stands in for a call withdrawn before it was written: the worker answers Skipped, keeping answers in order.</summary>
    public static byte[] Skip(long taskId) => new FrameBuilder(16).WriteKind(MessageKind.Skip).WriteInt64(taskId).ToArray();

    /// <summary>The body size of a Call frame with <paramref name="arguments"/> (without a trace context).</summary>
    public static long CallSize(byte[][] arguments)
    {
        long length = 1 + 8 + 4 + 4;
        foreach (var argument in arguments)
        {
            length += 4 + argument.Length;
        }

        return length;
    }

    /// <summary>The body size of a CallChunk frame with <paramref name="items"/> (without a trace context).</summary>
    public static long ChunkCallSize(byte[] items) => 1 + 8 + 4 + 4 + (long)items.Length;

    /// <summary>
    /// Writes a Call frame: task id, function id, each argument's JSON as a block, then, when the task is traced, its
    /// W3C trace context (see <see cref="TraceContext"/>; a frame without it is still a valid call).
    /// </summary>
    public static void WriteCall(Stream stream, long taskId, int functionId, byte[][] arguments, (string TraceParent, string? TraceState)? trace = null)
    {
        var traceBlock = TraceContext.Encode(trace);
        var length = CallSize(arguments) + (traceBlock?.Length ?? 0);

        Span<byte> head = stackalloc byte[4 + 1 + 8 + 4 + 4];
        WriteHead(head, length, MessageKind.Call, taskId, functionId);
        BinaryPrimitives.WriteInt32LittleEndian(head[17..], arguments.Length);
        stream.Write(head);
        Span<byte> prefix = stackalloc byte[4];
        foreach (var argument in arguments)
        {
            BinaryPrimitives.WriteInt32LittleEndian(prefix, argument.Length);
            stream.Write(prefix);
            stream.Write(argument);
        }

        if (traceBlock is not null)
        {
            stream.Write(traceBlock);
        }
    }

    /// <summary>Writes a CallChunk frame: task id, function id, the JSON array of the items, and the optional trace context.</summary>
    public static void WriteChunkCall(Stream stream, long taskId, int functionId, byte[] items, (string TraceParent, string? TraceState)? trace = null)
    {
        var traceBlock = TraceContext.Encode(trace);
        Span<byte> head = stackalloc byte[4 + 1 + 8 + 4 + 4];
        WriteHead(head, ChunkCallSize(items) + (traceBlock?.Length ?? 0), MessageKind.CallChunk, taskId, functionId);
        BinaryPrimitives.WriteInt32LittleEndian(head[17..], items.Length);
        stream.Write(head);
        stream.Write(items);
        if (traceBlock is not null)
        {
            stream.Write(traceBlock);
        }
    }

    private static void WriteHead(Span<byte> head, long length, MessageKind kind, long taskId, int functionId)
    {
        // Submit checks the size against the pool's limit (ArgumentException naming the argument); this is the last guard.
        if (length > Frames.DefaultMaxFrameSize)
        {
            throw new InvalidOperationException($"A task's arguments take {length} bytes, more than the frame limit of {Frames.DefaultMaxFrameSize} bytes.");
        }

        BinaryPrimitives.WriteInt32LittleEndian(head, (int)length);
        head[4] = (byte)kind;
        BinaryPrimitives.WriteInt64LittleEndian(head[5..], taskId);
        BinaryPrimitives.WriteInt32LittleEndian(head[13..], functionId);
    }
}
