using System.Buffers.Binary;

namespace Juggle.Remoting;

/// <summary>
/// The frame protocol: each frame is a 4-byte little-endian body length followed by the body. The body is never
/// empty (its first byte is the <see cref="MessageKind"/>) and never longer than the reader's limit.
/// </summary>
internal static class Frames
{
    /// <summary>The default largest frame body: 1 GiB.</summary>
    public const int DefaultMaxFrameSize = 1 << 30;

    /// <summary>
    /// Reads one frame body. Returns <see langword="null"/> at a clean end of stream (no byte of a new frame);
    /// throws <see cref="FrameException"/> for a truncated, empty or oversized frame.
    /// </summary>
    public static byte[]? Read(Stream stream, int maxFrameSize = DefaultMaxFrameSize)
    {
        Span<byte> header = stackalloc byte[4];
        var got = ReadAtMost(stream, header);
        if (got == 0)
        {
            return null;
        }

        if (got < 4)
        {
            throw new FrameException($"Truncated frame header: {got} of 4 bytes before the end of the stream.");
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length <= 0)
        {
            throw new FrameException($"Invalid frame length {length}: a frame body has at least one byte.");
        }

        if (length > maxFrameSize)
        {
            throw new FrameException($"Frame of {length} bytes exceeds the limit of {maxFrameSize} bytes.");
        }

        var body = GC.AllocateUninitializedArray<byte>(length);
        got = ReadAtMost(stream, body);
        if (got < length)
        {
            throw new FrameException($"Truncated frame: {got} of {length} body bytes before the end of the stream.");
        }

        return body;
    }

    /// <summary>Writes <paramref name="body"/> as one frame (does not flush).</summary>
    public static void Write(Stream stream, ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            throw new ArgumentException("A frame body cannot be empty.", nameof(body));
        }

        Span<byte> header = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(header, body.Length);
        stream.Write(header);
        stream.Write(body);
    }

    private static int ReadAtMost(Stream stream, Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = stream.Read(buffer[total..]);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }
}
