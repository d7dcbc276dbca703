using Juggle.Remoting;

namespace Juggle.Tests.Remoting;

/// <summary>
/// The bulk frame reader both sides use: it must accept and refuse exactly what <see cref="Frames.Read"/> does,
/// whatever pieces the stream delivers, and say truthfully whether the next frame is already buffered.
/// </summary>
public sealed class FrameReaderTests
{
    [Fact]
    public void Frames_written_together_are_buffered_together()
    {
        using var stream = new MemoryStream();
        Frames.Write(stream, [1, 2, 3]);
        Frames.Write(stream, [4]);
        Frames.Write(stream, [5, 6]);
        stream.Position = 0;

        var reader = new FrameReader(stream);
        Assert.False(reader.HasBufferedFrame);
        Assert.Equal([1, 2, 3], reader.Read());
        Assert.True(reader.HasBufferedFrame);
        Assert.Equal([4], reader.Read());
        Assert.True(reader.HasBufferedFrame);
        Assert.Equal([5, 6], reader.Read());
        Assert.False(reader.HasBufferedFrame);
        Assert.Null(reader.Read());
    }

    [Fact]
    public void Frames_larger_than_the_buffer_round_trip()
    {
        var random = new Random(7);
        var big = new byte[100_000];
        random.NextBytes(big);
        big[0] = 1;
        using var stream = new MemoryStream();
        Frames.Write(stream, [9]);
        Frames.Write(stream, big);
        Frames.Write(stream, big.AsSpan(0, 40));
        Frames.Write(stream, [8]);
        stream.Position = 0;

        var reader = new FrameReader(new TricklingStream(stream, random, maxPiece: 5000), bufferSize: 64);
        Assert.Equal([9], reader.Read());
        Assert.Equal(big, reader.Read());
        Assert.Equal(big[..40], reader.Read());
        Assert.Equal([8], reader.Read());
        Assert.Null(reader.Read());
    }

    [Fact]
    public void Random_streams_read_exactly_as_Frames_Read_does()
    {
        var random = new Random(20261122);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 96)];
            random.NextBytes(bytes);
            for (var at = 0; at + 4 <= bytes.Length && random.Next(3) != 0; at += random.Next(4, 24))
            {
                BitConverter.TryWriteBytes(bytes.AsSpan(at), random.Next(-2, 30));
            }

            var plain = new MemoryStream(bytes);
            var expected = ReadAll(_ => Frames.Read(plain, maxFrameSize: 1 << 10));
            var reader = new FrameReader(new TricklingStream(new MemoryStream(bytes), new Random(i), maxPiece: 7), maxFrameSize: 1 << 10, bufferSize: 16);
            var actual = ReadAll(_ => reader.Read());
            Assert.Equal(expected.Bodies.Count, actual.Bodies.Count);
            for (var f = 0; f < expected.Bodies.Count; f++)
            {
                Assert.Equal(expected.Bodies[f], actual.Bodies[f]);
            }

            Assert.Equal(expected.Error, actual.Error);
        }
    }

    private static (List<byte[]> Bodies, string? Error) ReadAll(Func<int, byte[]?> read)
    {
        var bodies = new List<byte[]>();
        try
        {
            while (read(bodies.Count) is { } body)
            {
                bodies.Add(body);
            }

            return (bodies, null);
        }
        catch (FrameException ex)
        {
            return (bodies, ex.Message);
        }
    }

    /// <summary>Delivers at most a random few bytes per read, like a pipe under load.</summary>
    private sealed class TricklingStream(Stream inner, Random random, int maxPiece) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) =>
            inner.Read(buffer, offset, Math.Min(count, random.Next(1, maxPiece + 1)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
