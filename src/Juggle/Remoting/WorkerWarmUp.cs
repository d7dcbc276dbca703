using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace Juggle.Remoting;

/// <summary>
/// A worker's rehearsal: right after it starts, a background thread runs a call of a function of its own through a
/// private <see cref="WorkerHost"/> over in-memory streams (define, init, call, and a chunk call), so the code every
/// call goes through (frames, the JSON codec, resolving and invoking a function, encoding the answer) is
/// JIT-compiled while the worker waits for its first frames. A warm spare worker adopted by a new pool, or by a
/// <c>maxTasksPerChild</c> recycle, then answers its first call without compiling that path on the way. A worker
/// whose real work arrives first skips it.
/// </summary>
[RequiresUnreferencedCode(TrimMessages.Reflection)]
[RequiresDynamicCode(TrimMessages.DynamicCode)]
internal static class WorkerWarmUp
{
    /// <summary>
    /// Set to <c>1</c> (in the parent's environment, which workers inherit) to rehearse. Off by default: on 2 cores the
    /// rehearsal took CPU from the workers doing real work (maxTasksPerChild 1: 4.2 instead of 8.5 tasks/s; the first
    /// Map after start-up: 33 instead of 22 µs per item, bench/processes/run.py --only-cold at load average 5).
    /// </summary>
    public const string Variable = "JUGGLE_WORKER_WARMUP";

    private static readonly int[] ChunkItems = [2, 3];

    /// <summary>
    /// How long the rehearsal waits first. A worker started on demand finds its first frames already in its pipe and
    /// has them well within this; it then compiles its path on the real call, and the rehearsal is skipped rather than
    /// take a core from it. A spare waits for its pool for much longer and rehearses.
    /// </summary>
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(25);

    [ThreadStatic]
    private static bool t_rehearsing;

    private static volatile bool s_realWork;

    /// <summary>Called by a host's serve loop with each batch of frames: notes that real work arrived (not the rehearsal's).</summary>
    public static void NoteWork()
    {
        if (!t_rehearsing)
        {
            s_realWork = true;
        }
    }

    public static void Start()
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1")
        {
            return;
        }

        new Thread(Run) { IsBackground = true, Name = "juggle-worker-warmup" }.Start();
    }

    private static void Run()
    {
        Thread.Sleep(Delay);
        if (s_realWork)
        {
            return;
        }

        Rehearse();
    }

    /// <summary>Runs the rehearsal on this thread; <see langword="false"/> if any part of it failed.</summary>
    internal static bool Rehearse()
    {
        t_rehearsing = true;
        try
        {
            var method = typeof(WorkerWarmUp).GetMethod(nameof(Echo), BindingFlags.NonPublic | BindingFlags.Static)!;
            using var input = new MemoryStream();
            Frames.Write(input, Messages.Define(1, FunctionReference.FromMethod(method, "function")));
            Frames.Write(input, Messages.Init(-1));
            Messages.WriteCall(input, 1, 1, [ArgumentCodec.Serialize(1, typeof(int))]);
            Messages.WriteChunkCall(input, 2, 1, ArgumentCodec.Serialize(ChunkItems, typeof(int[])));
            input.Position = 0;
            using var output = new MemoryStream();
            if (WorkerHost.Run(input, output, onInputClosed: static _ => { }) is not null)
            {
                return false;
            }

            // Hello, InitOk, then a Result and a ChunkResult: the whole path ran.
            output.Position = 0;
            var answers = new FrameReader(output, Frames.DefaultMaxFrameSize);
            var kinds = new List<MessageKind>();
            while (answers.Read() is { } body)
            {
                kinds.Add((MessageKind)body[0]);
            }

            return kinds.Contains(MessageKind.Result) && kinds.Contains(MessageKind.ChunkResult) && !kinds.Contains(MessageKind.Error);
        }
#pragma warning disable CA1031 // A rehearsal that fails only leaves the real first call to compile its path.
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
        finally
        {
            t_rehearsing = false;
        }
    }

    private static int Echo(int value) => value;
}
