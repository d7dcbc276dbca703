using System.Collections.Concurrent;
using System.Reflection;
using System.Threading.RateLimiting;
using Juggle.Internal;
using Juggle.RabbitMQ.Internal;
using Juggle.Remoting;

// The Submit/Map parameter names (fn, arg, source) are the right ones to blame, though this code is not those methods.
#pragma warning disable CA2208

namespace Juggle.RabbitMQ;

/// <summary>Turning submitted work into task messages, and answers back into future outcomes.</summary>
public sealed partial class RabbitMqExecutor
{
    /// <summary>The call prepared (validated and serialised) by <see cref="ValidateWork{T}"/> for the <see cref="SubmitCore"/> that follows on the same thread.</summary>
    [ThreadStatic]
    private static ClusterCall? t_prepared;

    /// <summary>A <c>[JuggleFunction]</c> static method, checked once.</summary>
    [System.Diagnostics.CodeAnalysis.RequiresUnreferencedCode(ClusterTrimMessages.Reflection)]
    [System.Diagnostics.CodeAnalysis.RequiresDynamicCode(ClusterTrimMessages.DynamicCode)]
    private sealed class ClusterFunction
    {
        private static readonly ConcurrentDictionary<MethodInfo, ClusterFunction> s_cache = new();

        private ClusterFunction(FunctionReference reference, FunctionSignature signature, Assembly assembly)
        {
            Signature = signature;
            Assembly = assembly;
            Name = FunctionReference.Describe(signature.Method);
            var define = new MemoryStream();
            Frames.Write(define, Messages.Define(0, reference));
            DefineFrame = define.ToArray();
        }

        public FunctionSignature Signature { get; }

        public Assembly Assembly { get; }

        public string Name { get; }

        /// <summary>The length-prefixed Define frame (function id 0) that starts every task message of this function.</summary>
        public byte[] DefineFrame { get; }

        /// <summary>Validates <paramref name="function"/>: a public static <c>[JuggleFunction]</c> method with a JSON-serialisable signature.</summary>
        public static ClusterFunction Get(Delegate function, string paramName)
        {
            var method = function.Method;
            if (s_cache.TryGetValue(method, out var known) && function.Target is null)
            {
                return known;
            }

            var reference = FunctionReference.FromDelegate(function, paramName);
            var name = FunctionReference.Describe(method);
            if (!method.IsStatic)
            {
                throw new ArgumentException($"{name} is a lambda; a cluster worker runs only public static methods marked [JuggleFunction]. Move the code into such a method.", paramName);
            }

            if (!method.IsDefined(typeof(JuggleFunctionAttribute), inherit: false))
            {
                throw new ArgumentException($"{name} is not marked [JuggleFunction]: cluster workers run only methods that carry the attribute. Add [JuggleFunction] to it (and load its assembly on the workers).", paramName);
            }

            if (!method.IsPublic || !(method.DeclaringType!.IsPublic || method.DeclaringType.IsNestedPublic))
            {
                throw new ArgumentException($"{name} must be public and declared in a public type to run on a cluster worker.", paramName);
            }

            var signature = new FunctionSignature(method);
            CallPreparation.CheckSignature(signature, "a worker", paramName);
            return s_cache.GetOrAdd(method, new ClusterFunction(reference, signature, method.Module.Assembly));
        }
    }

    /// <summary>One task: pending here, published, claimed (running) by a worker, answered.</summary>
    [System.Diagnostics.CodeAnalysis.RequiresUnreferencedCode(ClusterTrimMessages.Reflection)]
    [System.Diagnostics.CodeAnalysis.RequiresDynamicCode(ClusterTrimMessages.DynamicCode)]
    private abstract class ClusterCall : IFutureListener
    {
        private static readonly MethodInfo s_createChunkCall = typeof(ClusterCall).GetMethod(nameof(CreateChunkCall), BindingFlags.NonPublic | BindingFlags.Static)!;
        private RateLimitLease? _lease;

        protected ClusterCall(ClusterFunction function)
        {
            Function = function;
        }

        public ClusterFunction Function { get; }

        public Future Future { get; protected set; } = null!;

        public long TaskId => Future.Id;

        public RabbitMqExecutor Owner { get; set; } = null!;

        /// <summary>The whole task message: the Define frame and the Call or CallChunk frame.</summary>
        public byte[] Body { get; set; } = [];

        public string? TraceParent { get; set; }

        public LinkedListNode<ClusterCall>? PendingNode { get; set; }

        /// <summary>A worker started it (the claim was granted); later claims of it are reruns.</summary>
        public bool Started { get; set; }

        /// <summary>The control queue of the worker running it, for a cancel request.</summary>
        public string? ClaimedBy { get; set; }

        public long ClaimId { get; set; }

        public string? Node { get; set; }

        /// <summary>The nodes whose workers died while running it.</summary>
        public List<string> Deaths { get; } = [];

        public CancellationTokenSource? Cancellation { get; set; }

        public CancellationTokenRegistration Registration { get; set; }

        public ITimer? Timer { get; set; }

        public abstract bool IsAsync { get; }

        /// <summary>The data bytes of the task message (arguments or items), for the size check.</summary>
        public abstract long PayloadLength { get; }

        /// <summary>Validates and serialises <paramref name="work"/>; throws <see cref="ArgumentException"/> for work a worker cannot run.</summary>
        public static ClusterCall Prepare<T>(WorkItem<T> work)
        {
            if (work is IMapChunk chunk)
            {
                var mapped = ClusterFunction.Get(chunk.Function, "fn");
                return ChunkCalls<ClusterFunction, ClusterCall>.Create(s_createChunkCall, work, mapped, CallPreparation.EncodeChunkItems(chunk, mapped.Signature));
            }

            var function = ClusterFunction.Get(work.Callable, "fn");
            var encoded = CallPreparation.EncodeArguments(work, function.Signature, "Func<CancellationToken, Task<T>>: a static async method taking a CancellationToken, which the worker awaits");
            return new ValueCall<T>(work, function, encoded);
        }

        public abstract bool Matches(Future future);

        public abstract void Attach(Future future);

        /// <summary>Builds <see cref="Body"/> once the task id is known.</summary>
        public abstract void BuildBody();

        /// <summary>Completes the future from a Result, Error or ChunkResult answer (task id already read).</summary>
        public abstract void Complete(MessageKind kind, ref FrameParser parser, string node);

        public void SetLease(RateLimitLease? lease)
        {
            Volatile.Write(ref _lease, lease);
            if (Future.Done)
            {
                ReleaseLease();
            }
        }

        public void ReleaseLease() => Interlocked.Exchange(ref _lease, null)?.Dispose();

        public void OnDone(Future future) => Owner.OnCallDone(this);

        protected Exception ToException(RemoteError error, string node)
        {
            if (Cancellation is { IsCancellationRequested: true }
                && error.TypeName is "System.OperationCanceledException" or "System.Threading.Tasks.TaskCanceledException")
            {
                return new OperationCanceledException(error.Message);
            }

            var exception = Juggle.Internal.RemoteErrors.ToException(error, Function.Assembly, "on the worker node");
            exception.Data[NodeDataKey] = node;
            return exception;
        }

        protected void Fail(Exception exception)
        {
            if (exception is OperationCanceledException && Cancellation is { IsCancellationRequested: true })
            {
                Future.TrySetCancelledWhileRunning();
            }
            else
            {
                Future.TrySetException(exception);
            }
        }

        protected byte[] BuildBody(Action<Stream> writeCall)
        {
            var stream = new MemoryStream(Function.DefineFrame.Length + (int)Math.Min(PayloadLength + 64, int.MaxValue));
            stream.Write(Function.DefineFrame);
            writeCall(stream);
            return stream.ToArray();
        }

        private static ChunkCall<TSource, TResult> CreateChunkCall<TSource, TResult>(object work, ClusterFunction function, byte[] items) =>
            new((MapChunkWorkItem<TSource, TResult>)work, function, items);
    }

    [System.Diagnostics.CodeAnalysis.RequiresUnreferencedCode(ClusterTrimMessages.Reflection)]
    [System.Diagnostics.CodeAnalysis.RequiresDynamicCode(ClusterTrimMessages.DynamicCode)]
    private sealed class ValueCall<T>(WorkItem<T> work, ClusterFunction function, byte[][] arguments) : ClusterCall(function)
    {
        private Future<T> _future = null!;

        public override bool IsAsync => work.IsAsync;

        public override long PayloadLength => arguments.Sum(a => (long)a.Length + 4);

        public override bool Matches(Future future) => future is Future<T> typed && ReferenceEquals(typed.Work, work);

        public override void Attach(Future future) => Future = _future = (Future<T>)future;

        public override void BuildBody() => Body = BuildBody(stream => Messages.WriteCall(stream, TaskId, 0, arguments));

        public override void Complete(MessageKind kind, ref FrameParser parser, string node) =>
            ValueAnswerReader.Complete(_future, kind, ref parser, Function.Signature, null, static (error, state) => state.Call.Fail(state.Call.ToException(error, state.Node)), (Call: this, Node: node));
    }

    [System.Diagnostics.CodeAnalysis.RequiresUnreferencedCode(ClusterTrimMessages.Reflection)]
    [System.Diagnostics.CodeAnalysis.RequiresDynamicCode(ClusterTrimMessages.DynamicCode)]
    private sealed class ChunkCall<TSource, TResult>(MapChunkWorkItem<TSource, TResult> work, ClusterFunction function, byte[] items) : ClusterCall(function)
    {
        private Future<Outcome<TSource, TResult>[]> _future = null!;

        public override bool IsAsync => false;

        public override long PayloadLength => items.Length;

        public override bool Matches(Future future) => future is Future<Outcome<TSource, TResult>[]> typed && ReferenceEquals(typed.Work, work);

        public override void Attach(Future future) => Future = _future = (Future<Outcome<TSource, TResult>[]>)future;

        public override void BuildBody() => Body = BuildBody(stream => Messages.WriteChunkCall(stream, TaskId, 0, items));

        public override void Complete(MessageKind kind, ref FrameParser parser, string node)
        {
            if (kind == MessageKind.Error)
            {
                var error = RemoteError.Read(ref parser);
                parser.EnsureEnd();
                Fail(ToException(error, node));
                return;
            }

            _future.TrySetResult(ChunkAnswerReader.Read(kind, ref parser, work, Function.Signature.ResultType, $"from node {node}", static (error, state) => state.Call.ToException(error, state.Node), (Call: this, Node: node)));
        }
    }
}
