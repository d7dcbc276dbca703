using System.IO.Pipes;
using System.Text;
using Juggle.Remoting;

namespace Juggle.Tests.Remoting;

/// <summary>
/// The worker side of the protocol runs over any pair of streams (here in-process pipes), independent of processes,
/// so a distributed executor can reuse it unchanged.
/// </summary>
public sealed class WorkerHostTests
{
    [Fact]
    public void Serves_calls_chunks_and_errors_in_order_over_plain_streams()
    {
        using var toWorker = new AnonymousPipeServerStream(PipeDirection.Out);
        using var workerIn = new AnonymousPipeClientStream(PipeDirection.In, toWorker.ClientSafePipeHandle);
        using var fromWorker = new AnonymousPipeServerStream(PipeDirection.In);
        using var workerOut = new AnonymousPipeClientStream(PipeDirection.Out, fromWorker.ClientSafePipeHandle);
        var host = Task.Factory.StartNew(() => WorkerHost.Run(workerIn, workerOut, _ => { }), TaskCreationOptions.LongRunning);

        var square = FunctionReference.FromMethod(typeof(ProcessPoolFunctions).GetMethod(nameof(ProcessPoolFunctions.Square))!, "fn");
        var fail = FunctionReference.FromMethod(typeof(ContractFunctions).GetMethod(nameof(ContractFunctions.Fail))!, "fn");
        Frames.Write(toWorker, Messages.Define(1, square));
        Frames.Write(toWorker, Messages.Define(2, fail));
        Frames.Write(toWorker, Messages.Init(-1));
        Messages.WriteCall(toWorker, 10, 1, [ArgumentCodec.Serialize(7, typeof(int))]);
        Messages.WriteCall(toWorker, 11, 2, [ArgumentCodec.Serialize("no", typeof(string))]);
        Messages.WriteChunkCall(toWorker, 12, 1, ArgumentCodec.Serialize(new[] { 1, 2, 3 }, typeof(int[])));
        toWorker.Flush();

        var hello = new FrameParser(Frames.Read(fromWorker));
        Assert.Equal(MessageKind.Hello, hello.ReadKind());
        Assert.Equal(WorkerHost.ProtocolVersion, hello.ReadInt32());
        Assert.Equal(MessageKind.InitOk, new FrameParser(Frames.Read(fromWorker)).ReadKind());

        var result = new FrameParser(Frames.Read(fromWorker));
        Assert.Equal(MessageKind.Result, result.ReadKind());
        Assert.Equal(10, result.ReadInt64());
        Assert.Equal("49", Encoding.UTF8.GetString(result.ReadBytes()));

        var error = new FrameParser(Frames.Read(fromWorker));
        Assert.Equal(MessageKind.Error, error.ReadKind());
        Assert.Equal(11, error.ReadInt64());
        var remote = RemoteError.Read(ref error);
        Assert.Equal(typeof(InvalidOperationException).FullName, remote.TypeName);
        Assert.Equal(ContractFunctions.FailurePrefix + "no", remote.Message);

        var chunk = new FrameParser(Frames.Read(fromWorker));
        Assert.Equal(MessageKind.ChunkResult, chunk.ReadKind());
        Assert.Equal(12, chunk.ReadInt64());
        Assert.Equal(3, chunk.ReadInt32());
        foreach (var expected in new[] { "1", "4", "9" })
        {
            Assert.Equal(WorkerHost.ItemSucceeded, chunk.ReadByte());
            Assert.Equal(expected, Encoding.UTF8.GetString(chunk.ReadBytes()));
        }

        toWorker.Dispose();
        Assert.True(host.Wait(TimeSpan.FromSeconds(10)), "the host did not stop at the end of its input");
        Assert.Null(host.Result);
    }

    [Fact]
    public void A_function_from_another_build_is_refused_with_a_clear_error()
    {
        var square = FunctionReference.FromMethod(typeof(ProcessPoolFunctions).GetMethod(nameof(ProcessPoolFunctions.Square))!, "fn");
        var stale = square with { ModuleVersionId = Guid.NewGuid() };
        var ex = Assert.Throws<InvalidOperationException>(stale.Resolve);
        Assert.Contains("different build", ex.Message);
        Assert.Same(typeof(ProcessPoolFunctions).GetMethod(nameof(ProcessPoolFunctions.Square)), square.Resolve());
    }
}
