using System.Diagnostics.CodeAnalysis;
using System.Collections.Concurrent;

namespace Juggle.Remoting;

/// <summary>
/// The worker side of the protocol, over any pair of streams: reads Define/Init/Call frames, runs the functions one
/// at a time in arrival order, and writes one answer per call in the same order. Answers are flushed before the
/// next user code runs (so an answer is never lost with a crash) and when no input is waiting; nothing else forces a
/// write. A reader thread drains the input while a task runs, so the end of the input (the parent closed the channel
/// or died) is noticed at once and the parent never blocks writing to a busy worker; it reads in bulk and hands over
/// every frame that arrived together as one batch (one wake-up per batch, not per frame). The reader thread also
/// handles Cancel frames at once: a call not yet started is marked to be skipped (and the parent told so), which is
/// how a call already sent ahead can be cancelled without ever running.
/// </summary>
[RequiresUnreferencedCode(TrimMessages.Reflection)]
[RequiresDynamicCode(TrimMessages.DynamicCode)]
#pragma warning disable CA1001 // The JSON writer lives as long as Run, which disposes it.
internal sealed class WorkerHost
#pragma warning restore CA1001
{
    /// <summary>Bumped when the frame layout changes; checked by the parent in Hello.</summary>
    public const int ProtocolVersion = 3;

    /// <summary>Item status in a ChunkResult: the item's JSON value follows.</summary>
    public const byte ItemSucceeded = 0;

    /// <summary>Item status in a ChunkResult: a <see cref="RemoteError"/> follows.</summary>
    public const byte ItemFailed = 1;

    private readonly Stream _input;
    private readonly Stream _output;
    private readonly Action<Exception?> _onInputClosed;
    private readonly int _maxFrameSize;
    private readonly BlockingCollection<List<byte[]>?> _inbox = [];
    private readonly Dictionary<int, Resolved> _functions = [];
    private readonly Dictionary<int, ChunkRunner?> _runners = [];
    private readonly FrameBuilder _builder = new(4096);
    private readonly FrameBuilder _spanBuilder = new(256);
    private readonly System.Text.Json.Utf8JsonWriter _json = new(Stream.Null);

    /// <summary>Guards <see cref="_output"/>: answers (task thread), cancel acknowledgements (reader thread) and printed text (any thread).</summary>
    private readonly Lock _outputLock = new();

    /// <summary>Guards <see cref="_received"/> and <see cref="_skips"/>, shared by the reader and the task thread.</summary>
    private readonly Lock _skipLock = new();

    /// <summary>Task ids of calls received and not yet started.</summary>
    private readonly TaskIdSet _received = new();

    /// <summary>Task ids of received calls the parent cancelled: they are answered Skipped instead of run.</summary>
    private readonly TaskIdSet _skips = new();
    private readonly OutputChannel? _stdout;

    /// <summary>The largest frame the parent reads (from Init): a bigger answer is replaced by an error saying so.</summary>
    private int _answerLimit = Frames.DefaultMaxFrameSize;
    private bool _unflushed;
    private bool _initFailed;

    private WorkerHost(Stream input, Stream output, Action<Exception?> onInputClosed, int maxFrameSize, Action<TextWriter>? setStandardOutput)
    {
        _input = input;
        _output = output;
        _onInputClosed = onInputClosed;
        _maxFrameSize = maxFrameSize;
        if (setStandardOutput is not null)
        {
            _stdout = new OutputChannel(SendFromAnyThread, Environment.CurrentManagedThreadId);
            setStandardOutput(_stdout);
        }
    }

    /// <summary>The input ended cleanly (<see langword="null"/>) or with the malformed-frame error.</summary>
    public Exception? InputError { get; private set; }

    /// <summary>
    /// Serves until the input ends. <paramref name="onInputClosed"/> runs on the reader thread as soon as it does, with
    /// the malformed-frame error if any (a process exits there, even while a task runs); afterwards the loop returns
    /// once the current task is done. <paramref name="setStandardOutput"/>, when given, receives a writer that sends
    /// what the tasks print to the parent (the worker process passes <see cref="Console.SetOut"/>).
    /// Returns the error that ended the input, or <see langword="null"/> for a clean end.
    /// </summary>
    public static Exception? Run(Stream input, Stream output, Action<Exception?> onInputClosed, int maxFrameSize = Frames.DefaultMaxFrameSize, Action<TextWriter>? setStandardOutput = null)
    {
        var host = new WorkerHost(input, output, onInputClosed, maxFrameSize, setStandardOutput);
        try
        {
            host.Serve();
        }
        finally
        {
            host._json.Dispose();
        }

        return host.InputError;
    }

    private void Serve()
    {
        var reader = new Thread(ReadLoop) { IsBackground = true, Name = "juggle-worker-reader" };
        reader.Start();
        _builder.Reset().WriteKind(MessageKind.Hello).WriteInt32(ProtocolVersion).WriteInt32(Environment.ProcessId);
        Send();
        while (true)
        {
            if (!_inbox.TryTake(out var batch))
            {
                // Nothing more to do right now: the answers so far go out in one write.
                Flush();
                batch = _inbox.Take();
            }

            if (batch is null)
            {
                Flush();
                break;
            }

            WorkerWarmUp.NoteWork();

            foreach (var body in batch)
            {
                Handle(body);
            }
        }
    }

    private void ReadLoop()
    {
        try
        {
            var reader = new FrameReader(_input, _maxFrameSize);
            while (reader.Read() is { } body)
            {
                var batch = new List<byte[]>(reader.HasBufferedFrame ? 16 : 1);
                if (!Intercept(body))
                {
                    batch.Add(body);
                }

                while (reader.HasBufferedFrame && reader.Read() is { } more)
                {
                    if (!Intercept(more))
                    {
                        batch.Add(more);
                    }
                }

                if (batch.Count > 0)
                {
                    _inbox.Add(batch);
                }
            }
        }
        catch (Exception ex) when (ex is FrameException or IOException or ObjectDisposedException)
        {
            InputError = ex;
        }

        try
        {
            _onInputClosed(InputError);
        }
        finally
        {
            _inbox.Add(null);
        }
    }

    /// <summary>
    /// On the reader thread, before the frame is queued: records the task id of each call (so a Cancel can find it)
    /// and handles Cancel frames itself. Returns <see langword="true"/> for a frame consumed here.
    /// </summary>
    private bool Intercept(byte[] body)
    {
        switch ((MessageKind)body[0])
        {
            case MessageKind.Call or MessageKind.CallChunk:
                {
                    var parser = new FrameParser(body);
                    parser.ReadKind();
                    var taskId = parser.ReadInt64();
                    lock (_skipLock)
                    {
                        _received.Add(taskId);
                    }

                    return false;
                }

            case MessageKind.Cancel:
                {
                    var parser = new FrameParser(body);
                    parser.ReadKind();
                    var taskId = parser.ReadInt64();
                    parser.EnsureEnd();
                    bool skipped;
                    lock (_skipLock)
                    {
                        skipped = _received.Contains(taskId) && _skips.Add(taskId);
                    }

                    var ack = new FrameBuilder(16).WriteKind(MessageKind.CancelAck).WriteInt64(taskId).WriteByte(skipped ? (byte)1 : (byte)0);
                    SendFromAnyThread(ack.ToArray(), true);
                    return true;
                }

            default:
                return false;
        }
    }

    /// <summary>On the task thread, as a call starts: whether the parent cancelled it (answer Skipped, run nothing).</summary>
    private bool TakeSkip(long taskId)
    {
        lock (_skipLock)
        {
            _received.Remove(taskId);
            return _skips.Remove(taskId);
        }
    }

    private void SendSkipped(long taskId)
    {
        _builder.Reset().WriteKind(MessageKind.Skipped).WriteInt64(taskId);
        Send();
    }

    private void Handle(byte[] body)
    {
        var parser = new FrameParser(body);
        var kind = parser.ReadKind();
        switch (kind)
        {
            case MessageKind.Define:
                {
                    var id = parser.ReadInt32();
                    var reference = FunctionReference.Read(ref parser);
                    parser.EnsureEnd();
                    Flush(); // Loading the function's assembly may run its code.
                    _functions[id] = Resolve(reference);
                    break;
                }

            case MessageKind.Init:
                {
                    var id = parser.ReadInt32();
                    var limit = parser.ReadInt32();
                    parser.EnsureEnd();
                    if (limit <= 0)
                    {
                        throw new FrameException($"Invalid frame limit {limit} in Init.");
                    }

                    _answerLimit = limit;
                    RunInitializer(id);
                    break;
                }

            case MessageKind.Skip:
                {
                    var taskId = parser.ReadInt64();
                    parser.EnsureEnd();
                    SendSkipped(taskId);
                    break;
                }

            case MessageKind.Call or MessageKind.CallChunk when _initFailed:
                // The initializer failed: the parent breaks the pool and kills this worker; no task runs here.
                return;

            case MessageKind.Call:
                {
                    var taskId = parser.ReadInt64();
                    var id = parser.ReadInt32();
                    var count = parser.ReadCount(4, "argument");
                    var arguments = new byte[count][];
                    for (var i = 0; i < count; i++)
                    {
                        arguments[i] = parser.ReadBytes().ToArray();
                    }

                    var trace = TraceContext.Read(ref parser);
                    parser.EnsureEnd();
                    Call(taskId, id, arguments, trace);
                    break;
                }

            case MessageKind.CallChunk:
                {
                    var taskId = parser.ReadInt64();
                    var id = parser.ReadInt32();
                    var items = parser.ReadBytes().ToArray();
                    var trace = TraceContext.Read(ref parser);
                    parser.EnsureEnd();
                    CallChunk(taskId, id, items, trace);
                    break;
                }

            default:
                throw new FrameException($"Message kind {kind} is not valid from the parent.");
        }
    }

    private static Resolved Resolve(FunctionReference reference)
    {
        try
        {
            var method = reference.Resolve();
            return new Resolved(new FunctionSignature(method), FunctionReference.GetTarget(method), null);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return new Resolved(null, null, new InvalidOperationException($"The worker cannot load function {reference.TypeName}.{reference.MethodName} from '{reference.AssemblyName}': {ex.Message}", ex));
        }
    }

    private Resolved GetFunction(int id) =>
        _functions.TryGetValue(id, out var resolved) ? resolved : throw new FrameException($"Function id {id} was never defined.");

    private void RunInitializer(int id)
    {
        Flush();
        try
        {
            if (id != -1)
            {
                var function = GetFunction(id);
                var signature = function.Signature ?? throw function.Error!;
                signature.Invoke(function.Target, [], CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is not FrameException)
        {
            _initFailed = true;
            _builder.Reset().WriteKind(MessageKind.InitFailed);
            RemoteError.From(ex).Write(_builder);
            Send();
            return;
        }

        _builder.Reset().WriteKind(MessageKind.InitOk);
        Send();
    }

    private void Call(long taskId, int id, byte[][] arguments, System.Diagnostics.ActivityContext? trace)
    {
        if (TakeSkip(taskId))
        {
            SendSkipped(taskId);
            return;
        }

        // User code may crash the process: the answers before it must already be out.
        Flush();
        var function = GetFunction(id);
        var tracing = trace is null ? null : WorkerTracing.Begin(trace, function.Name);
        byte[] json;
        object? result;
        FunctionSignature signature;
        try
        {
            signature = function.Signature ?? throw function.Error!;
            if (arguments.Length != signature.ValueParameterTypes.Length)
            {
                throw new FrameException($"Task {taskId}: {arguments.Length} argument(s) for a function taking {signature.ValueParameterTypes.Length}.");
            }

            var values = new object?[arguments.Length];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = ArgumentCodec.Deserialize(arguments[i], signature.ValueParameterTypes[i]);
            }

            result = signature.Invoke(function.Target, values, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not FrameException)
        {
            SendSpans(taskId, tracing, ex);
            SendError(taskId, RemoteError.From(ex));
            return;
        }

        try
        {
            json = signature.ResultType is null ? [] : ArgumentCodec.Serialize(result, signature.ResultType);
        }
        catch (Exception ex) when (ex is not FrameException)
        {
            SendSpans(taskId, tracing, ex);
            SendError(taskId, RemoteError.From(ex, $"The result of {FunctionReference.Describe(signature.Method)} could not be sent back to the parent process"));
            return;
        }

        SendSpans(taskId, tracing, null);
        _builder.Reset().WriteKind(MessageKind.Result).WriteInt64(taskId).WriteBytes(json);
        if (_builder.Length > _answerLimit)
        {
            SendError(taskId, TooLarge($"The result of {FunctionReference.Describe(signature.Method)}", _builder.Length, "return less data per task (split it, or write it to a file and return the path)"));
            return;
        }

        Send();
    }

    private void SendError(long taskId, RemoteError error)
    {
        _builder.Reset().WriteKind(MessageKind.Error).WriteInt64(taskId);
        error.Write(_builder);
        if (_builder.Length > _answerLimit)
        {
            // An exception with a giant message must still come back as an error, not as a frame the parent refuses.
            _builder.Reset().WriteKind(MessageKind.Error).WriteInt64(taskId);
            error.Shortened(Math.Max(1024, _answerLimit / 16)).Write(_builder);
        }

        Send();
    }

    private RemoteError TooLarge(string what, long bytes, string fix)
    {
        var message = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{what} could not be sent back to the parent process: it takes {bytes:N0} bytes as JSON, more than the {Frames.DescribeSize(_answerLimit)} limit of one message between processes; {fix}.");
        var type = typeof(InvalidOperationException);
        return new RemoteError(type.FullName!, type.Assembly.GetName().Name, message, null, $"{type.FullName}: {message}");
    }

    /// <summary>Ends a traced call's worker span and sends the spans recorded here, ahead of the call's answer.</summary>
    private void SendSpans(long taskId, WorkerTracing? tracing, Exception? error)
    {
        if (tracing is null)
        {
            return;
        }

        var spans = tracing.End(error);
        if (spans.Count == 0)
        {
            return;
        }

        RemoteSpans.Write(_spanBuilder, taskId, spans);
        Frames.Write(_output, _spanBuilder.Body);
        _unflushed = true;
    }

    private void CallChunk(long taskId, int id, byte[] itemsJson, System.Diagnostics.ActivityContext? trace)
    {
        if (TakeSkip(taskId))
        {
            SendSkipped(taskId);
            return;
        }

        Flush();
        var function = GetFunction(id);
        var tracing = trace is null ? null : WorkerTracing.Begin(trace, function.Name);
        Array items;
        FunctionSignature signature;
        ChunkRunner? runner;
        try
        {
            signature = function.Signature ?? throw function.Error!;
            if (signature.ValueParameterTypes.Length != 1)
            {
                throw new FrameException($"Task {taskId}: a Map function takes exactly one argument, this one takes {signature.ValueParameterTypes.Length}.");
            }

            if (!_runners.TryGetValue(id, out runner))
            {
                runner = ChunkRunner.TryCreate(signature, function.Target);
                _runners[id] = runner;
            }

            items = runner is not null
                ? runner.ReadItems(itemsJson, taskId)
                : (Array?)ArgumentCodec.Deserialize(itemsJson, signature.ValueParameterTypes[0].MakeArrayType())
                    ?? throw new FrameException($"Task {taskId}: the chunk's items are null.");
        }
        catch (Exception ex) when (ex is not FrameException)
        {
            SendSpans(taskId, tracing, ex);
            SendError(taskId, RemoteError.From(ex));
            return;
        }

        _builder.Reset().WriteKind(MessageKind.ChunkResult).WriteInt64(taskId).WriteInt32(items.Length);
        if (runner is not null)
        {
            runner.Run(items, _builder, _json);
        }
        else
        {
            ChunkRunner.RunEach(signature, function.Target, items, _builder, _json);
        }

        SendSpans(taskId, tracing, null);
        SendChunk(taskId, items.Length);
    }

    /// <summary>Sends the ChunkResult in the builder, or an error for the whole chunk when it is over the parent's limit.</summary>
    private void SendChunk(long taskId, int count)
    {
        if (_builder.Length > _answerLimit)
        {
            SendError(taskId, TooLarge(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"The results of a Map chunk of {count} item(s)"), _builder.Length, "use a smaller chunkSize or return less data per item"));
            return;
        }

        Send();
    }

    /// <summary>Queues the built frame (after anything the task printed); <see cref="Flush"/> writes it.</summary>
    private void Send()
    {
        _stdout?.Drain();
        lock (_outputLock)
        {
            Frames.Write(_output, _builder.Body);
        }

        _unflushed = true;
    }

    private void Flush()
    {
        if (_unflushed)
        {
            _unflushed = false;
            lock (_outputLock)
            {
                _output.Flush();
            }
        }
    }

    /// <summary>Writes a frame body (none when empty) from any thread, flushing when asked.</summary>
    private void SendFromAnyThread(byte[] body, bool flush)
    {
        lock (_outputLock)
        {
            if (body.Length > 0)
            {
                Frames.Write(_output, body);
            }

            if (flush)
            {
                _output.Flush();
            }
        }
    }

    private sealed record Resolved(FunctionSignature? Signature, object? Target, Exception? Error)
    {
        /// <summary>The function's name for the worker's span.</summary>
        public string Name => Signature is { } s ? TelemetryNames.DescribeFunction(s.Method) : "unknown";
    }
}
