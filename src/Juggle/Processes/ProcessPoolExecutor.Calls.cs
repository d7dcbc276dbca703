using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Threading.RateLimiting;
using Juggle.Internal;
using Juggle.Remoting;

// The Submit/Map parameter names (fn, arg, source) are the right ones to blame, though this code is not those methods.
#pragma warning disable CA2208

namespace Juggle;

/// <summary>Turning submitted work into calls a worker can run, and their answers back into future outcomes.</summary>
public sealed partial class ProcessPoolExecutor
{
    /// <summary>The call prepared (validated and serialised) by <see cref="ValidateWork{T}"/> for the <see cref="SubmitCore"/> that follows on the same thread.</summary>
    [ThreadStatic]
    private static CallRecord? t_prepared;

    private enum KillReason
    {
        None,
        Timeout,
        Cancelled,
    }

    /// <summary>A static method known to workers by a process-wide id (sent once per worker with a Define frame).</summary>
    [System.Diagnostics.CodeAnalysis.RequiresUnreferencedCode(TrimMessages.Reflection)]
    [System.Diagnostics.CodeAnalysis.RequiresDynamicCode(TrimMessages.DynamicCode)]
    private sealed class RemoteFunction
    {
        private static readonly ConcurrentDictionary<MethodInfo, RemoteFunction> s_cache = new();
        private static int s_nextId;

        private RemoteFunction(FunctionReference reference, FunctionSignature signature, Assembly assembly)
        {
            Id = Interlocked.Increment(ref s_nextId);
            Reference = reference;
            Signature = signature;
            Assembly = assembly;
            DefineFrame = Messages.Define(Id, reference);
        }

        public int Id { get; }

        public FunctionReference Reference { get; }

        public FunctionSignature Signature { get; }

        public Assembly Assembly { get; }

        public byte[] DefineFrame { get; }

        /// <summary>Validates <paramref name="function"/> (static, serialisable signature); throws <see cref="ArgumentException"/> naming the fix.</summary>
        public static RemoteFunction Get(Delegate function, string paramName)
        {
            var method = function.Method;
            if (!(method.IsStatic && function.Target is null) || !s_cache.TryGetValue(method, out var known))
            {
                var reference = FunctionReference.FromDelegate(function, paramName);
                if (s_cache.TryGetValue(method, out known))
                {
                    return known;
                }

                var signature = new FunctionSignature(method);
                CallPreparation.CheckSignature(signature, "a worker process", paramName);
                known = s_cache.GetOrAdd(method, new RemoteFunction(reference, signature, method.Module.Assembly));
            }

            return known;
        }
    }

    /// <summary>
    /// One task on its way through the pool: pending, sent to a worker, running at the head of its queue, answered.
    /// It is also its future's <see cref="ICancelGate"/>: one atomic phase decides whether the call is committed to a
    /// worker (written to it, or started at the head of its queue) or withdrawn by <see cref="Future.Cancel"/>.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.RequiresUnreferencedCode(TrimMessages.Reflection)]
    [System.Diagnostics.CodeAnalysis.RequiresDynamicCode(TrimMessages.DynamicCode)]
    private abstract class CallRecord : ICancelGate
    {
        private const int Unsent = 0;
        private const int Committed = 1;
        private const int Withdrawn = 2;

        private static readonly MethodInfo s_createChunkCall = typeof(CallRecord).GetMethod(nameof(CreateChunkCall), BindingFlags.NonPublic | BindingFlags.Static)!;
        private int _startClaimed;
        private int _phase;
        private bool _skipRequested;

        protected CallRecord(RemoteFunction function)
        {
            Function = function;
        }

        public RemoteFunction Function { get; }

        public Future Future { get; protected set; } = null!;

        public long TaskId => Future.Id;

        public ProcessPoolExecutor Owner { get; set; } = null!;

        public WorkerProcess? Worker { get; set; }

        public RateLimitLease? Lease { get; set; }

        public CancellationTokenRegistration Registration { get; set; }

        /// <summary>The future moved to running (false: it was cancelled while queued in the worker; its answer is dropped).</summary>
        public bool Started { get; set; }

        /// <summary>Reached the head of its worker's queue (the worker runs it now), whether or not the future still wanted it.</summary>
        public bool Claimed => Volatile.Read(ref _startClaimed) != 0;

        public long StartTicks { get; set; }

        public KillReason KillReason { get; set; }

        /// <summary>Cancel() found the call committed and asked its worker to skip it. Set under the owner's lock; read without it.</summary>
        public bool SkipRequested
        {
            get => Volatile.Read(ref _skipRequested);
            set => Volatile.Write(ref _skipRequested, value);
        }

        /// <summary>The call may run: written to its worker, or started at the head of its queue.</summary>
        public bool IsCommitted => Volatile.Read(ref _phase) == Committed;

        /// <summary>Commits the call to run unless <see cref="Future.Cancel"/> withdrew it first; <see langword="false"/> when withdrawn.</summary>
        public bool TryCommit() => Interlocked.CompareExchange(ref _phase, Committed, Unsent) != Withdrawn;

        /// <summary>Withdraws the call unless committed. Call under the owner's lock (a requeue resets the phase there).</summary>
        public bool TryWithdrawLocked() => Interlocked.CompareExchange(ref _phase, Withdrawn, Unsent) != Committed;

        /// <inheritdoc/>
        public bool TryWithdraw() => Interlocked.CompareExchange(ref _phase, Withdrawn, Unsent) switch
        {
            Committed => Owner.RequestSkip(this),
            _ => true,
        };

        /// <summary>Validates and serialises <paramref name="work"/>; throws <see cref="ArgumentException"/> for work that cannot run in another process.</summary>
        public static CallRecord Prepare<T>(WorkItem<T> work, int maxFrameSize)
        {
            if (work is IMapChunk chunk)
            {
                var mapped = RemoteFunction.Get(chunk.Function, "fn");
                var items = CallPreparation.EncodeChunkItems(chunk, mapped.Signature);
                if (Messages.ChunkCallSize(items) > maxFrameSize)
                {
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"A Map chunk of {chunk.Items.Length} item(s) for {FunctionReference.Describe(mapped.Signature.Method)} cannot be sent to a worker process: its items take {items.Length:N0} bytes as JSON, more than the {Frames.DescribeSize(maxFrameSize)} limit of one message between processes. Use a smaller chunkSize or pass less data per item."), "source");
                }

                return ChunkCalls<RemoteFunction, CallRecord>.Create(s_createChunkCall, work, mapped, items);
            }

            var function = RemoteFunction.Get(work.Callable, "fn");
            var signature = function.Signature;
            var arguments = work.Arguments;
            var encoded = CallPreparation.EncodeArguments(work, signature, "Func<Task<T>>, Func<TArg, Task<T>>, Func<CancellationToken, Task<T>>");
            if (Messages.CallSize(encoded) > maxFrameSize)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The arguments of {FunctionReference.Describe(signature.Method)} cannot be sent to a worker process: they take {Messages.CallSize(encoded):N0} bytes as JSON, more than the {Frames.DescribeSize(maxFrameSize)} limit of one message between processes. Pass less data per task (split it, or write it to a file and pass the path)."), arguments.Length == 1 ? "arg" : "fn");
            }

            return new ValueCall<T>(work, function, encoded);
        }

        public abstract bool Matches(Future future);

        public abstract void Attach(Future future);

        /// <summary>Writes this call's frame.</summary>
        public abstract void WriteTo(Stream stream);

        /// <summary>Completes the future from a Result, Error or ChunkResult answer (task id already read).</summary>
        public abstract void Complete(MessageKind kind, ref FrameParser parser);

        public bool TryClaimStart() => Interlocked.Exchange(ref _startClaimed, 1) == 0;

        /// <summary>Back in the pending queue after its worker died before running it: it may be withdrawn again. Call under the owner's lock.</summary>
        public void ResetForRequeue()
        {
            Volatile.Write(ref _startClaimed, 0);
            Interlocked.CompareExchange(ref _phase, Unsent, Committed);
            SkipRequested = false;
            Worker = null;
            Lease?.Dispose();
            Lease = null;
        }

        public void ReleaseResources()
        {
            // The token source is not disposed: the future reads its token when it reports the cancellation.
            Registration.Dispose();
            Lease?.Dispose();
            Lease = null;
        }

        protected Exception ToException(RemoteError error) => RemoteErrors.ToException(error, Function.Assembly);

        private static ChunkCall<TSource, TResult> CreateChunkCall<TSource, TResult>(object work, RemoteFunction function, byte[] items) =>
            new ChunkCall<TSource, TResult>((MapChunkWorkItem<TSource, TResult>)work, function, items);

        /// <summary>Names <see cref="CreateChunkCall{TSource, TResult}"/> (called through reflection) for <see cref="PrecompileCommonPaths"/>.</summary>
        internal static Func<object, RemoteFunction, byte[], ChunkCall<TSource, TResult>> CreateChunkCallForPrecompile<TSource, TResult>() => CreateChunkCall<TSource, TResult>;
    }

    [System.Diagnostics.CodeAnalysis.RequiresUnreferencedCode(TrimMessages.Reflection)]
    [System.Diagnostics.CodeAnalysis.RequiresDynamicCode(TrimMessages.DynamicCode)]
    private sealed class ValueCall<T>(WorkItem<T> work, RemoteFunction function, byte[][] arguments) : CallRecord(function)
    {
        private Future<T> _future = null!;

        public override bool Matches(Future future) => future is Future<T> typed && ReferenceEquals(typed.Work, work);

        public override void Attach(Future future) => Future = _future = (Future<T>)future;

        public override void WriteTo(Stream stream) => Messages.WriteCall(stream, TaskId, Function.Id, arguments, Future.Trace?.GetPropagationContext());

        public override void Complete(MessageKind kind, ref FrameParser parser) =>
            ValueAnswerReader.Complete(_future, kind, ref parser, Function.Signature, "in the parent process", static (error, call) => call._future.TrySetException(call.ToException(error)), this);
    }

    [System.Diagnostics.CodeAnalysis.RequiresUnreferencedCode(TrimMessages.Reflection)]
    [System.Diagnostics.CodeAnalysis.RequiresDynamicCode(TrimMessages.DynamicCode)]
    private sealed class ChunkCall<TSource, TResult>(MapChunkWorkItem<TSource, TResult> work, RemoteFunction function, byte[] items) : CallRecord(function)
    {
        private Future<Outcome<TSource, TResult>[]> _future = null!;

        public override bool Matches(Future future) => future is Future<Outcome<TSource, TResult>[]> typed && ReferenceEquals(typed.Work, work);

        public override void Attach(Future future) => Future = _future = (Future<Outcome<TSource, TResult>[]>)future;

        public override void WriteTo(Stream stream) => Messages.WriteChunkCall(stream, TaskId, Function.Id, items, Future.Trace?.GetPropagationContext());

        public override void Complete(MessageKind kind, ref FrameParser parser)
        {
            if (kind == MessageKind.Error)
            {
                var error = RemoteError.Read(ref parser);
                parser.EnsureEnd();
                _future.TrySetException(ToException(error));
                return;
            }

            _future.TrySetResult(ChunkAnswerReader.Read(kind, ref parser, work, Function.Signature.ResultType, "in the parent process", static (error, call) => call.ToException(error), this));
        }
    }
}
