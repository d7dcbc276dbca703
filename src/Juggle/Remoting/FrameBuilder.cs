using System.Diagnostics.CodeAnalysis;
using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Juggle.Remoting;

/// <summary>Builds a frame body: little-endian integers, length-prefixed UTF-8 strings and byte blocks.</summary>
internal sealed class FrameBuilder : IBufferWriter<byte>
{
    private byte[] _buffer;
    private int _length;

    public FrameBuilder(int capacity = 256)
    {
        _buffer = new byte[Math.Max(16, capacity)];
    }

    public ReadOnlySpan<byte> Body => _buffer.AsSpan(0, _length);

    public int Length => _length;

    public FrameBuilder Reset()
    {
        _length = 0;
        return this;
    }

    public byte[] ToArray() => Body.ToArray();

    /// <summary>Drops everything after the first <paramref name="length"/> bytes.</summary>
    public void Truncate(int length) => _length = Math.Clamp(length, 0, _length);

    public FrameBuilder WriteByte(byte value)
    {
        Ensure(1);
        _buffer[_length++] = value;
        return this;
    }

    public FrameBuilder WriteKind(MessageKind kind) => WriteByte((byte)kind);

    public FrameBuilder WriteInt32(int value)
    {
        Ensure(4);
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_length), value);
        _length += 4;
        return this;
    }

    public FrameBuilder WriteInt64(long value)
    {
        Ensure(8);
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(_length), value);
        _length += 8;
        return this;
    }

    public FrameBuilder WriteGuid(Guid value)
    {
        Ensure(16);
        value.TryWriteBytes(_buffer.AsSpan(_length));
        _length += 16;
        return this;
    }

    /// <summary>A length-prefixed block of bytes.</summary>
    public FrameBuilder WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteInt32(value.Length);
        Ensure(value.Length);
        value.CopyTo(_buffer.AsSpan(_length));
        _length += value.Length;
        return this;
    }

    /// <summary>A length-prefixed UTF-8 string; <see langword="null"/> is written as length -1.</summary>
    public FrameBuilder WriteString(string? value)
    {
        if (value is null)
        {
            return WriteInt32(-1);
        }

        var count = Utf8Text.GetByteCount(value);
        WriteInt32(count);
        Ensure(count);
        _length += Utf8Text.Write(value, _buffer.AsSpan(_length));
        return this;
    }

    /// <summary>A length-prefixed block holding <paramref name="value"/> serialised as JSON, written in place (no intermediate array).</summary>
    [RequiresUnreferencedCode(TrimMessages.Reflection)]
    [RequiresDynamicCode(TrimMessages.DynamicCode)]
    public FrameBuilder WriteJson(object? value, Type type, Utf8JsonWriter writer) =>
        WriteJsonBlock(writer, (value, type), static (json, state) => JsonSerializer.Serialize(json, state.value, state.type, ArgumentCodec.Options));

    /// <summary>A length-prefixed block holding <paramref name="value"/> serialised with its JSON contract, written in place.</summary>
    public FrameBuilder WriteJson<T>(T value, JsonTypeInfo<T> info, Utf8JsonWriter writer) =>
        WriteJsonBlock(writer, (value, info), static (json, state) => JsonSerializer.Serialize(json, state.value, state.info));

    /// <summary>Reserves the length, lets <paramref name="serialize"/> write through <paramref name="writer"/>, then fills the length in; on failure nothing of the block is left.</summary>
    private FrameBuilder WriteJsonBlock<TState>(Utf8JsonWriter writer, TState state, Action<Utf8JsonWriter, TState> serialize)
    {
        var lengthAt = _length;
        WriteInt32(0);
        try
        {
            writer.Reset(this);
            serialize(writer, state);
            writer.Flush();
        }
        catch
        {
            _length = lengthAt;
            throw;
        }

        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(lengthAt), _length - lengthAt - 4);
        return this;
    }

    void IBufferWriter<byte>.Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > _buffer.Length - _length)
        {
            throw new InvalidOperationException("Advanced past the end of the buffer.");
        }

        _length += count;
    }

    Memory<byte> IBufferWriter<byte>.GetMemory(int sizeHint)
    {
        Ensure(Math.Max(sizeHint, 256));
        return _buffer.AsMemory(_length);
    }

    Span<byte> IBufferWriter<byte>.GetSpan(int sizeHint)
    {
        Ensure(Math.Max(sizeHint, 256));
        return _buffer.AsSpan(_length);
    }

    private void Ensure(int more)
    {
        if (_buffer.Length - _length >= more)
        {
            return;
        }

        var needed = (long)_length + more;
        if (needed > Array.MaxLength)
        {
            throw new InvalidOperationException($"A frame body cannot exceed {Array.MaxLength} bytes.");
        }

        var size = Math.Max(needed, Math.Min((long)_buffer.Length * 2, Array.MaxLength));
        Array.Resize(ref _buffer, (int)size);
    }
}
