using System.Buffers.Binary;

namespace Juggle.Remoting;

/// <summary>
/// Reads frames from a stream with one buffer, in bulk: a single <c>read</c> brings in every frame the peer has
/// written so far, and <see cref="HasBufferedFrame"/> tells whether the next one is already here (so a reader can
/// handle a whole batch before it flushes, signals or dispatches once). Same validation as <see cref="Frames.Read"/>.
/// </summary>
internal sealed class FrameReader
{
    private readonly Stream _stream;
    private readonly int _maxFrameSize;
    private readonly byte[] _buffer;
    private int _start;
    private int _end;

    public FrameReader(Stream stream, int maxFrameSize = Frames.DefaultMaxFrameSize, int bufferSize = 64 * 1024)
    {
        _stream = stream;
        _maxFrameSize = maxFrameSize;
        _buffer = new byte[Math.Max(bufferSize, 16)];
    }

    /// <summary>A whole frame (header and body) is already buffered: <see cref="Read"/> returns it without reading the stream.</summary>
    public bool HasBufferedFrame
    {
        get
        {
            var available = _end - _start;
            if (available < 4)
            {
                return false;
            }

            var length = BinaryPrimitives.ReadInt32LittleEndian(_buffer.AsSpan(_start));
            return length <= 0 || length > _maxFrameSize || available - 4 >= length;
        }
    }

    /// <summary>
    /// Reads one frame body. Returns <see langword="null"/> at a clean end of stream (no byte of a new frame);
    /// throws <see cref="FrameException"/> for a truncated, empty or oversized frame.
    /// </summary>
    public byte[]? Read()
    {
        if (!Fill(4))
        {
            if (_end == _start)
            {
                return null;
            }

            throw new FrameException($"Truncated frame header: {_end - _start} of 4 bytes before the end of the stream.");
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(_buffer.AsSpan(_start));
        if (length <= 0)
        {
            throw new FrameException($"Invalid frame length {length}: a frame body has at least one byte.");
        }

        if (length > _maxFrameSize)
        {
            throw new FrameException($"Frame of {length} bytes exceeds the limit of {_maxFrameSize} bytes.");
        }

        _start += 4;
        var body = GC.AllocateUninitializedArray<byte>(length);
        var buffered = Math.Min(length, _end - _start);
        _buffer.AsSpan(_start, buffered).CopyTo(body);
        _start += buffered;
        var got = buffered;
        if (got < length)
        {
            // The rest of a large body goes straight into it; smaller reads refill the buffer first.
            if (length - got >= _buffer.Length)
            {
                while (got < length)
                {
                    var n = _stream.Read(body, got, length - got);
                    if (n == 0)
                    {
                        break;
                    }

                    got += n;
                }
            }
            else
            {
                var available = Fill(length - got) ? length - got : _end - _start;
                _buffer.AsSpan(_start, available).CopyTo(body.AsSpan(got));
                _start += available;
                got += available;
            }
        }

        if (got < length)
        {
            throw new FrameException($"Truncated frame: {got} of {length} body bytes before the end of the stream.");
        }

        return body;
    }

    /// <summary>Makes at least <paramref name="count"/> bytes available (count ≤ buffer size); false at the end of the stream.</summary>
    private bool Fill(int count)
    {
        if (_end - _start >= count)
        {
            return true;
        }

        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_buffer.Length - _start < count)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        while (_end - _start < count)
        {
            var n = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (n == 0)
            {
                return false;
            }

            _end += n;
        }

        return true;
    }
}
