using System.Buffers.Binary;

namespace Juggle.Remoting;

/// <summary>
/// The frame protocol: each frame is a 4-byte little-endian body length followed by the body. The body is never
/// empty (its first byte is the <see cref="MessageKind"/>) and never longer than the reader's limit.
/// </summary>
/// <remarks>
/// What one task can carry is bounded twice: a whole call (all its arguments) or answer (its result, or all the
/// results of a Map chunk) is one frame of at most <see cref="DefaultMaxFrameSize"/> (1 GiB) of JSON, and
/// System.Text.Json writes no single string longer than <see cref="MaxJsonStringLength"/> characters (about 160 MiB
/// of text) nor byte array longer than <see cref="MaxJsonBytesLength"/> bytes. Past either, the task fails with an
/// error saying which value could not cross and the limit; the worker stays healthy.
/// </remarks>
internal static class Frames
{
    /// <summary>The default largest frame body: 1 GiB.</summary>
    public const int DefaultMaxFrameSize = 1 << 30;

    /// <summary>System.Text.Json's longest string value, in characters.</summary>
    public const int MaxJsonStringLength = 166_666_666;

    /// <summary>System.Text.Json's longest byte array value (written as base64), in bytes.</summary>
    public const int MaxJsonBytesLength = 124_999_998;

    /// <summary>A frame limit for people: "1 GiB", "4 MiB" or a byte count.</summary>
    public static string DescribeSize(long bytes) => bytes switch
    {
        >= 1 << 30 when bytes % (1 << 30) == 0 => $"{bytes >> 30} GiB",
        >= 1 << 20 when bytes % (1 << 20) == 0 => $"{bytes >> 20} MiB",
        _ => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes:N0} bytes"),
    };

    /// <summary>
    /// Why a value failed to serialise, for a message: System.Text.Json's bare "The JSON value of length N is too
    /// large" gets the limits it hit appended.
    /// </summary>
    public static string ExplainJsonFailure(Exception exception)
    {
        var message = SafeMessage(exception);
        return exception is ArgumentException && exception.Source == "System.Text.Json" && message.Contains("too large", StringComparison.Ordinal)
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{message} System.Text.Json writes a string of at most {MaxJsonStringLength:N0} characters (about 160 MiB) and a byte array of at most {MaxJsonBytesLength:N0} bytes; pass less data per task (split it, or write it to a file and pass the path).")
            : message;
    }

    /// <summary><see cref="Exception.Message"/>, or a note naming the type when the getter itself throws.</summary>
    public static string SafeMessage(Exception exception)
    {
        try
        {
            return exception.Message;
        }
#pragma warning disable CA1031 // A user exception type's broken Message getter must not take the caller down.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return $"(the Message of {exception.GetType().FullName} could not be read: its getter threw {ex.GetType().FullName})";
        }
    }

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
