using Juggle.Remoting;

namespace Juggle.Tests.Remoting;

/// <summary>
/// Fuzzes the frame reader and the message decoders with random, truncated, oversized and mutated input (fixed
/// seeds, so a failure reproduces): the only failure allowed is <see cref="FrameException"/>, never a hang or
/// another exception.
/// </summary>
public sealed class FrameFuzzTests
{
    private const int Iterations = 20_000;

    [Fact]
    public void Random_streams_fail_only_with_FrameException()
    {
        var random = new Random(20261122);
        for (var i = 0; i < Iterations; i++)
        {
            var bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            if (bytes.Length >= 4 && random.Next(2) == 0)
            {
                // A plausible length, so bodies get read too.
                BitConverter.TryWriteBytes(bytes, random.Next(-2, bytes.Length + 8));
            }

            using var stream = new MemoryStream(bytes);
            try
            {
                while (Frames.Read(stream, maxFrameSize: 1 << 16) is { } body)
                {
                    DecodeAny(body);
                }
            }
            catch (FrameException)
            {
                // Expected for malformed input.
            }
        }
    }

    [Fact]
    public void Mutated_valid_frames_fail_only_with_FrameException()
    {
        var random = new Random(42);
        var valid = ValidBodies();
        for (var i = 0; i < Iterations; i++)
        {
            var body = (byte[])valid[random.Next(valid.Length)].Clone();
            switch (random.Next(4))
            {
                case 0:
                    body[random.Next(body.Length)] = (byte)random.Next(256);
                    break;
                case 1:
                    body = body[..random.Next(1, body.Length)];
                    break;
                case 2:
                    body = [.. body, .. new byte[random.Next(1, 8)]];
                    break;
                default:
                    for (var k = 0; k < 4; k++)
                    {
                        body[random.Next(body.Length)] ^= (byte)(1 << random.Next(8));
                    }

                    break;
            }

            try
            {
                DecodeAny(body);
            }
            catch (FrameException)
            {
                // Expected for malformed input.
            }
        }
    }

    [Fact]
    public void A_worker_host_fed_garbage_stops_with_FrameException_or_ends_cleanly()
    {
        var random = new Random(7);
        for (var i = 0; i < 300; i++)
        {
            using var input = new MemoryStream();
            Frames.Write(input, Messages.Init(-1));
            var garbage = new byte[random.Next(1, 200)];
            random.NextBytes(garbage);
            if (random.Next(2) == 0)
            {
                var mutated = ValidBodies()[random.Next(3)];
                Frames.Write(input, mutated.AsSpan(0, random.Next(1, mutated.Length)));
            }

            input.Write(garbage);
            input.Position = 0;
            using var output = new MemoryStream();
            var ended = new ManualResetEventSlim();
            try
            {
                WorkerHost.Run(input, output, _ => ended.Set());
            }
            catch (FrameException)
            {
                // A malformed frame that parsed as a frame: the host refuses it.
            }

            Assert.True(ended.Wait(TimeSpan.FromSeconds(10)), "the host did not notice the end of its input");
        }
    }

    /// <summary>Decodes a body the way the parent and the worker do, without running anything.</summary>
    private static void DecodeAny(byte[] body)
    {
        var parser = new FrameParser(body);
        switch (parser.ReadKind())
        {
            case MessageKind.Define:
                parser.ReadInt32();
                FunctionReference.Read(ref parser);
                break;
            case MessageKind.Init:
                parser.ReadInt32();
                break;
            case MessageKind.Call:
                parser.ReadInt64();
                parser.ReadInt32();
                for (var n = parser.ReadCount(4, "argument"); n > 0; n--)
                {
                    parser.ReadBytes();
                }

                break;
            case MessageKind.CallChunk or MessageKind.Result:
                parser.ReadInt64();
                if (body[0] == (byte)MessageKind.CallChunk)
                {
                    parser.ReadInt32();
                }

                parser.ReadBytes();
                break;
            case MessageKind.Error:
                parser.ReadInt64();
                RemoteError.Read(ref parser);
                break;
            case MessageKind.ChunkResult:
                parser.ReadInt64();
                for (var n = parser.ReadCount(1, "item"); n > 0; n--)
                {
                    if (parser.ReadByte() == WorkerHost.ItemSucceeded)
                    {
                        parser.ReadBytes();
                    }
                    else
                    {
                        RemoteError.Read(ref parser);
                    }
                }

                break;
            case MessageKind.Hello:
                parser.ReadInt32();
                parser.ReadInt32();
                break;
            case MessageKind.InitFailed:
                RemoteError.Read(ref parser);
                break;
        }

        parser.EnsureEnd();
    }

    private static byte[][] ValidBodies()
    {
        var reference = FunctionReference.FromMethod(typeof(ProcessPoolFunctions).GetMethod(nameof(ProcessPoolFunctions.Square))!, "fn");
        using var call = new MemoryStream();
        Messages.WriteCall(call, 3, 1, [[0x31], [0x32, 0x33]]);
        var error = new FrameBuilder().WriteKind(MessageKind.Error).WriteInt64(3);
        RemoteError.From(new InvalidOperationException("boom")).Write(error);
        var chunk = new FrameBuilder().WriteKind(MessageKind.ChunkResult).WriteInt64(4).WriteInt32(2).WriteByte(WorkerHost.ItemSucceeded).WriteBytes([0x34]).WriteByte(WorkerHost.ItemFailed);
        RemoteError.From(new ArgumentException("bad")).Write(chunk);
        return
        [
            Messages.Define(1, reference),
            call.ToArray()[4..],
            Messages.Init(1),
            error.ToArray(),
            chunk.ToArray(),
            new FrameBuilder().WriteKind(MessageKind.Result).WriteInt64(9).WriteBytes([0x35]).ToArray(),
        ];
    }
}
