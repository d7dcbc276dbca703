using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace Juggle.Remoting;

/// <summary>
/// A worker's rehearsal: right after it starts, a background thread runs a call of a function of its own through a
/// private <see cref="WorkerHost"/> over in-memory streams (define, init, call, and a chunk call), so the code every
/// call goes through (frames, the JSON codec, resolving and invoking a function, encoding the answer) is
/// JIT-compiled while the worker waits for its first frames. A warm spare worker adopted by a new pool, or by a
/// <c>maxTasksPerChild</c> recycle, then answers its first call without compiling that path on the way.
/// </summary>
[RequiresUnreferencedCode(TrimMessages.Reflection)]
[RequiresDynamicCode(TrimMessages.DynamicCode)]
internal static class WorkerWarmUp
{
    /// <summary>Set to <c>0</c> (in the parent's environment, which workers inherit) to skip the rehearsal.</summary>
    public const string Variable = "JUGGLE_WORKER_WARMUP";

    private static readonly int[] ChunkItems = [2, 3];

    public static void Start()
    {
        if (Environment.GetEnvironmentVariable(Variable) == "0")
        {
            return;
        }

        new Thread(Run) { IsBackground = true, Name = "juggle-worker-warmup" }.Start();
    }

    private static void Run()
    {
        try
        {
            var method = typeof(WorkerWarmUp).GetMethod(nameof(Echo), BindingFlags.NonPublic | BindingFlags.Static)!;
            using var input = new MemoryStream();
            Frames.Write(input, Messages.Define(1, FunctionReference.FromMethod(method, "function")));
            Frames.Write(input, Messages.Init(-1));
            Messages.WriteCall(input, 1, 1, [ArgumentCodec.Serialize(1, typeof(int))]);
            Messages.WriteChunkCall(input, 2, 1, ArgumentCodec.Serialize(ChunkItems, typeof(int[])));
            input.Position = 0;
            WorkerHost.Run(input, Stream.Null, onInputClosed: static _ => { });
        }
#pragma warning disable CA1031 // A rehearsal that fails only leaves the real first call to compile its path.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private static int Echo(int value) => value;
}
