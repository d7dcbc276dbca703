using System.Collections.Concurrent;

namespace Juggle.Remoting;

/// <summary>
/// The worker side of the protocol, over any pair of streams: reads Define/Init/Call frames, runs the functions one
/// at a time in arrival order, and writes one answer per call in the same order. Answers are flushed before the
/// next user code runs (so an answer is never lost with a crash) and when no input is waiting; nothing else forces a
/// write. A reader thread drains the input while a task runs, so the end of the input (the parent closed the channel
/// or died) is noticed at once and the parent never blocks writing to a busy worker; it reads in bulk and hands over
/// every frame that arrived together as one batch (one wake-up per batch, not per frame).
/// </summary>
#pragma warning disable CA1001 // The JSON writer lives as long as Run, which disposes it.
internal sealed class WorkerHost
#pragma warning restore CA1001
{
    /// <summary>Bumped when the frame layout changes; checked by the parent in Hello.</summary>
    public const int ProtocolVersion = 1;

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
    private readonly System.Text.Json.Utf8JsonWriter _json = new(Stream.Null);
    private bool _unflushed;
    private bool _initFailed;

    private WorkerHost(Stream input, Stream output, Action<Exception?> onInputClosed, int maxFrameSize)
    {
        _input = input;
        _output = output;
        _onInputClosed = onInputClosed;
        _maxFrameSize = maxFrameSize;
    }

    /// <summary>The input ended cleanly (<see langword="null"/>) or with the malformed-frame error.</summary>
    public Exception? InputError { get; private set; }

    /// <summary>
    /// Serves until the input ends. <paramref name="onInputClosed"/> runs on the reader thread as soon as it does, with
    /// the malformed-frame error if any (a process exits there, even while a task runs); afterwards the loop returns
    /// once the current task is done.
    /// Returns the error that ended the input, or <see langword="null"/> for a clean end.
    /// </summary>
    public static Exception? Run(Stream input, Stream output, Action<Exception?> onInputClosed, int maxFrameSize = Frames.DefaultMaxFrameSize)
    {
        var host = new WorkerHost(input, output, onInputClosed, maxFrameSize);
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
                var batch = new List<byte[]>(reader.HasBufferedFrame ? 16 : 1) { body };
                while (reader.HasBufferedFrame && reader.Read() is { } more)
                {
                    batch.Add(more);
                }

                _inbox.Add(batch);
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
                    parser.EnsureEnd();
                    RunInitializer(id);
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

                    parser.EnsureEnd();
                    Call(taskId, id, arguments);
                    break;
                }

            case MessageKind.CallChunk:
                {
                    var taskId = parser.ReadInt64();
                    var id = parser.ReadInt32();
                    var items = parser.ReadBytes().ToArray();
                    parser.EnsureEnd();
                    CallChunk(taskId, id, items);
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

    private void Call(long taskId, int id, byte[][] arguments)
    {
        // User code may crash the process: the answers before it must already be out.
        Flush();
        var function = GetFunction(id);
        byte[] json;
        try
        {
            var signature = function.Signature ?? throw function.Error!;
            if (arguments.Length != signature.ValueParameterTypes.Length)
            {
                throw new FrameException($"Task {taskId}: {arguments.Length} argument(s) for a function taking {signature.ValueParameterTypes.Length}.");
            }

            var values = new object?[arguments.Length];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = ArgumentCodec.Deserialize(arguments[i], signature.ValueParameterTypes[i]);
            }

            var result = signature.Invoke(function.Target, values, CancellationToken.None);
            json = signature.ResultType is null ? [] : ArgumentCodec.Serialize(result, signature.ResultType);
        }
        catch (Exception ex) when (ex is not FrameException)
        {
            _builder.Reset().WriteKind(MessageKind.Error).WriteInt64(taskId);
            RemoteError.From(ex).Write(_builder);
            Send();
            return;
        }

        _builder.Reset().WriteKind(MessageKind.Result).WriteInt64(taskId).WriteBytes(json);
        Send();
    }

    private void CallChunk(long taskId, int id, byte[] itemsJson)
    {
        Flush();
        var function = GetFunction(id);
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
            _builder.Reset().WriteKind(MessageKind.Error).WriteInt64(taskId);
            RemoteError.From(ex).Write(_builder);
            Send();
            return;
        }

        _builder.Reset().WriteKind(MessageKind.ChunkResult).WriteInt64(taskId).WriteInt32(items.Length);
        if (runner is not null)
        {
            runner.Run(items, _builder, _json);
            Send();
            return;
        }

        var one = new object?[1];
        for (var i = 0; i < items.Length; i++)
        {
            try
            {
                one[0] = items.GetValue(i);
                var result = signature.Invoke(function.Target, one, CancellationToken.None);
                _builder.WriteByte(ItemSucceeded);
                var mark = _builder.Length;
                try
                {
                    if (signature.ResultType is null)
                    {
                        _builder.WriteInt32(0);
                    }
                    else
                    {
                        _builder.WriteJson(result, signature.ResultType, _json);
                    }
                }
                catch
                {
                    _builder.Truncate(mark - 1);
                    throw;
                }
            }
            catch (Exception ex) when (ex is not FrameException)
            {
                _builder.WriteByte(ItemFailed);
                RemoteError.From(ex).Write(_builder);
            }
        }

        Send();
    }

    /// <summary>Queues the built frame; <see cref="Flush"/> writes it.</summary>
    private void Send()
    {
        Frames.Write(_output, _builder.Body);
        _unflushed = true;
    }

    private void Flush()
    {
        if (_unflushed)
        {
            _unflushed = false;
            _output.Flush();
        }
    }

    private sealed record Resolved(FunctionSignature? Signature, object? Target, Exception? Error);
}
