using Juggle.Remoting;

namespace Juggle.Tests.Remoting;

/// <summary>The frame protocol: length-prefixed, size-checked, and malformed input fails with <see cref="FrameException"/> only.</summary>
public sealed class FramesTests
{
    [Fact]
    public void Frames_round_trip_in_order_then_end_cleanly()
    {
        using var stream = new MemoryStream();
        Frames.Write(stream, [1, 2, 3]);
        Frames.Write(stream, new byte[70_000]);
        stream.Position = 0;

        Assert.Equal([1, 2, 3], Frames.Read(stream));
        Assert.Equal(70_000, Frames.Read(stream)!.Length);
        Assert.Null(Frames.Read(stream));
    }

    [Theory]
    [InlineData(new byte[] { 5 }, "header")]
    [InlineData(new byte[] { 5, 0, 0 }, "header")]
    [InlineData(new byte[] { 0, 0, 0, 0 }, "length 0")]
    [InlineData(new byte[] { 255, 255, 255, 255 }, "length -1")]
    [InlineData(new byte[] { 5, 0, 0, 0, 1, 2 }, "2 of 5")]
    public void Malformed_frames_throw_FrameException(byte[] bytes, string expected)
    {
        var ex = Assert.Throws<FrameException>(() => Frames.Read(new MemoryStream(bytes)));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void Oversized_frames_are_refused_before_allocating()
    {
        var ex = Assert.Throws<FrameException>(() => Frames.Read(new MemoryStream([0, 0, 0, 64, 1]), maxFrameSize: 1024));
        Assert.Contains("exceeds the limit of 1024", ex.Message);
    }

    [Fact]
    public void Parser_reads_what_the_builder_wrote_and_checks_bounds()
    {
        var body = new FrameBuilder(4).WriteKind(MessageKind.Call).WriteInt64(-5).WriteString("héllo").WriteString(null).WriteBytes([9, 8]).WriteGuid(Guid.Empty).ToArray();
        var parser = new FrameParser(body);
        Assert.Equal(MessageKind.Call, parser.ReadKind());
        Assert.Equal(-5, parser.ReadInt64());
        Assert.Equal("héllo", parser.ReadString());
        Assert.Null(parser.ReadString());
        Assert.Equal([9, 8], parser.ReadBytes().ToArray());
        Assert.Equal(Guid.Empty, parser.ReadGuid());
        parser.EnsureEnd();

        Assert.Throws<FrameException>(() => new FrameParser([1, 2]).ReadInt32());
        Assert.Throws<FrameException>(() => new FrameParser([200]).ReadKind());
        Assert.Throws<FrameException>(() => new FrameParser([2, 0, 0, 0, 0xC3, 0x28]).ReadString()); // invalid UTF-8
        Assert.Throws<FrameException>(() => new FrameParser([255, 255, 255, 127]).ReadBytes());
        Assert.Throws<FrameException>(() => new FrameParser([0, 0, 0, 1]).ReadCount(4, "item"));
        Assert.Throws<FrameException>(() => new FrameParser([1]).EnsureEnd());
    }

    [Theory]
    [InlineData("")]
    [InlineData("Juggle.Tests, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null")]
    [InlineData("naïve ☃ 𝄞")]
    [InlineData("\u007f\u0080")]
    public void Strings_round_trip_ascii_or_not(string text)
    {
        var longText = string.Concat(Enumerable.Repeat(text + "x", 300)); // past the stack buffer of the ASCII path
        foreach (var value in new[] { text, longText })
        {
            var body = new FrameBuilder(4).WriteString(value).ToArray();
            Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(value), BitConverter.ToInt32(body, 0));
            var parser = new FrameParser(body);
            Assert.Equal(value, parser.ReadString());
            parser.EnsureEnd();
        }
    }

    [Fact]
    public void Every_message_kind_is_read_and_nothing_else()
    {
        for (var value = 0; value <= byte.MaxValue; value++)
        {
            var kind = (MessageKind)value;
            if (Enum.IsDefined(kind))
            {
                Assert.Equal(kind, new FrameParser([(byte)value]).ReadKind());
            }
            else
            {
                Assert.Throws<FrameException>(() => new FrameParser([(byte)value]).ReadKind());
            }
        }
    }
}
