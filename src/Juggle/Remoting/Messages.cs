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

    public static byte[] Init(int functionId) => new FrameBuilder(8).WriteKind(MessageKind.Init).WriteInt32(functionId).ToArray();

    /// <summary>Writes a Call frame: task id, function id, and each argument's JSON as a block.</summary>
    public static void WriteCall(Stream stream, long taskId, int functionId, byte[][] arguments)
    {
        long length = 1 + 8 + 4 + 4;
        foreach (var argument in arguments)
        {
            length += 4 + argument.Length;
        }

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
    }

    /// <summary>Writes a CallChunk frame: task id, function id, and the JSON array of the items.</summary>
    public static void WriteChunkCall(Stream stream, long taskId, int functionId, byte[] items)
    {
        Span<byte> head = stackalloc byte[4 + 1 + 8 + 4 + 4];
        WriteHead(head, 1 + 8 + 4 + 4 + (long)items.Length, MessageKind.CallChunk, taskId, functionId);
        BinaryPrimitives.WriteInt32LittleEndian(head[17..], items.Length);
        stream.Write(head);
        stream.Write(items);
    }

    private static void WriteHead(Span<byte> head, long length, MessageKind kind, long taskId, int functionId)
    {
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
