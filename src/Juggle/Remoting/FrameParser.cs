using System.Buffers.Binary;
using System.Text;

namespace Juggle.Remoting;

/// <summary>Reads the fields of a frame body; every read is bounds-checked and throws <see cref="FrameException"/> when out of range.</summary>
internal ref struct FrameParser
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlySpan<byte> _body;
    private int _position;

    public FrameParser(ReadOnlySpan<byte> body)
    {
        _body = body;
    }

    public readonly int Remaining => _body.Length - _position;

    public byte ReadByte()
    {
        Require(1, "byte");
        return _body[_position++];
    }

    public MessageKind ReadKind()
    {
        var kind = ReadByte();
        if (!IsKnown((MessageKind)kind))
        {
            throw new FrameException($"Unknown message kind {kind}.");
        }

        return (MessageKind)kind;
    }

    // A switch, not Enum.IsDefined: its generic code is JIT-compiled in every fresh worker before the first answer.
    private static bool IsKnown(MessageKind kind) => kind is MessageKind.Define or MessageKind.Init or MessageKind.Call or MessageKind.CallChunk
        or MessageKind.Cancel or MessageKind.Skip or MessageKind.Result or MessageKind.Error or MessageKind.ChunkResult or MessageKind.Skipped
        or MessageKind.CancelAck or MessageKind.Output or MessageKind.Spans or MessageKind.Hello or MessageKind.InitOk or MessageKind.InitFailed;

    public int ReadInt32()
    {
        Require(4, "Int32");
        var value = BinaryPrimitives.ReadInt32LittleEndian(_body[_position..]);
        _position += 4;
        return value;
    }

    public long ReadInt64()
    {
        Require(8, "Int64");
        var value = BinaryPrimitives.ReadInt64LittleEndian(_body[_position..]);
        _position += 8;
        return value;
    }

    public Guid ReadGuid()
    {
        Require(16, "Guid");
        var value = new Guid(_body.Slice(_position, 16));
        _position += 16;
        return value;
    }

    /// <summary>A count of following elements, each at least <paramref name="minElementSize"/> bytes: validated against what is left.</summary>
    public int ReadCount(int minElementSize, string what)
    {
        var count = ReadInt32();
        if (count < 0 || (long)count * Math.Max(1, minElementSize) > Remaining)
        {
            throw new FrameException($"Invalid {what} count {count}: only {Remaining} bytes remain in the frame.");
        }

        return count;
    }

    public ReadOnlySpan<byte> ReadBytes()
    {
        var length = ReadInt32();
        if (length < 0)
        {
            throw new FrameException($"Invalid block length {length}.");
        }

        Require(length, "block");
        var value = _body.Slice(_position, length);
        _position += length;
        return value;
    }

    /// <summary>Everything left in the body (a field that runs to the end of the frame).</summary>
    public ReadOnlySpan<byte> ReadRest()
    {
        var value = _body[_position..];
        _position = _body.Length;
        return value;
    }

    public string? ReadString()
    {
        var length = ReadInt32();
        if (length == -1)
        {
            return null;
        }

        if (length < 0)
        {
            throw new FrameException($"Invalid string length {length}.");
        }

        Require(length, "string");
        var bytes = _body.Slice(_position, length);
        string value;
        try
        {
            if (!Utf8Text.TryReadAscii(bytes, out value))
            {
                value = s_strictUtf8.GetString(bytes);
            }
        }
        catch (DecoderFallbackException ex)
        {
            throw new FrameException("A string in the frame is not valid UTF-8.", ex);
        }

        _position += length;
        return value;
    }

    public string ReadRequiredString(string what) =>
        ReadString() ?? throw new FrameException($"The {what} is missing (null string).");

    /// <summary>Throws unless the whole body was consumed: trailing bytes mean a malformed frame.</summary>
    public readonly void EnsureEnd()
    {
        if (_position != _body.Length)
        {
            throw new FrameException($"{_body.Length - _position} unexpected trailing byte(s) in the frame.");
        }
    }

    private readonly void Require(int count, string what)
    {
        if (count > _body.Length - _position)
        {
            throw new FrameException($"Frame too short: a {what} needs {count} byte(s) at offset {_position}, only {_body.Length - _position} remain.");
        }
    }
}
